"""Raising and changing invoices: validation, Xero-compatible totals, numbering, status changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from sqlmodel import Session, select

from myapprentice_app.db import locked, utcnow
from myapprentice_app.domain.invoice_status import (
    InvoiceStatus,
    SyncStatus,
    status_after_payment,
    transition,
)
from myapprentice_app.domain.money import AmountsAre
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models import Business, Client, Invoice, Job, LineItem, Payment, Quote, TaxRate
from myapprentice_app.services import audit, follow_up, invoiced, stripe_pay
from myapprentice_app.services.errors import ActionRefused, NotFound, ValidationFailed
from myapprentice_app.services.lines import LineDraft, build_items, lines_problems, parse_decimal
from myapprentice_app.services.principal import Principal

PAYMENT_METHODS = ("bank_transfer", "cash", "card")


@dataclass
class InvoiceDraft:
    client_id: int | None
    issue_date: dt.date | None
    due_date: dt.date | None
    lines: list[LineDraft] = field(default_factory=list)
    reference: str = ""
    amounts_are: str = AmountsAre.EXCLUSIVE.value
    number: str = ""
    job_id: int | None = None
    quote_id: int | None = None
    another: bool = False  # confirmed: a further invoice for a quote or job that already has one


def create_invoice(session: Session, actor: Principal, draft: InvoiceDraft) -> Invoice:
    actor.require(Permission.EDIT_INVOICES)
    business = locked(session, Business, actor.business_id)  # its next number is ours until commit
    assert business is not None
    rates = _validated(session, actor.business_id, draft, draft.number.strip() or None, invoice_id=None)
    _refuse_anothers_origin(session, actor.business_id, draft)
    invoiced.refuse_unconfirmed_repeat(session, actor.business_id, quote_id=draft.quote_id, job_id=draft.job_id,
                                       confirmed=draft.another)
    number = draft.number.strip() or _next_number(session, business)
    invoice = Invoice(
        business_id=actor.business_id,
        client_id=draft.client_id,  # type: ignore[arg-type]
        job_id=draft.job_id,
        quote_id=draft.quote_id,
        number=number,
        reference=draft.reference.strip() or None,
        issue_date=draft.issue_date,  # type: ignore[arg-type]
        due_date=draft.due_date,  # type: ignore[arg-type]
        amounts_are=draft.amounts_are,
        currency=business.currency,
    )
    session.add(invoice)
    session.flush()
    _replace_lines(session, invoice, draft.lines, rates)
    audit.record(session, actor, actor.business_id, "invoice.created", target=number, detail=_origin(draft))
    session.commit()
    return invoice


def _refuse_anothers_origin(session: Session, business_id: int, draft: InvoiceDraft) -> None:
    """The quote or job an invoice is raised from is the business's own: the form sends back the ids it loaded,
    and a person in two businesses may have switched business since."""
    quote = session.get(Quote, draft.quote_id) if draft.quote_id is not None else None
    if draft.quote_id is not None and (quote is None or quote.business_id != business_id):
        raise NotFound("That quote")
    job = session.get(Job, draft.job_id) if draft.job_id is not None else None
    if draft.job_id is not None and (job is None or job.business_id != business_id):
        raise NotFound("That job")


def _origin(draft: InvoiceDraft) -> str | None:
    if draft.quote_id:
        return f"from quote #{draft.quote_id}"
    if draft.job_id:
        return f"from job #{draft.job_id}"
    return None


def update_invoice(session: Session, actor: Principal, invoice_id: int, draft: InvoiceDraft) -> Invoice:
    actor.require(Permission.EDIT_INVOICES)
    invoice = get_invoice(session, actor, invoice_id, to_change=True)
    if invoice.status != InvoiceStatus.DRAFT:
        raise ActionRefused("Only draft invoices can be edited.")
    number = draft.number.strip() or invoice.number
    rates = _validated(session, actor.business_id, draft, number, invoice_id=invoice.id)
    invoice.client_id = draft.client_id  # type: ignore[assignment]
    invoice.number = number
    invoice.reference = draft.reference.strip() or None
    invoice.issue_date = draft.issue_date  # type: ignore[assignment]
    invoice.due_date = draft.due_date  # type: ignore[assignment]
    invoice.amounts_are = draft.amounts_are
    _replace_lines(session, invoice, draft.lines, rates)
    _touch(invoice)
    audit.record(session, actor, actor.business_id, "invoice.edited", target=number)
    session.commit()
    return invoice


def get_invoice(session: Session, actor: Principal, invoice_id: int, to_change: bool = False) -> Invoice:
    """`to_change`: locked until the caller commits, so a payment landing meanwhile (by card, from Xero) waits
    and this change sees it (see `db.locked`)."""
    actor.require(Permission.VIEW_INVOICES)
    invoice = locked(session, Invoice, invoice_id) if to_change else session.get(Invoice, invoice_id)
    if invoice is None or invoice.business_id != actor.business_id:
        raise NotFound("That invoice")
    return invoice


def authorise_invoice(session: Session, actor: Principal, invoice_id: int) -> Invoice:
    return _change_status(session, actor, invoice_id, InvoiceStatus.AUTHORISED, "invoice.authorised")


def void_invoice(session: Session, actor: Principal, invoice_id: int) -> Invoice:
    invoice = get_invoice(session, actor, invoice_id, to_change=True)
    if invoice.amount_paid > 0:
        raise ActionRefused("This invoice has payments recorded against it, so it can't be voided.")
    voided = _change_status(session, actor, invoice_id, InvoiceStatus.VOIDED, "invoice.voided")
    _close_card_checkouts(session, invoice_id)
    return voided


def mark_sent(session: Session, actor: Principal, invoice_id: int) -> Invoice:
    invoice = _change_status(session, actor, invoice_id, InvoiceStatus.SENT, "invoice.sent", commit=False)
    invoice.sent_at = utcnow()
    session.commit()
    return invoice


def record_payment(
    session: Session,
    actor: Principal,
    invoice_id: int,
    *,
    amount: str | Decimal,
    paid_on: dt.date | None,
    method: str,
    reference: str = "",
) -> Payment:
    actor.require(Permission.RECORD_PAYMENT)
    invoice = get_invoice(session, actor, invoice_id, to_change=True)
    problems: dict[str, str] = {}
    value = parse_decimal(amount)
    if value is None or value <= 0:
        problems["amount"] = "Enter an amount greater than zero."
    elif value > invoice.amount_due:  # before quantize, which fails on amounts as large as "1e30"
        problems["amount"] = f"That's more than the {invoice.amount_due:,.2f} still owing on this invoice."
    elif value != value.quantize(Decimal("0.01")):
        problems["amount"] = "Use at most two decimal places."
    if paid_on is None:
        problems["paid_on"] = "Enter the date the money arrived."
    elif paid_on > dt.date.today() + dt.timedelta(days=1) or paid_on < invoice.issue_date - dt.timedelta(
        days=366
    ):
        problems["paid_on"] = "Enter a date that isn't in the future."
    if method not in PAYMENT_METHODS:
        problems["method"] = "Choose bank transfer, cash or card."
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOIDED, InvoiceStatus.PAID):
        problems["amount"] = f"A {InvoiceStatus(invoice.status).label.lower()} invoice can't take a payment."
    if problems:
        raise ValidationFailed(problems)
    assert value is not None and paid_on is not None
    payment = Payment(
        business_id=invoice.business_id,
        invoice_id=invoice.id,  # type: ignore[arg-type]
        amount=value,
        paid_on=paid_on,
        method=method,
        reference=reference.strip()[:255] or None,
        recorded_by_user_id=actor.user_id,
    )
    session.add(payment)
    invoice.amount_paid += value
    invoice.status = transition(
        InvoiceStatus(invoice.status), status_after_payment(invoice.total, invoice.amount_paid)
    )
    _touch(invoice, content_changed=False)
    audit.record(
        session,
        actor,
        invoice.business_id,
        "invoice.payment_recorded",
        target=invoice.number,
        detail=f"{value:,.2f} by {method}",
    )
    session.commit()
    _close_card_checkouts(session, invoice_id)  # they ask for what was owed before
    return payment


def _close_card_checkouts(session: Session, invoice_id: int) -> None:
    """A client's open card checkout mustn't take the card once the invoice is voided or its amount changes: a
    worker expires them at Stripe (the client's next Pay now opens one for what is owed then)."""
    if stripe_pay.has_open_checkouts(session, invoice_id):
        follow_up.enqueue("close_stripe_checkouts", invoice_id)


def _change_status(
    session: Session,
    actor: Principal,
    invoice_id: int,
    wanted: InvoiceStatus,
    action: str,
    commit: bool = True,
) -> Invoice:
    actor.require(Permission.EDIT_INVOICES)
    invoice = get_invoice(session, actor, invoice_id, to_change=True)
    if wanted == InvoiceStatus.SENT and invoice.status == InvoiceStatus.SENT:
        pass  # sending again (a reminder) keeps the status
    else:
        invoice.status = transition(InvoiceStatus(invoice.status), wanted)
    _touch(invoice)
    audit.record(session, actor, invoice.business_id, action, target=invoice.number)
    if commit:
        session.commit()
    return invoice


def _touch(invoice: Invoice, content_changed: bool = True) -> None:
    invoice.updated_at = utcnow()
    if content_changed:
        invoice.version += 1
        if invoice.sync_status == SyncStatus.SYNCED:
            invoice.sync_status = SyncStatus.NOT_SYNCED.value


def _next_number(session: Session, business: Business) -> str:
    while True:
        number = f"{business.invoice_prefix}{business.next_invoice_number:04d}"
        business.next_invoice_number += 1
        taken = session.exec(
            select(Invoice.id).where(Invoice.business_id == business.id, Invoice.number == number)
        )
        if taken.first() is None:
            return number


def _validated(
    session: Session, business_id: int, draft: InvoiceDraft, number: str | None, invoice_id: int | None
) -> dict[int, TaxRate]:
    problems: dict[str, str] = {}
    client = session.get(Client, draft.client_id) if draft.client_id else None
    if client is None or client.business_id != business_id:
        problems["client_id"] = "Choose a client."
    problems.update(_date_problems(draft))
    if draft.amounts_are not in {a.value for a in AmountsAre}:
        problems["amounts_are"] = "Choose tax exclusive, tax inclusive or no tax."
    if number is not None:
        problems.update(_number_problems(session, business_id, number, invoice_id))
    if len(draft.reference) > 255:
        problems["reference"] = "The reference is at most 255 characters."
    rates = tax_rates(session, business_id)
    problems.update(lines_problems(draft.lines, rates, draft.amounts_are))
    if problems:
        raise ValidationFailed(problems)
    return rates


def _date_problems(draft: InvoiceDraft) -> dict[str, str]:
    problems = {}
    if draft.issue_date is None:
        problems["issue_date"] = "Enter the invoice date."
    elif abs((draft.issue_date - dt.date.today()).days) > 366 * 5:
        problems["issue_date"] = "Enter a date within five years of today."
    if draft.due_date is None:
        problems["due_date"] = "Enter the due date."
    # A difference, not issue date + 366 days: that overflows for a date typed near the end of the calendar.
    elif draft.issue_date and not 0 <= (draft.due_date - draft.issue_date).days <= 366:
        problems["due_date"] = "The due date must be on or after the invoice date, and within a year of it."
    return problems


def _number_problems(
    session: Session, business_id: int, number: str, invoice_id: int | None
) -> dict[str, str]:
    if not number:
        return {"number": "Enter an invoice number."}
    if len(number) > 30:
        return {"number": "Invoice numbers are at most 30 characters."}
    duplicate = session.exec(
        select(Invoice.id).where(
            Invoice.business_id == business_id, Invoice.number == number, Invoice.id != invoice_id
        )
    ).first()
    if duplicate is not None:
        return {"number": f"Invoice {number} already exists in this business."}
    return {}


def tax_rates(session: Session, business_id: int) -> dict[int, TaxRate]:
    return {
        rate.id: rate
        for rate in session.exec(select(TaxRate).where(TaxRate.business_id == business_id))
        if rate.id is not None
    }


def _replace_lines(
    session: Session, invoice: Invoice, lines: list[LineDraft], rates: dict[int, TaxRate]
) -> None:
    for old in session.exec(select(LineItem).where(LineItem.invoice_id == invoice.id)):
        session.delete(old)
    items, document = build_items(lines, rates, AmountsAre(invoice.amounts_are), invoice_id=invoice.id)
    session.add_all(items)
    invoice.subtotal, invoice.total_tax, invoice.total = document.subtotal, document.total_tax, document.total

"""Raising and changing invoices: validation, Xero-compatible totals, numbering, status changes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlmodel import Session, select

from myapprentice_app.db import utcnow
from myapprentice_app.domain.invoice_status import (
    InvoiceStatus,
    SyncStatus,
    status_after_payment,
    transition,
)
from myapprentice_app.domain.money import AmountsAre, document_totals, line_totals
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models import Business, Client, Invoice, LineItem, Payment, TaxRate
from myapprentice_app.services import audit
from myapprentice_app.services.errors import ActionRefused, NotFound, ValidationFailed
from myapprentice_app.services.principal import Principal

CATEGORIES = ("labour", "materials", "other")
PAYMENT_METHODS = ("bank_transfer", "cash", "card")
MAX_QUANTITY = Decimal("1000000")
MAX_UNIT_AMOUNT = Decimal("10000000")
MAX_DESCRIPTION = 4000


@dataclass
class LineDraft:
    description: str
    quantity: str | Decimal
    unit_amount: str | Decimal
    category: str = "labour"
    tax_rate_id: int | None = None


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


def create_invoice(session: Session, actor: Principal, draft: InvoiceDraft) -> Invoice:
    actor.require(Permission.EDIT_INVOICES)
    business = session.get(Business, actor.business_id)
    assert business is not None
    number = draft.number.strip() or _next_number(session, business)
    lines, rates = _validated(session, actor.business_id, draft, number, invoice_id=None)
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
    _replace_lines(session, invoice, lines, rates)
    audit.record(session, actor, actor.business_id, "invoice.created", target=number)
    session.commit()
    return invoice


def update_invoice(session: Session, actor: Principal, invoice_id: int, draft: InvoiceDraft) -> Invoice:
    actor.require(Permission.EDIT_INVOICES)
    invoice = get_invoice(session, actor, invoice_id)
    if invoice.status != InvoiceStatus.DRAFT:
        raise ActionRefused("Only draft invoices can be edited.")
    number = draft.number.strip() or invoice.number
    lines, rates = _validated(session, actor.business_id, draft, number, invoice_id=invoice.id)
    invoice.client_id = draft.client_id  # type: ignore[assignment]
    invoice.number = number
    invoice.reference = draft.reference.strip() or None
    invoice.issue_date = draft.issue_date  # type: ignore[assignment]
    invoice.due_date = draft.due_date  # type: ignore[assignment]
    invoice.amounts_are = draft.amounts_are
    _replace_lines(session, invoice, lines, rates)
    _touch(invoice)
    audit.record(session, actor, actor.business_id, "invoice.edited", target=number)
    session.commit()
    return invoice


def get_invoice(session: Session, actor: Principal, invoice_id: int) -> Invoice:
    actor.require(Permission.VIEW_INVOICES)
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.business_id != actor.business_id:
        raise NotFound("That invoice")
    return invoice


def authorise_invoice(session: Session, actor: Principal, invoice_id: int) -> Invoice:
    return _change_status(session, actor, invoice_id, InvoiceStatus.AUTHORISED, "invoice.authorised")


def void_invoice(session: Session, actor: Principal, invoice_id: int) -> Invoice:
    invoice = get_invoice(session, actor, invoice_id)
    if invoice.amount_paid > 0:
        raise ActionRefused("This invoice has payments recorded against it, so it can't be voided.")
    return _change_status(session, actor, invoice_id, InvoiceStatus.VOIDED, "invoice.voided")


def mark_sent(session: Session, actor: Principal, invoice_id: int) -> Invoice:
    invoice = _change_status(session, actor, invoice_id, InvoiceStatus.SENT, "invoice.sent", commit=False)
    invoice.sent_at = utcnow()
    session.commit()
    return invoice


def record_payment(session: Session, actor: Principal, invoice_id: int, *, amount: str | Decimal,
                   paid_on: dt.date | None, method: str, reference: str = "") -> Payment:
    actor.require(Permission.RECORD_PAYMENT)
    invoice = get_invoice(session, actor, invoice_id)
    problems: dict[str, str] = {}
    value = _decimal(amount)
    if value is None or value <= 0:
        problems["amount"] = "Enter an amount greater than zero."
    elif value != value.quantize(Decimal("0.01")):
        problems["amount"] = "Use at most two decimal places."
    elif value > invoice.amount_due:
        problems["amount"] = f"That's more than the {invoice.amount_due:,.2f} still owing on this invoice."
    if paid_on is None:
        problems["paid_on"] = "Enter the date the money arrived."
    elif paid_on > dt.date.today() + dt.timedelta(days=1) or paid_on < invoice.issue_date - dt.timedelta(days=366):
        problems["paid_on"] = "Enter a date that isn't in the future."
    if method not in PAYMENT_METHODS:
        problems["method"] = "Choose bank transfer, cash or card."
    if invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOIDED, InvoiceStatus.PAID):
        problems["amount"] = f"A {InvoiceStatus(invoice.status).label.lower()} invoice can't take a payment."
    if problems:
        raise ValidationFailed(problems)
    assert value is not None and paid_on is not None
    payment = Payment(business_id=invoice.business_id, invoice_id=invoice.id,  # type: ignore[arg-type]
                      amount=value, paid_on=paid_on, method=method, reference=reference.strip()[:255] or None,
                      recorded_by_user_id=actor.user_id)
    session.add(payment)
    invoice.amount_paid += value
    invoice.status = transition(InvoiceStatus(invoice.status), status_after_payment(invoice.total, invoice.amount_paid))
    _touch(invoice, content_changed=False)
    audit.record(session, actor, invoice.business_id, "invoice.payment_recorded", target=invoice.number,
                 detail=f"{value:,.2f} by {method}")
    session.commit()
    return payment


def _change_status(session: Session, actor: Principal, invoice_id: int, wanted: InvoiceStatus, action: str,
                   commit: bool = True) -> Invoice:
    actor.require(Permission.EDIT_INVOICES)
    invoice = get_invoice(session, actor, invoice_id)
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
        taken = session.exec(select(Invoice.id).where(Invoice.business_id == business.id, Invoice.number == number))
        if taken.first() is None:
            return number


def _decimal(value: str | Decimal | None) -> Decimal | None:
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    try:
        parsed = Decimal(str(value).replace(",", "").replace("$", "").strip())
    except (InvalidOperation, ValueError):
        return None
    return parsed if parsed.is_finite() else None


def _validated(session: Session, business_id: int, draft: InvoiceDraft, number: str,
               invoice_id: int | None) -> tuple[list[LineDraft], dict[int, TaxRate]]:
    problems: dict[str, str] = {}
    client = session.get(Client, draft.client_id) if draft.client_id else None
    if client is None or client.business_id != business_id:
        problems["client_id"] = "Choose a client."
    if draft.issue_date is None:
        problems["issue_date"] = "Enter the invoice date."
    elif abs((draft.issue_date - dt.date.today()).days) > 366 * 5:
        problems["issue_date"] = "Enter a date within five years of today."
    if draft.due_date is None:
        problems["due_date"] = "Enter the due date."
    elif draft.issue_date and not (draft.issue_date <= draft.due_date <= draft.issue_date + dt.timedelta(days=366)):
        problems["due_date"] = "The due date must be on or after the invoice date, and within a year of it."
    if draft.amounts_are not in {a.value for a in AmountsAre}:
        problems["amounts_are"] = "Choose tax exclusive, tax inclusive or no tax."
    if len(number) > 30:
        problems["number"] = "Invoice numbers are at most 30 characters."
    duplicate = session.exec(select(Invoice.id).where(Invoice.business_id == business_id, Invoice.number == number,
                                                      Invoice.id != invoice_id)).first()
    if duplicate is not None:
        problems["number"] = f"Invoice {number} already exists in this business."
    if len(draft.reference) > 255:
        problems["reference"] = "The reference is at most 255 characters."
    rates = {rate.id: rate for rate in session.exec(select(TaxRate).where(TaxRate.business_id == business_id))}
    if not draft.lines:
        problems["lines"] = "Add at least one line."
    for index, line in enumerate(draft.lines):
        problems.update(_line_problems(index, line, rates))
    if problems:
        raise ValidationFailed(problems)
    return draft.lines, rates  # type: ignore[return-value]


def _line_problems(index: int, line: LineDraft, rates: dict[int | None, TaxRate]) -> dict[str, str]:
    problems = {}
    prefix = f"lines.{index}"
    if not line.description.strip():
        problems[f"{prefix}.description"] = "Describe the work or item."
    elif len(line.description) > MAX_DESCRIPTION:
        problems[f"{prefix}.description"] = f"Keep descriptions under {MAX_DESCRIPTION:,} characters."
    quantity = _decimal(line.quantity)
    if quantity is None:
        problems[f"{prefix}.quantity"] = "Enter a number."
    elif not (0 < quantity <= MAX_QUANTITY) or quantity != quantity.quantize(Decimal("0.0001")):
        problems[f"{prefix}.quantity"] = "Enter a quantity above 0 and up to 1,000,000 (at most 4 decimals)."
    unit_amount = _decimal(line.unit_amount)
    if unit_amount is None:
        problems[f"{prefix}.unit_amount"] = "Enter a price."
    elif not (-MAX_UNIT_AMOUNT <= unit_amount <= MAX_UNIT_AMOUNT) or unit_amount != unit_amount.quantize(
            Decimal("0.0001")):
        problems[f"{prefix}.unit_amount"] = "Enter a price up to 10,000,000 (at most 4 decimals)."
    if line.category not in CATEGORIES:
        problems[f"{prefix}.category"] = "Choose labour, materials or other."
    if line.tax_rate_id is not None and line.tax_rate_id not in rates:
        problems[f"{prefix}.tax_rate_id"] = "Choose one of your tax rates."
    return problems


def _replace_lines(session: Session, invoice: Invoice, lines: list[LineDraft], rates: dict[int, TaxRate]) -> None:
    for old in session.exec(select(LineItem).where(LineItem.invoice_id == invoice.id)):
        session.delete(old)
    amounts_are = AmountsAre(invoice.amounts_are)
    computed = []
    for position, line in enumerate(lines):
        quantity, unit_amount = _decimal(line.quantity), _decimal(line.unit_amount)
        assert quantity is not None and unit_amount is not None
        rate = rates[line.tax_rate_id].rate if line.tax_rate_id else Decimal(0)
        totals = line_totals(quantity, unit_amount, rate, amounts_are)
        computed.append(totals)
        session.add(LineItem(invoice_id=invoice.id, position=position, description=line.description.strip(),
                             quantity=quantity, unit_amount=unit_amount, category=line.category,
                             tax_rate_id=line.tax_rate_id, line_amount=totals.line_amount,
                             tax_amount=totals.tax_amount))
    document = document_totals(computed, amounts_are)
    invoice.subtotal, invoice.total_tax, invoice.total = document.subtotal, document.total_tax, document.total

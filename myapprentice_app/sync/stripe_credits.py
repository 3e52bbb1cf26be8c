"""A part refund of a card payment, in Xero: an ACCRECCREDIT credit note to the invoice's contact for the amount
refunded (GST inside it, on the account and tax type of the invoice's main line), then refunded in money from
the Stripe account (a payment on the credit note). The card payment itself stays in Xero: the money did arrive,
and part of it went back (stripe-notes §5 row 10). Stripe keeps its fee on a refund, so the fee stays posted.

A credit note can't be allocated to the invoice instead: the invoice is already paid in full in Xero, and
Xero allocates credit only against what is still owed."""

from __future__ import annotations

import functools
from decimal import Decimal

from sqlmodel import Session, col, select

from myapprentice_app.db import session_scope
from myapprentice_app.domain.card_money import from_minor
from myapprentice_app.domain.money import AmountsAre
from myapprentice_app.integrations.xero.client import Reply, XeroClient
from myapprentice_app.integrations.xero.errors import OutcomeUnknown, Rejected
from myapprentice_app.integrations.xero.mapping import credit_refund_model, sales_credit_note
from myapprentice_app.integrations.xero.results import PaymentResult, TransactionResult
from myapprentice_app.models import Invoice, StripeCredit, StripePayment
from myapprentice_app.sync import retry
from myapprentice_app.sync.budget import WaitForXero
from myapprentice_app.sync.context import OrgContext
from myapprentice_app.sync.preflight import outgoing
from myapprentice_app.sync.snapshot import load_cache, load_invoices

NO_STRIPE_ACCOUNT = "Card refund not sent to Xero: choose the Stripe payment account in Business Settings → Xero."


def post_credits(ctx: OrgContext) -> None:
    with session_scope() as session:
        due = session.exec(
            select(StripeCredit, StripePayment.payment_intent_id)
            .join(StripePayment, col(StripePayment.id) == StripeCredit.stripe_payment_id)
            .join(Invoice, col(Invoice.id) == StripeCredit.invoice_id)
            .where(StripeCredit.business_id == ctx.business_id, col(StripeCredit.xero_refund_id).is_(None),
                   col(StripeCredit.sync_message).is_(None), col(Invoice.xero_invoice_id).is_not(None))
            .order_by(col(StripeCredit.id))).all()
        if due and not ctx.settings.stripe_account:
            for credit, _ in due:
                credit.sync_message = NO_STRIPE_ACCOUNT
            session.commit()
            return
        notes = {credit.id: _credit_note(session, ctx, credit, intent_id) for credit, intent_id in due}
    for credit, intent_id in due:
        try:
            note_id = credit.xero_credit_note_id or _create_note(ctx, credit, notes[credit.id])
            if note_id:
                _refund_note(ctx, credit, note_id, intent_id)
        except (WaitForXero, OutcomeUnknown):  # Xero busy, or its answer without the credit note or refund
            return  # the next cycle looks for what it sent, then carries on: nothing is made twice
        except Rejected as rejected:
            with session_scope() as session:
                _set_outcome(session, credit.id or 0, message=f"Xero refused the card refund: {rejected.text[:500]}")
                session.commit()


def _credit_note(session: Session, ctx: OrgContext, credit: StripeCredit, intent_id: str) -> dict:
    [snapshot] = load_invoices(session, [credit.invoice_id])
    out = outgoing(snapshot, load_cache(session, ctx.business_id), ctx.settings)
    main = max(out.lines, key=lambda line: line.quantity * line.unit_amount)
    no_tax = snapshot.invoice.amounts_are == AmountsAre.NO_TAX
    what = f"Card refund for invoice {snapshot.invoice.number} ({intent_id}, {_ours(credit)})"
    return sales_credit_note(out.contact_id, credit.refunded_on, no_tax, credit.currency, what,
                             from_minor(credit.amount, credit.currency), main.account_code, main.tax_type)


def _create_note(ctx: OrgContext, credit: StripeCredit, body: dict) -> str | None:
    result = retry.write_once(ctx, f"stripe-credit-{credit.id}", functools.partial(_notes, body=body),
                              functools.partial(_notes_with_reference, reference=body["Reference"]),
                              Reply.credit_notes, record=functools.partial(
                                  _record, credit.id or 0, "note_id", "Xero refused the card refund's credit note: "))
    return result.xero_id if result.ok else None


def _refund_note(ctx: OrgContext, credit: StripeCredit, note_id: str, intent_id: str) -> None:
    reference = f"Stripe refund {intent_id} {_ours(credit)}"
    model = credit_refund_model(note_id, ctx.settings.stripe_account or "", credit.refunded_on,
                                Decimal(from_minor(credit.amount, credit.currency)), reference)
    retry.write_once(ctx, f"stripe-credit-refund-{credit.id}", functools.partial(_payments, models=[model]),
                     functools.partial(_payments_with_reference, reference=reference), Reply.payments,
                     record=functools.partial(_record, credit.id or 0, "refund_id",
                                              "Xero refused the refund of the credit note: "))


def _record(credit_id: int, field: str, refused: str, session: Session,
            result: TransactionResult | PaymentResult) -> None:
    """Xero's answer to the credit note (field note_id) or its refund (refund_id): its id, or why it refused."""
    if result.ok:
        _set_outcome(session, credit_id, **{field: result.xero_id})
    else:
        _set_outcome(session, credit_id, message=refused + "; ".join(result.messages))


def _ours(credit: StripeCredit) -> str:
    """In the references of a refund's credit note and its refund: a payment refunded in parts has several."""
    return f"MA-CR-{credit.id}"


def _notes(xero: XeroClient, body: dict, key: str) -> Reply:
    return xero.create_credit_notes([body], key)


def _notes_with_reference(xero: XeroClient, reference: str) -> Reply:
    return xero.credit_notes_with_reference(reference)


def _payments_with_reference(xero: XeroClient, reference: str) -> Reply:
    return xero.payments_with_reference([reference])


def _payments(xero: XeroClient, models: list, key: str) -> Reply:
    return xero.create_payments(models, key)


def _set_outcome(session: Session, credit_id: int, note_id: str | None = None, refund_id: str | None = None,
                 message: str | None = None) -> None:
    row = session.get(StripeCredit, credit_id)
    assert row is not None
    row.xero_credit_note_id = note_id or row.xero_credit_note_id
    row.xero_refund_id = refund_id or row.xero_refund_id
    row.sync_message = message


def businesses_with_credits_due() -> list[int]:
    with session_scope() as session:
        return sorted(set(session.exec(
            select(StripeCredit.business_id).join(Invoice, col(Invoice.id) == StripeCredit.invoice_id)
            .where(col(StripeCredit.xero_refund_id).is_(None), col(StripeCredit.sync_message).is_(None),
                   col(Invoice.xero_invoice_id).is_not(None))).all()))

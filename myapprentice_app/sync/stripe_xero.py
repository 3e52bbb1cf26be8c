"""Stripe's side of the Xero cycle: a payment refunded in full (or lost to a dispute) is deleted in Xero, so the
invoice is owed again there too; Stripe's fee is posted as Spend Money on the clearing account; a dispute is
written in the invoice's History and Notes in Xero, each time its status changes."""

from __future__ import annotations

import functools
from collections.abc import Callable

from sqlmodel import Session, col, select

from myapprentice_app.db import session_scope
from myapprentice_app.domain.card_money import from_minor
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.integrations.xero.client import Reply, XeroClient
from myapprentice_app.integrations.xero.errors import OutcomeUnknown, Rejected
from myapprentice_app.integrations.xero.mapping import spend_money
from myapprentice_app.integrations.xero.results import TransactionResult
from myapprentice_app.models import Invoice, Payment, StripeDispute, StripePayment
from myapprentice_app.sync import retry
from myapprentice_app.sync.budget import WaitForXero
from myapprentice_app.sync.context import OrgContext

NO_FEE_ACCOUNT = "Stripe's fee not sent to Xero: choose the Stripe fee account in Business Settings → Xero."
DELETE_REFUSED = "Xero refused to delete it: "
RECONCILED_FIX = ("Xero won't delete this payment because it is reconciled. In Xero, unreconcile it (Accounting → "
                  "Bank accounts → Reconcile → Account transactions → Unreconcile), then sync again.")


def reverse_refunded(ctx: OrgContext) -> None:
    with session_scope() as session:
        due = session.exec(select(Payment).where(Payment.business_id == ctx.business_id,
                                                 col(Payment.xero_reversal_due).is_(True),
                                                 col(Payment.xero_payment_id).is_not(None))).all()
    for payment in due:
        try:
            refused = _reverse(ctx, payment.xero_payment_id or "")
        except WaitForXero:
            return  # the next cycle tries again
        _settle_reversal(payment.id or 0, refused)


def _reverse(ctx: OrgContext, payment_id: str) -> str | None:
    """Delete the payment in Xero; Xero's refusal if it refused. Xero refuses to delete a payment twice, so after
    a lost answer (or when another cycle deleted it first) the payment is looked up, not deleted again."""
    delete = functools.partial(_delete, payment_id=payment_id)
    still_to_delete = functools.partial(_still_to_delete, ctx, delete, payment_id)
    try:
        retry.call(ctx, delete, settle=still_to_delete)
    except Rejected as rejected:
        return None if still_to_delete() is None else rejected.text
    return None


def _delete(xero: XeroClient, payment_id: str) -> Reply:
    return xero.delete_payment(payment_id)


def _still_to_delete(ctx: OrgContext, delete: Callable[[XeroClient], Reply], payment_id: str
                     ) -> Callable[[XeroClient], Reply] | None:
    """The delete to send, or None when Xero has the payment deleted already."""
    try:
        [found] = retry.read(ctx, lambda xero: xero.payment(payment_id)).payments()
    except Rejected:
        return delete  # Xero doesn't know the payment: the delete's own refusal says so
    return None if found.deleted else delete


def _settle_reversal(payment_id: int, refused: str | None) -> None:
    with session_scope() as session:
        row = session.get(Payment, payment_id)
        assert row is not None
        if refused is not None:
            reconciled = "reconciled" in refused.lower()
            row.sync_status = SyncStatus.ERROR
            row.sync_error_message = RECONCILED_FIX if reconciled else DELETE_REFUSED + refused[:500]
            row.xero_reversal_due = False
        else:
            reversed_in_xero(row)
        session.commit()


def reversal_awaited(row: Payment) -> bool:
    """Refunded or disputed here, and its deletion in Xero still to come (or refused there, for the accountant)."""
    message = row.sync_error_message or ""
    return row.xero_reversal_due or message == RECONCILED_FIX or message.startswith(DELETE_REFUSED)


def reversed_in_xero(row: Payment) -> None:
    """A card payment refunded (or disputed) here is deleted in Xero, by this app or by the accountant."""
    row.xero_payment_id, row.xero_reversal_due = None, False
    if row.amount > 0:  # a dispute lost for part of the payment: what is still paid is posted again
        row.sync_status, row.sync_error_message = SyncStatus.NOT_SYNCED, None
    else:
        row.sync_status = SyncStatus.SYNCED
        row.sync_error_message = "Refunded by card: the payment was deleted in Xero."


def post_fees(ctx: OrgContext) -> None:
    with session_scope() as session:
        rows = session.exec(
            select(StripePayment, Payment).join(Payment, col(Payment.id) == StripePayment.payment_id)
            .where(StripePayment.business_id == ctx.business_id, StripePayment.fee > 0,
                   col(StripePayment.xero_fee_transaction_id).is_(None), col(Payment.xero_payment_id).is_not(None)
                   | (Payment.refunded_amount > 0))).all()
        if rows and not (ctx.settings.stripe_fee_account and ctx.settings.stripe_account):
            for card, _ in rows:
                card.fee_sync_message = NO_FEE_ACCOUNT
            session.commit()
            return
    for card, payment in rows:
        reference = f"Stripe fee {card.charge_id or card.payment_intent_id}"
        body = spend_money(ctx.settings.stripe_account or "", payment.paid_on, reference,
                           f"Stripe fee for {card.payment_intent_id}", from_minor(card.fee, card.currency),
                           ctx.settings.stripe_fee_account or "")
        try:
            retry.write_once(ctx, f"stripe-fee-{card.id}", functools.partial(_spend, body=body),
                             functools.partial(_spent_with_reference, reference=reference), Reply.bank_transactions,
                             record=functools.partial(_record_fee, card.id or 0))
        except (WaitForXero, OutcomeUnknown):  # Xero busy, or its answer without the transaction
            return  # the next cycle looks for it, then sends it again
        except Rejected as rejected:
            with session_scope() as session:
                _set_fee(session, card.id or 0, None, f"Xero refused Stripe's fee: {rejected.text[:500]}")
                session.commit()


def _spend(xero: XeroClient, body: dict, key: str) -> Reply:
    return xero.create_bank_transactions([body], key)


def _spent_with_reference(xero: XeroClient, reference: str) -> Reply:
    return xero.bank_transactions_with_reference(reference)


def _record_fee(card_id: int, session: Session, result: TransactionResult) -> None:
    _set_fee(session, card_id, result.xero_id if result.ok else None,
             None if result.ok else "Xero refused Stripe's fee: " + "; ".join(result.messages))


def _set_fee(session: Session, card_id: int, transaction_id: str | None, message: str | None) -> None:
    card = session.get(StripePayment, card_id)
    assert card is not None
    card.xero_fee_transaction_id, card.fee_sync_message = transaction_id, message


def note_disputes(ctx: OrgContext) -> None:
    with session_scope() as session:
        due = session.exec(
            select(StripeDispute, Invoice).join(Invoice, col(Invoice.id) == StripeDispute.invoice_id)
            .where(StripeDispute.business_id == ctx.business_id, col(Invoice.xero_invoice_id).is_not(None),
                   col(StripeDispute.noted_in_xero).is_(None) | (StripeDispute.noted_in_xero != StripeDispute.status))
        ).all()
    for dispute, invoice in due:
        text = dispute_note(dispute)
        try:
            retry.write_again_under_its_key(ctx, functools.partial(
                _note, invoice_id=invoice.xero_invoice_id or "", text=text,
                key=f"stripe-dispute-{dispute.id}-{dispute.status}"))
        except WaitForXero:
            return  # the next cycle writes it (the same key: never twice)
        except Rejected:
            pass  # an invoice Xero won't annotate (deleted there): the app still shows the dispute
        with session_scope() as session:
            row = session.get(StripeDispute, dispute.id)
            assert row is not None
            row.noted_in_xero = dispute.status
            session.commit()


def dispute_note(dispute: StripeDispute) -> str:
    amount = f"{from_minor(dispute.amount, dispute.currency):,.2f} {dispute.currency}"
    what = {"lost": "lost: the payment was taken back and deleted here, so the invoice is owed again",
            "won": "won: Stripe returned the money"}.get(dispute.status, dispute.status.replace("_", " "))
    return (f"Card payment disputed by the cardholder's bank ({dispute.reason.replace('_', ' ')}, {amount}), "
            f"Stripe dispute {dispute.id}: {what}.")[:450]


def _note(xero: XeroClient, invoice_id: str, text: str, key: str) -> Reply:
    return xero.add_history_note(invoice_id, text, key)


def businesses_with_stripe_work() -> list[int]:
    with session_scope() as session:
        reversals = session.exec(select(Payment.business_id).where(col(Payment.xero_reversal_due).is_(True))).all()
        fees = session.exec(select(StripePayment.business_id).where(
            StripePayment.fee > 0, col(StripePayment.xero_fee_transaction_id).is_(None),
            col(StripePayment.fee_sync_message).is_(None))).all()
        disputes = session.exec(
            select(StripeDispute.business_id).join(Invoice, col(Invoice.id) == StripeDispute.invoice_id)
            .where(col(Invoice.xero_invoice_id).is_not(None),
                   col(StripeDispute.noted_in_xero).is_(None) | (StripeDispute.noted_in_xero != StripeDispute.status))
        ).all()
    return sorted(set(reversals) | set(fees) | set(disputes))



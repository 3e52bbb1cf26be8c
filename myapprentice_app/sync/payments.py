"""Payments recorded in the app become payments in Xero, against the account chosen in Xero settings."""

from __future__ import annotations

import re

import sqlalchemy as sa
from sqlmodel import Session, col, select

from myapprentice_app.db import locked_rows, session_scope
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.money import money
from myapprentice_app.domain.sync_states import BatchState
from myapprentice_app.integrations.xero.client import Reply, XeroClient
from myapprentice_app.integrations.xero.errors import RateLimited, Rejected
from myapprentice_app.integrations.xero.mapping import payment_model
from myapprentice_app.integrations.xero.results import PaymentResult, first_by
from myapprentice_app.models import Invoice, Payment, SyncAttempt, XeroBatch
from myapprentice_app.sync import retry
from myapprentice_app.sync.batches import close_batch, items_of, new_batch
from myapprentice_app.sync.context import OrgContext

BATCH = 50
NO_ACCOUNT = "Not sent to Xero: choose the {setting} in Business Settings → Xero."
# A refused payment is not sent again every cycle (Xero would refuse it again): it waits in Error until the Xero
# settings, which may cure it, are saved (services/xero_settings.py).
REFUSED = "Xero refused this payment: {reasons}. It goes again once the Xero settings are saved."
UNCHECKED = ("Xero's answer about this payment was lost, and Xero refused to look it up: {reasons}. Check Xero for "
             "it; saving the Xero settings sends it again.")
_payments = Payment.__table__  # type: ignore[attr-defined]


def reference_for(payment: Payment) -> str:
    """Deterministic, so a payment whose outcome is unknown can be found again in Xero."""
    # Without trailing spaces (a cut can leave one), as Xero's answers echo it.
    return (f"MA-PAY-{payment.id}" + (f" {payment.reference}" if payment.reference else "")[:200]).rstrip()


OUR_REFERENCE = re.compile(r"MA-PAY-(\d+)(?: |$)")  # a reference_for: which of our payments it is


def sync_payments(ctx: OrgContext) -> None:
    ready = _ready_payments(ctx)
    for start in range(0, len(ready), BATCH):
        _send(ctx, ready[start:start + BATCH])


def _ready_payments(ctx: OrgContext) -> list[tuple[Payment, Invoice, str]]:
    ready = []
    with session_scope() as session:
        rows = session.exec(
            select(Payment, Invoice).join(Invoice, col(Invoice.id) == Payment.invoice_id)
            .where(Payment.business_id == ctx.business_id,
                   col(Payment.sync_status).not_in((SyncStatus.SYNCED, SyncStatus.PENDING, SyncStatus.ERROR)),
                   col(Payment.xero_payment_id).is_(None), Payment.source != "xero",
                   Payment.amount > 0)
        ).all()
        for payment, invoice in rows:
            stripe = payment.source == "stripe"
            account = ctx.settings.stripe_account if stripe else ctx.settings.payment_account
            if not account:
                message = NO_ACCOUNT.format(
                    setting="Stripe payment account" if stripe else "Payment account for manual payments")
                if payment.sync_error_message != message:  # once in the history, not every cycle
                    _note(session, ctx, payment, invoice, "error", message)
                payment.sync_status, payment.sync_error_message = SyncStatus.NOT_SYNCED, message
                continue
            if not invoice.xero_invoice_id or invoice.sync_status != SyncStatus.SYNCED:
                payment.sync_error_message = "Waiting for the invoice to be synced to Xero first."
                continue
            ready.append((payment, invoice, account))
        session.commit()
    return ready


def _send(ctx: OrgContext, chunk: list[tuple[Payment, Invoice, str]]) -> None:
    batch, remaining = _claim(ctx, chunk)
    if batch is None:
        return

    def attempt(xero: XeroClient) -> Reply:
        models = [payment_model(invoice.xero_invoice_id or "", account, payment.paid_on, payment.amount,
                                reference_for(payment)) for payment, invoice, account in remaining]
        return xero.create_payments(models, batch.idempotency_key)

    try:
        reply = retry.call(ctx, attempt)
    except Rejected as rejected:
        unanswered = _record_rejection(ctx, remaining, rejected, batch.idempotency_key)
    except RateLimited as later:
        if later.problem != "unavailable":  # refused with a 429, not processed: the next cycle sends it
            with ctx.writing() as session:
                close_batch(batch, BatchState.UNSENT, session)
                _release(session, remaining)
        raise
    else:
        assert reply is not None
        unanswered = _record(ctx, remaining, reply.payments(), batch.idempotency_key)
    if unanswered:
        _look_up(ctx, unanswered, batch)
    else:
        close_batch(batch, BatchState.DONE)


def _claim(ctx: OrgContext, chunk: list[tuple[Payment, Invoice, str]]
           ) -> tuple[XeroBatch | None, list[tuple[Payment, Invoice, str]]]:
    """Mark the payments Pending for this run and store their batch, in one fenced transaction. Two runs of a
    business may sync payments at the same moment (a card webhook's and a Sync All, say): a payment the other
    claimed first is left to it, so Xero gets it once. Returns the batch (None when nothing was won) and the
    payments won."""
    with ctx.writing() as session:
        won = set(session.execute(
            sa.update(_payments).where(_payments.c.id.in_([payment.id for payment, _, _ in chunk]),
                                       _payments.c.sync_status != SyncStatus.PENDING,
                                       _payments.c.xero_payment_id.is_(None))
            .values(sync_status=SyncStatus.PENDING).returning(_payments.c.id)).scalars())
        chunk = [item for item in chunk if item[0].id in won]
        if not chunk:
            return None, []
        batch = new_batch(ctx, "payments", [(payment_id, 0) for payment_id in sorted(won)])
        session.add(batch)
    return batch, chunk


def _release(session: Session, chunk: list[tuple[Payment, Invoice, str]]) -> None:
    """Pending payments that were not sent: Not synced again, for the next cycle."""
    session.execute(sa.update(_payments).where(_payments.c.id.in_([payment.id for payment, _, _ in chunk]),
                                               _payments.c.sync_status == SyncStatus.PENDING)
                    .values(sync_status=SyncStatus.NOT_SYNCED))


def recover(ctx: OrgContext, batch: XeroBatch) -> None:
    """A payments batch whose run stopped before Xero answered: the payments Xero has (found by their reference)
    are linked; the rest are Not synced again, for the next cycle to send."""
    with session_scope() as session:
        chunk = [(payment, invoice, "") for payment, invoice in session.exec(
            select(Payment, Invoice).join(Invoice, col(Invoice.id) == Payment.invoice_id)
            .where(col(Payment.id).in_([local_id for local_id, _ in items_of(batch)]),
                   Payment.sync_status == SyncStatus.PENDING)).all()]
    _look_up(ctx, chunk, batch)


def _look_up(ctx: OrgContext, chunk: list[tuple[Payment, Invoice, str]], batch: XeroBatch) -> None:
    """The payments Xero has (found by their reference) are linked; the rest are Not synced again, for the next
    cycle to send. A look-up Xero refuses puts them in Error instead: left `sending`, the batch would stop every
    later run of the business at the same refusal."""
    try:
        left = _unsent(ctx, chunk) if chunk else []
    except Rejected as refused:
        with ctx.writing() as session:
            _lock_invoices(session, chunk)
            for payment, invoice, _ in chunk:
                _in_error(session, ctx, payment, invoice, UNCHECKED.format(reasons=refused.text[:500]),
                          batch.idempotency_key, refused.text[:1000])
            close_batch(batch, BatchState.ABANDONED, session)
        return
    with ctx.writing() as session:
        _release(session, left)
        close_batch(batch, BatchState.RECONCILED, session)


def _unsent(ctx: OrgContext, chunk: list[tuple[Payment, Invoice, str]]) -> list[tuple[Payment, Invoice, str]]:
    """Find, by their reference, the payments Xero already has; the rest are sent again."""
    references = [reference_for(payment) for payment, _, _ in chunk]
    found = {result.reference: result for result in
             retry.read(ctx, lambda xero: xero.payments_with_reference(references)).payments() if not result.deleted}
    left = []
    with ctx.writing() as session:
        _lock_invoices(session, chunk)
        for payment, invoice, account in chunk:
            result = found.get(reference_for(payment))
            if result is None:
                left.append((payment, invoice, account))
                continue
            row = session.get(Payment, payment.id)
            assert row is not None
            _linked(row, payment, result.xero_id)
            _note(session, ctx, row, invoice, "synced", "found in Xero by its reference (the first answer was lost)",
                  answer=result.brief)
    return left


def _record(ctx: OrgContext, chunk: list[tuple[Payment, Invoice, str]], answers: list[PaymentResult],
            key: str) -> list[tuple[Payment, Invoice, str]]:
    """Each payment's answer, found by its reference (not by its place in the answer). Returns the payments
    the answer doesn't mention, to be looked up."""
    by_reference = first_by(answers, lambda element: element.reference or "")
    unanswered = []
    with ctx.writing() as session:
        _lock_invoices(session, chunk)
        for payment, invoice, account in chunk:
            result = by_reference.get(reference_for(payment))
            if result is None:
                unanswered.append((payment, invoice, account))
                continue
            if result.ok:
                row = session.get(Payment, payment.id)
                assert row is not None
                _linked(row, payment, result.xero_id)
                _note(session, ctx, row, invoice, "synced", "created in Xero", key, result.brief)
            else:
                _in_error(session, ctx, payment, invoice, REFUSED.format(reasons="; ".join(result.messages)), key,
                          result.brief)
    return unanswered


def _linked(row: Payment, sent: Payment, xero_payment_id: str | None) -> None:
    """Xero holds the payment as it was sent. A card refund that landed meanwhile changed it here, and found no
    Xero payment to undo then: the one Xero now has is to be deleted (and what is still paid posted again)."""
    row.xero_payment_id, row.sync_status, row.sync_error_message = xero_payment_id, SyncStatus.SYNCED, None
    if row.amount != sent.amount:
        row.xero_reversal_due = True


def _lock_invoices(session: Session, chunk: list[tuple[Payment, Invoice, str]]) -> None:
    """A card refund or dispute changes a payment under its invoice's lock (see stripe_payments): taking the same
    locks before reading the payments means Xero's answer is compared with the payment as it is, not as it was
    before a refund that landed meanwhile."""
    locked_rows(session, Invoice, [invoice.id for _, invoice, _ in chunk])


def _record_rejection(ctx: OrgContext, chunk: list[tuple[Payment, Invoice, str]], rejected: Rejected,
                      key: str) -> list[tuple[Payment, Invoice, str]]:
    """A 400: the payments it names (by reference) are in Error with their own reasons, and the others are
    returned to be looked up (Xero may have made them); one naming none is about the whole request."""
    own = rejected.messages_by("Reference")
    unanswered = []
    with ctx.writing() as session:
        _lock_invoices(session, chunk)
        for payment, invoice, account in chunk:
            messages = own.get(reference_for(payment)) if own else [rejected.text[:1000]]
            if messages is None:
                unanswered.append((payment, invoice, account))
                continue
            _in_error(session, ctx, payment, invoice, REFUSED.format(reasons="; ".join(messages)), key,
                      rejected.text[:1000])
    return unanswered


def _in_error(session: Session, ctx: OrgContext, payment: Payment, invoice: Invoice, message: str, key: str,
              answer: str) -> None:
    row = session.get(Payment, payment.id)
    assert row is not None
    row.sync_status, row.sync_error_message = SyncStatus.ERROR, message
    _note(session, ctx, row, invoice, "error", message, key, answer)


def _note(session: Session, ctx: OrgContext, payment: Payment, invoice: Invoice, outcome: str, what: str,
          key: str | None = None, answer: str | None = None) -> None:
    """The payment's sync in its invoice's history, beside the invoice's own attempts."""
    session.add(SyncAttempt(
        business_id=ctx.business_id, invoice_id=invoice.id or 0, run_id=ctx.run_id, user_id=ctx.user_id,
        action="payment", outcome=outcome, idempotency_key=key,
        sent=f"Payment of {money(payment.amount, invoice.currency)} on {payment.paid_on:%d %b %Y}: {what}",
        answer=answer))

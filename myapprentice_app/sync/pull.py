"""Sync All: a read-only pull of what changed in Xero since last time (If-Modified-Since)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlmodel import Session, col, select

from myapprentice_app.db import locked_rows, session_scope, utcnow
from myapprentice_app.domain.invoice_status import InvoiceStatus, SyncStatus, status_after_payment, status_after_refund
from myapprentice_app.domain.money import money
from myapprentice_app.integrations.xero.client import Reply
from myapprentice_app.integrations.xero.results import InvoiceResult, PaymentResult
from myapprentice_app.models import Invoice, Payment, SyncAttempt, XeroConnection
from myapprentice_app.sync.cache import all_pages, remember_invoice
from myapprentice_app.sync.context import OrgContext
from myapprentice_app.sync.payments import OUR_REFERENCE
from myapprentice_app.sync.stripe_xero import reversal_awaited, reversed_in_xero

# Xero's UpdatedDateUTC has second precision and our clocks differ: overlap the windows, the work is idempotent.
OVERLAP = dt.timedelta(minutes=2)
DELETED_THERE = "Deleted in Xero; still recorded here."


def pull(ctx: OrgContext) -> None:
    started = utcnow()
    with session_scope() as session:
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == ctx.business_id)).one()
        since = connection.last_pulled_at - OVERLAP if connection.last_pulled_at else None
    payments = all_pages(ctx, lambda xero, page: xero.payments_changed_since(since, page), Reply.payments)
    invoices = all_pages(ctx, lambda xero, page: xero.invoices_changed_since(since, page), Reply.invoices)
    with session_scope() as session:
        linked = {invoice.xero_invoice_id: invoice for invoice in session.exec(
            select(Invoice).where(Invoice.business_id == ctx.business_id, col(Invoice.xero_invoice_id).is_not(None)))}
        # A payment recorded here meanwhile (by hand, by card) is added to, not lost: see db.locked
        locked_rows(session, Invoice, [linked[p.invoice_id].id for p in payments if p.invoice_id in linked])
        for in_xero in payments:
            _take_payment(session, ctx, linked, in_xero)
        for found in invoices:
            remember_invoice(session, ctx.business_id, found)
            if (invoice := linked.get(found.xero_id)) is not None:
                _flag_drift(session, ctx, invoice, found)
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == ctx.business_id)).one()
        connection.last_pulled_at = started
        session.commit()


def _take_payment(session: Session, ctx: OrgContext, linked: dict, in_xero: PaymentResult) -> None:
    invoice = linked.get(in_xero.invoice_id)
    if invoice is None or not in_xero.xero_id:
        return
    known = session.exec(select(Payment).where(Payment.business_id == ctx.business_id,
                                               Payment.xero_payment_id == in_xero.xero_id)).first()
    if in_xero.deleted and known is not None:
        _deleted_in_xero(session, ctx, invoice, known)
    if not in_xero.authorised or known is not None or _sent_from_here(session, ctx.business_id, in_xero.reference):
        return
    amount = in_xero.amount.quantize(Decimal("0.01"))
    if amount > invoice.amount_due or invoice.status in (InvoiceStatus.DRAFT, InvoiceStatus.VOIDED):
        invoice.xero_drift = f"Xero has a payment of {amount:,.2f} this invoice can't take here."
        return
    session.add(Payment(business_id=ctx.business_id, invoice_id=invoice.id or 0, amount=amount,
                        paid_on=in_xero.paid_on or dt.date.today(), method="xero", reference=in_xero.reference,
                        source="xero", xero_payment_id=in_xero.xero_id, sync_status=SyncStatus.SYNCED))
    invoice.amount_paid += amount
    invoice.status = status_after_payment(invoice.total, invoice.amount_paid).value
    invoice.updated_at = utcnow()
    session.add(SyncAttempt(business_id=ctx.business_id, invoice_id=invoice.id or 0, run_id=ctx.run_id,
                            user_id=ctx.user_id, action="pull", outcome="synced",
                            answer=f"Payment of {amount:,.2f} made in Xero recorded here."))


def _deleted_in_xero(session: Session, ctx: OrgContext, invoice: Invoice, payment: Payment) -> None:
    """A payment deleted in Xero: one that came from Xero goes here too (the invoice is owed again); one recorded
    here stays, and the invoice says Xero no longer has it (the app never re-creates what the accountant
    deleted). A payment this app deleted there (a card refund) no longer carries Xero's id, so it isn't seen;
    one refunded here that Xero refused to let us delete (reconciled there), deleted by the accountant, is done."""
    if payment.sync_error_message == DELETED_THERE:
        return  # seen on an earlier pull (the windows overlap)
    if reversal_awaited(payment):
        reversed_in_xero(payment)  # refunded by card here: deleting it there was due (Xero had refused us)
        return
    amount = money(payment.amount, invoice.currency)
    if payment.source == "xero":
        invoice.amount_paid = max(invoice.amount_paid - payment.amount, Decimal(0))
        invoice.status = status_after_refund(invoice.total, invoice.amount_paid, invoice.sent_at is not None).value
        invoice.updated_at = utcnow()
        session.delete(payment)
        what, outcome = f"Payment of {amount} deleted in Xero: removed here too.", "synced"
    else:
        what, outcome = (f"Xero no longer has the payment of {amount} recorded here on {payment.paid_on:%d %b %Y} "
                         "(deleted there); it is still recorded here."), "error"
        payment.sync_status, payment.sync_error_message = SyncStatus.ERROR, DELETED_THERE  # never sent again
        invoice.xero_drift = what
    session.add(SyncAttempt(business_id=ctx.business_id, invoice_id=invoice.id or 0, run_id=ctx.run_id,
                            user_id=ctx.user_id, action="pull", outcome=outcome, answer=what))


def _sent_from_here(session: Session, business_id: int, reference: str | None) -> bool:
    """A payment this app sent (its reference names one of ours, see payments.reference_for) whose answer is not
    recorded yet: another run is sending it, or will find it by that reference. Taken as Xero's own, it would be
    counted twice."""
    ours = OUR_REFERENCE.match(reference or "")
    payment = session.get(Payment, int(ours[1])) if ours else None
    return payment is not None and payment.business_id == business_id


def _flag_drift(session: Session, ctx: OrgContext, invoice: Invoice, found: InvoiceResult) -> None:
    status, total = found.status, found.total
    drift = None
    if status in ("VOIDED", "DELETED") and invoice.status != InvoiceStatus.VOIDED:
        drift = f"{status.capitalize()} in Xero; still {InvoiceStatus(invoice.status).label.lower()} here."
    elif total != invoice.total and invoice.sync_status == SyncStatus.SYNCED:
        drift = f"Changed in Xero: total there is {total:,.2f}, here {invoice.total:,.2f}."
    if drift and drift != invoice.xero_drift:
        invoice.xero_drift = drift
        session.add(SyncAttempt(business_id=ctx.business_id, invoice_id=invoice.id or 0, run_id=ctx.run_id,
                                user_id=ctx.user_id, action="pull", outcome="error", answer=drift))


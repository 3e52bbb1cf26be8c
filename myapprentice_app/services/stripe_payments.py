"""A card payment's effect on its invoice, from the PaymentIntent (and any dispute) as Stripe has it now.

Idempotent: the first look at a PaymentIntent records the payment (method Stripe); later looks only apply
what changed since (a refund's delta, the fee, a dispute's new status). So `checkout.session.completed`,
`payment_intent.succeeded`, `charge.refunded` and `charge.dispute.*`, in any order and any number of times,
end in the same state.

A refund of the whole payment at once undoes it: the invoice is owed again (and the payment is deleted in
Xero). A part refund is a credit to the client: the invoice stays settled, and Xero gets a credit note
refunded from the Stripe account (stripe-notes §5 row 10). A dispute is recorded and shown; a lost one takes
the payment back like a full refund.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from myapprentice_app.db import locked, utcnow
from myapprentice_app.domain.card_money import from_minor, to_minor
from myapprentice_app.domain.invoice_status import InvoiceStatus, status_after_payment, status_after_refund
from myapprentice_app.domain.money import money
from myapprentice_app.domain.whole_numbers import whole_number
from myapprentice_app.models import Invoice, Payment, StripeAccount, StripeCredit, StripeDispute, StripePayment
from myapprentice_app.services import audit


def settle(session: Session, account: StripeAccount, intent: dict[str, Any]) -> str | None:
    """Bring the invoice in line with the PaymentIntent; returns a problem for the Owner/Admin, if any."""
    if intent.get("status") != "succeeded":
        return None
    metadata = intent.get("metadata") or {}
    raw_id = str(metadata.get("invoice_id") or "")
    invoice_id = whole_number(raw_id)
    invoice = locked(session, Invoice, invoice_id) if invoice_id is not None else None  # see db.locked
    if invoice is None or invoice.business_id != account.business_id:
        return (f"Payment {intent['id']} names no invoice of this business (invoice_id={raw_id or 'missing'}); "
                "nothing was recorded. Check it in Stripe and refund it if it isn't yours.")
    currency = str(intent.get("currency") or "").upper()
    if currency != invoice.currency.upper():
        return (f"Payment {intent['id']} was taken in {currency} but invoice {invoice.number} is in "
                f"{invoice.currency}; it was not recorded. Record it by hand or refund it from Stripe.")
    charge = intent.get("latest_charge") if isinstance(intent.get("latest_charge"), dict) else {}
    assert isinstance(charge, dict)
    balance = charge.get("balance_transaction") if isinstance(charge.get("balance_transaction"), dict) else {}
    assert isinstance(balance, dict)
    row = session.exec(select(StripePayment).where(StripePayment.payment_intent_id == intent["id"])).first()
    problem = None
    if row is None:
        row = StripePayment(business_id=invoice.business_id, invoice_id=invoice.id or 0,
                            payment_intent_id=str(intent["id"]), currency=currency)
        session.add(row)
        problem = _record_payment(session, row, invoice, intent, charge)
    row.charge_id = charge.get("id") or row.charge_id
    row.fee = int(balance.get("fee") or row.fee)
    _apply_refunds(session, row, invoice, int(charge.get("amount_refunded") or 0))
    return problem


def record_dispute(session: Session, dispute: dict[str, Any]) -> tuple[str, bool]:
    """Keep the dispute as Stripe has it; returns what to tell the Owner/Admin, and whether it is news."""
    intent_id = str(dispute.get("payment_intent") or "")
    card = session.exec(select(StripePayment).where(StripePayment.payment_intent_id == intent_id)).first()
    invoice = locked(session, Invoice, card.invoice_id) if card is not None else None
    if card is None or invoice is None:
        return (f"Dispute {dispute['id']} is about a card payment ({intent_id or 'unknown'}) that no invoice here "
                "received; nothing was recorded. See it in your Stripe Dashboard."), True
    row = session.get(StripeDispute, dispute["id"])
    news = row is None or row.status != dispute["status"]
    if row is None:
        row = StripeDispute(id=dispute["id"], business_id=card.business_id, invoice_id=card.invoice_id,
                            stripe_payment_id=card.id or 0, amount=0, currency="", reason="", status="")
        session.add(row)
    due_by = (dispute.get("evidence_details") or {}).get("due_by")
    row.amount, row.currency = int(dispute.get("amount") or 0), str(dispute.get("currency") or "").upper()
    row.reason, row.status = str(dispute.get("reason") or "general"), str(dispute["status"])
    row.respond_by = dt.datetime.fromtimestamp(int(due_by), dt.UTC) if due_by else None
    if row.status == "lost" and not row.reversed:
        payment = session.get(Payment, card.payment_id) if card.payment_id else None
        if payment is not None:
            _take_back(session, payment, invoice, min(from_minor(row.amount, invoice.currency), payment.amount))
        row.reversed = True
    if news:
        audit.record(session, None, invoice.business_id, "invoice.stripe_dispute", target=invoice.number,
                     detail=f"{row.status} ({row.reason}) {dispute['id']}")
    return dispute_message(row, invoice.number), news


def dispute_message(row: StripeDispute, number: str) -> str:
    amount = money(from_minor(row.amount, row.currency), row.currency)
    reason = row.reason.replace("_", " ")
    if row.status == "lost":
        return (f"Invoice {number}: the dispute of its card payment ({amount}, {reason}) was lost. The payment was "
                "taken back, so the invoice is owed again.")
    if row.status == "won":
        return f"Invoice {number}: the dispute of its card payment ({amount}) was won; Stripe returned the money."
    if row.status.startswith("warning"):
        closed = row.status == "warning_closed"
        return (f"Invoice {number}: the cardholder's bank {'closed its' if closed else 'made an'} inquiry about the "
                f"card payment ({amount}, {reason}). {'' if closed else 'Answer it in your Stripe Dashboard.'}").strip()
    due = f" by {row.respond_by:%d %b %Y}" if row.respond_by else ""
    return (f"Invoice {number}: the card payment ({amount}) is disputed by the cardholder's bank ({reason}). "
            f"Stripe has taken the amount and a dispute fee from your balance; respond in your Stripe "
            f"Dashboard{due} to win it back.")


def _record_payment(session: Session, row: StripePayment, invoice: Invoice, intent: dict[str, Any],
                    charge: dict[str, Any]) -> str | None:
    received = int(intent.get("amount_received") or intent.get("amount") or 0)
    row.amount_received = received
    taken = from_minor(received, invoice.currency)
    due = invoice.amount_due
    if invoice.status == InvoiceStatus.VOIDED or due <= 0:
        return (f"{money(taken, invoice.currency)} was paid by card ({intent['id']}) for invoice {invoice.number}, "
                "which is already paid or voided. Refund it from your Stripe Dashboard.")
    applied = min(taken, due)
    row.overpaid = received - to_minor(applied, invoice.currency)
    created = charge.get("created") or intent.get("created")
    paid_on = dt.datetime.fromtimestamp(int(created), dt.UTC).date() if created else utcnow().date()
    payment = Payment(business_id=invoice.business_id, invoice_id=invoice.id or 0, amount=applied, paid_on=paid_on,
                      method="stripe", source="stripe", reference=str(intent["id"]))
    session.add(payment)
    session.flush()
    row.payment_id = payment.id
    invoice.amount_paid += applied
    invoice.status = status_after_payment(invoice.total, invoice.amount_paid)
    invoice.updated_at = utcnow()
    audit.record(session, None, invoice.business_id, "invoice.stripe_payment", target=invoice.number,
                 detail=f"{applied:,.2f} by card ({intent['id']})")
    if taken > due:
        return (f"{money(taken, invoice.currency)} was paid by card for invoice {invoice.number} but only "
                f"{money(due, invoice.currency)} was owing; {money(taken - due, invoice.currency)} is recorded "
                "nowhere. Refund the difference from your Stripe Dashboard.")
    return None


def _apply_refunds(session: Session, row: StripePayment, invoice: Invoice, refunded_total: int) -> None:
    """`amount_refunded` is cumulative: only the part not seen before is applied. What was paid beyond what was
    owing is recorded nowhere (see `_record_payment`), so a refund gives that back first: only the rest undoes
    the payment or credits the client."""
    before = row.amount_refunded
    if refunded_total <= before:
        return
    row.amount_refunded = refunded_total
    payment = session.get(Payment, row.payment_id) if row.payment_id else None
    if payment is None:
        return
    delta = max(refunded_total - row.overpaid, 0) - max(before - row.overpaid, 0)
    if delta <= 0:
        audit.record(session, None, invoice.business_id, "invoice.stripe_refund", target=invoice.number,
                     detail=f"{from_minor(refunded_total - before, invoice.currency):,.2f} of the card overpayment "
                            f"refunded ({row.payment_intent_id}); the invoice stays as it was")
        return
    whole_at_once = before <= row.overpaid and refunded_total >= row.amount_received
    if whole_at_once:
        back = min(from_minor(delta, invoice.currency), payment.amount)
        _take_back(session, payment, invoice, back)
        detail = f"{back:,.2f} refunded by card ({row.payment_intent_id}); the invoice is owed again"
    else:
        back = min(from_minor(delta, invoice.currency), payment.amount - payment.refunded_amount)
        payment.refunded_amount += back
        session.add(StripeCredit(business_id=row.business_id, invoice_id=row.invoice_id, stripe_payment_id=row.id or 0,
                                 amount=delta, currency=row.currency, refunded_on=utcnow().date()))
        detail = f"{back:,.2f} refunded by card ({row.payment_intent_id}) as a credit to the client"
    audit.record(session, None, invoice.business_id, "invoice.stripe_refund", target=invoice.number, detail=detail)


def _take_back(session: Session, payment: Payment, invoice: Invoice, back: Decimal) -> None:
    """The payment (or part of it) is undone: the invoice is owed that much again, in the app and in Xero."""
    payment.amount -= back
    payment.refunded_amount += back
    if payment.xero_payment_id:
        payment.xero_reversal_due = True
    invoice.amount_paid = max(invoice.amount_paid - back, Decimal(0))
    invoice.status = status_after_refund(invoice.total, invoice.amount_paid, invoice.sent_at is not None)
    invoice.updated_at = utcnow()

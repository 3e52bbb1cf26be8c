"""A card payment's effect on its invoice, from the PaymentIntent as Stripe has it now.

Idempotent: the first look at a PaymentIntent records the payment (method Stripe); later looks only apply
what changed since (a refund's delta, the fee). So `checkout.session.completed`, `payment_intent.succeeded`
and `charge.refunded`, in any order and any number of times, end in the same state.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from sqlmodel import Session, select

from myapprentice_app.db import utcnow
from myapprentice_app.domain.card_money import from_minor
from myapprentice_app.domain.invoice_status import InvoiceStatus, status_after_payment, status_after_refund
from myapprentice_app.domain.money import money
from myapprentice_app.models import Invoice, Payment, StripeAccount, StripePayment
from myapprentice_app.services import audit


def settle(session: Session, account: StripeAccount, intent: dict[str, Any]) -> str | None:
    """Bring the invoice in line with the PaymentIntent; returns a problem for the Owner/Admin, if any."""
    if intent.get("status") != "succeeded":
        return None
    metadata = intent.get("metadata") or {}
    raw_id = str(metadata.get("invoice_id") or "")
    invoice = session.get(Invoice, int(raw_id)) if raw_id.isdigit() else None
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
    """`amount_refunded` is cumulative: only the part not seen before is applied."""
    delta = refunded_total - row.amount_refunded
    if delta <= 0:
        return
    row.amount_refunded = refunded_total
    payment = session.get(Payment, row.payment_id) if row.payment_id else None
    if payment is None:
        return
    back = min(from_minor(delta, invoice.currency), payment.amount)
    payment.amount -= back
    payment.refunded_amount += back
    if payment.xero_payment_id:
        payment.xero_reversal_due = True
    invoice.amount_paid = max(invoice.amount_paid - back, Decimal(0))
    invoice.status = status_after_refund(invoice.total, invoice.amount_paid, invoice.sent_at is not None)
    invoice.updated_at = utcnow()
    audit.record(session, None, invoice.business_id, "invoice.stripe_refund", target=invoice.number,
                 detail=f"{back:,.2f} refunded by card ({row.payment_intent_id})")

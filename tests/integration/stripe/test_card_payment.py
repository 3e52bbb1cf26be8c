"""A client pays a sent invoice by card: the signed webhook marks it Paid, and the payment and Stripe's fee
reach Xero."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from myapprentice_app.models import Payment, StripePayment
from tests.support.waiting import wait_until

from .conftest import checkout_id, invoice_reaches, sent_invoice


def test_paying_with_a_good_card_marks_the_invoice_paid_with_a_stripe_payment(session, stripe_connected,
                                                                               stripe_admin):
    invoice = sent_invoice(session, stripe_connected)

    outcome = stripe_admin.pay(checkout_id(session, invoice))

    assert outcome["status"] == "succeeded"
    paid = invoice_reaches(session, invoice.id, "paid")
    [payment] = session.exec(select(Payment)).all()
    assert payment.method == "stripe" and payment.amount == paid.total
    [card] = session.exec(select(StripePayment)).all()
    assert card.fee > 0


def test_the_payment_and_the_fee_reach_xero(session, stripe_connected, stripe_admin, admin, tenant):
    invoice = sent_invoice(session, stripe_connected)
    stripe_admin.pay(checkout_id(session, invoice))
    invoice_reaches(session, invoice.id, "paid")

    [in_xero] = wait_until(lambda: admin.stored(tenant, "payments"), seconds=10, waiting_for="the payment in Xero")
    assert Decimal(str(in_xero["Amount"])) == invoice.total and in_xero["Account"]["Code"] == "615"

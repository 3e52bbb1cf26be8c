"""A client pays a sent invoice by card: the signed webhook marks it Paid, and the payment and Stripe's fee
reach Xero."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from myapprentice_app.jobs import tasks
from myapprentice_app.models import Payment, StripePayment, XeroSettings
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


def spent(admin, tenant: str) -> list[dict]:
    return admin.get(f"organisations/{tenant}/banktransactions")["BankTransactions"]


def test_stripes_fee_is_spend_money_from_the_stripe_account_to_the_fee_account(session, stripe_connected,
                                                                               stripe_admin, admin, tenant):
    settings = session.get(XeroSettings, stripe_connected.business_id)
    settings.stripe_account, settings.stripe_fee_account = "091", "429"
    session.commit()
    invoice = sent_invoice(session, stripe_connected)
    stripe_admin.pay(checkout_id(session, invoice))
    invoice_reaches(session, invoice.id, "paid")

    [spend] = wait_until(lambda: spent(admin, tenant), seconds=10, waiting_for="the fee")
    card = session.exec(select(StripePayment)).one()
    assert spend["Type"] == "SPEND" and spend["BankAccount"]["Code"] == "091"
    assert Decimal(str(spend["Total"])) == Decimal(card.fee) / 100
    assert spend["LineItems"][0]["AccountCode"] == "429" and spend["Contact"]["Name"] == "Stripe"


def test_without_a_fee_account_the_fee_waits_with_a_message_naming_the_setting(session, stripe_connected,
                                                                               stripe_admin, admin, tenant):
    invoice = sent_invoice(session, stripe_connected)
    stripe_admin.pay(checkout_id(session, invoice))
    invoice_reaches(session, invoice.id, "paid")
    wait_until(lambda: admin.stored(tenant, "payments"), seconds=10, waiting_for="the payment in Xero")

    tasks.recover()

    def fee_message() -> str | None:  # the webhook's own run may still be finishing its cycle
        session.expire_all()
        return session.exec(select(StripePayment)).one().fee_sync_message

    assert wait_until(fee_message, seconds=10, waiting_for="the fee's message") == (
        "Stripe's fee not sent to Xero: choose the Stripe fee account in Business Settings → Xero.")
    assert spent(admin, tenant) == []

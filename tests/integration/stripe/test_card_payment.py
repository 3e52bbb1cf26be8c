"""A client pays a sent invoice by card: the signed webhook marks it Paid, and the payment and Stripe's fee
reach Xero."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from sqlmodel import Session, select

from myapprentice_app.db import get_engine
from myapprentice_app.domain.roles import Role
from myapprentice_app.integrations.stripe.client import VerifiedEvent
from myapprentice_app.jobs import tasks
from myapprentice_app.models import Invoice, Payment, StripePayment, XeroSettings
from myapprentice_app.selectors.invoice_detail import invoice_detail
from myapprentice_app.services import invoice_delivery, invoices, stripe_webhooks, xero_sync
from tests.support.waiting import wait_until

from .conftest import checkout_id, invoice_reaches, make_invoices, sent_invoice


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


def test_a_card_payment_on_an_invoice_pushed_before_it_was_emailed_reaches_xero_with_no_other_push(
        session, stripe_connected, stripe_admin, admin, tenant):
    [invoice_id] = make_invoices(session, stripe_connected.business_id, 1, clients=1, prefix="E-")
    xero_sync.push_invoice(session, stripe_connected, invoice_id)  # in Xero as it was before it was emailed
    invoice_delivery.send_to_client(session, stripe_connected, invoice_id,
                                    invoice_delivery.draft_email(session, stripe_connected, invoice_id))
    invoice = session.get(Invoice, invoice_id)
    stripe_admin.pay(checkout_id(session, invoice))
    invoice_reaches(session, invoice_id, "paid")

    [in_xero] = wait_until(lambda: admin.stored(tenant, "payments"), seconds=10, waiting_for="the payment in Xero")
    session.expire_all()
    invoice = session.get(Invoice, invoice_id)
    assert in_xero["Invoice"]["InvoiceID"] == invoice.xero_invoice_id
    assert Decimal(str(in_xero["Amount"])) == invoice.total
    [emailed] = [x for x in admin.stored(tenant, "invoices") if x["InvoiceID"] == invoice.xero_invoice_id]
    assert emailed["SentToContact"] is True and emailed["Status"] == "PAID"


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


def test_without_a_fee_account_the_fee_waits_and_the_invoice_names_the_setting_to_whoever_may_choose_it(
        session, stripe_connected, stripe_admin, admin, tenant, make_actor):
    invoice = sent_invoice(session, stripe_connected)
    stripe_admin.pay(checkout_id(session, invoice))
    invoice_reaches(session, invoice.id, "paid")
    wait_until(lambda: admin.stored(tenant, "payments"), seconds=10, waiting_for="the payment in Xero")

    tasks.recover()

    def notices() -> list[str]:  # the webhook's own run may still be finishing its cycle
        session.expire_all()
        return invoice_detail(session, stripe_connected, invoice.id).card_notices

    assert wait_until(notices, seconds=10, waiting_for="the fee's notice") == [
        f"Invoice {invoice.number}: Stripe's fee not sent to Xero: choose the Stripe fee account in Business "
        "Settings → Xero."]
    assert spent(admin, tenant) == []
    assert invoice_detail(session, make_actor(Role.FINANCE), invoice.id).card_notices == notices()
    assert invoice_detail(session, make_actor(Role.SUPERVISOR), invoice.id).card_notices == []


def test_while_a_card_webhook_waits_on_stripe_everyone_else_can_still_save(session, stripe_connected, stripe_admin):
    paid, other = sent_invoice(session, stripe_connected, pushed=False), sent_invoice(session, stripe_connected,
                                                                                     pushed=False)
    stripe_admin.post("config", {"hold_deliveries": True})  # the webhook is handled below, when the test says
    stripe_admin.pay(checkout_id(session, paid))
    [succeeded] = [e for e in stripe_admin.objects("event") if e["type"] == "payment_intent.succeeded"]
    event = VerifiedEvent(id=succeeded["id"], type=succeeded["type"], account=succeeded.get("account"),
                          created=succeeded["created"], livemode=succeeded["livemode"],
                          object=succeeded["data"]["object"])
    stripe_admin.post("config", {"latency_ms": 2000})  # Stripe takes two seconds to say what the payment is now

    with ThreadPoolExecutor(max_workers=1) as webhook:
        handled = webhook.submit(lambda: receive_in_own_session(event))
        time.sleep(0.5)  # the webhook is waiting on Stripe
        started = time.monotonic()
        invoices.record_payment(session, stripe_connected, other.id, amount="10.00", paid_on=dt.date.today(),
                                method="cash")  # someone records a payment meanwhile
        saved_after = time.monotonic() - started
        assert handled.result(timeout=30) == stripe_connected.business_id
    stripe_admin.post("config", {"latency_ms": 0})

    assert saved_after < 1.0, f"the payment by hand waited {saved_after:.1f} s for the webhook's Stripe call"
    session.expire_all()
    assert session.get(type(paid), paid.id).status == "paid"


def receive_in_own_session(event: VerifiedEvent) -> int | None:
    with Session(get_engine()) as own:
        return stripe_webhooks.receive(own, event)

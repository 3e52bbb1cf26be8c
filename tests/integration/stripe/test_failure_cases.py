"""stripe-notes.md §5: declines, duplicates, out-of-order events, refunds, unknown invoices, currency mismatch,
expired sessions, voided and part-paid invoices."""

from __future__ import annotations

import json
import time

import httpx
import stripe
from sqlmodel import select

from myapprentice_app.integrations.stripe.client import SANDBOX_WEBHOOK_SECRET
from myapprentice_app.models import Invoice, Payment, StripeCredit, StripeEvent, StripePayment
from myapprentice_app.services import invoices, stripe_connection, stripe_pay
from tests.support.waiting import wait_until

from .conftest import checkout_id, invoice_reaches, sent_invoice


def paid_invoice(session, actor, stripe_admin) -> Invoice:
    invoice = sent_invoice(session, actor, pushed=False)
    stripe_admin.pay(checkout_id(session, invoice))
    return invoice_reaches(session, invoice.id, "paid")


def test_a_declined_card_leaves_the_invoice_unpaid_and_the_pay_page_says_why(session, stripe_connected,
                                                                             stripe_admin):
    invoice = sent_invoice(session, stripe_connected, pushed=False)

    outcome = stripe_admin.pay(checkout_id(session, invoice), card="4000000000000002")

    assert outcome["status"] != "succeeded" and outcome["message"] == "Your card was declined."
    view = wait_until(lambda: (v := stripe_pay.pay_view(session, invoice.pay_token)).message and v,
                      seconds=10, waiting_for="the decline to be recorded")
    assert view.state == "payable" and "Your card was declined." in view.message
    session.expire_all()
    assert session.get(Invoice, invoice.id).status == "sent" and session.exec(select(Payment)).all() == []


def test_a_duplicated_delivery_records_one_payment(session, stripe_connected, stripe_admin):
    paid_invoice(session, stripe_connected, stripe_admin)
    [delivery] = [d for d in stripe_admin.deliveries("checkout.session.completed")]

    stripe_admin.post(f"deliveries/{delivery['id']}/duplicate", {"times": 3})
    time.sleep(1)

    session.expire_all()
    assert len(session.exec(select(Payment)).all()) == 1 and len(session.exec(select(StripePayment)).all()) == 1


def test_events_delivered_in_reverse_order_end_paid_then_refunded(session, stripe_connected, stripe_admin, client_of):
    stripe_admin.post("config", {"hold_deliveries": True})
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    stripe_admin.pay(checkout_id(session, invoice))
    account = stripe_connection.account_of(session, stripe_connected.business_id).account_id
    [intent] = stripe_admin.objects("payment_intent")
    client_of().v1.refunds.create(params={"payment_intent": intent["id"]}, options={"stripe_account": account})

    stripe_admin.post("deliveries/release", {"reverse": True})

    refunded = invoice_reaches(session, invoice.id, "sent")
    assert refunded.amount_paid == 0
    [payment] = session.exec(select(Payment)).all()
    assert payment.refunded_amount == refunded.total and payment.amount == 0


def test_a_part_refund_credits_the_client_and_the_invoice_stays_paid(session, stripe_connected, stripe_admin,
                                                                     client_of):
    invoice = paid_invoice(session, stripe_connected, stripe_admin)
    account = stripe_connection.account_of(session, stripe_connected.business_id).account_id
    [intent] = stripe_admin.objects("payment_intent")

    client_of().v1.refunds.create(params={"payment_intent": intent["id"], "amount": 5000},
                                  options={"stripe_account": account})

    [credit] = wait_until(lambda: session.expire_all() or session.exec(select(StripeCredit)).all(), seconds=10,
                          waiting_for="the part refund to be recorded")
    assert credit.amount == 5000 and credit.invoice_id == invoice.id
    session.expire_all()
    [payment] = session.exec(select(Payment)).all()
    assert payment.refunded_amount == 50 and payment.amount == invoice.total
    assert session.get(Invoice, invoice.id).status == "paid"
    assert stripe_pay.pay_view(session, invoice.pay_token).state == "paid"


def signed_event(account: str, obj: dict, kind: str = "payment_intent.succeeded") -> tuple[str, str]:
    payload = json.dumps({"id": f"evt_test_{time.time_ns()}", "object": "event", "type": kind, "account": account,
                          "created": int(time.time()), "livemode": False, "data": {"object": obj}})
    return payload, stripe.WebhookSignature.generate_signature_header(payload, SANDBOX_WEBHOOK_SECRET)


def test_a_payment_for_an_unknown_invoice_is_kept_for_review_and_answered_200(session, stripe_connected,
                                                                              stripe_admin, app_url, client_of):
    account = stripe_connection.account_of(session, stripe_connected.business_id).account_id
    intent = client_of().v1.payment_intents.create(
        params={"amount": 1000, "currency": "aud", "payment_method": "pm_card_visa", "confirm": True,
                "metadata": {"invoice_id": "999999"}}, options={"stripe_account": account})

    def problems() -> list[str]:
        session.expire_all()
        return stripe_connection.stripe_view(session, stripe_connected).problems

    wait_until(lambda: any(intent.id in problem for problem in problems()), seconds=10,
               waiting_for="the payment to be kept for review")  # each of its events arrives on its own
    view = stripe_connection.stripe_view(session, stripe_connected)
    assert session.exec(select(StripeEvent).where(StripeEvent.status == "needs_review")).all()
    assert any("names no invoice of this business" in problem and intent.id in problem for problem in view.problems), \
        view.problems
    assert session.exec(select(Payment)).all() == []


def test_a_payment_in_another_currency_is_not_recorded_and_is_shown_for_review(session, stripe_connected,
                                                                               stripe_admin, client_of):
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    account = stripe_connection.account_of(session, stripe_connected.business_id).account_id

    client_of().v1.payment_intents.create(
        params={"amount": 1000, "currency": "usd", "payment_method": "pm_card_visa", "confirm": True,
                "metadata": {"invoice_id": str(invoice.id)}}, options={"stripe_account": account})

    wait_until(lambda: stripe_connection.stripe_view(session, stripe_connected).problems, seconds=10,
               waiting_for="the mismatch to be shown")
    [problem] = stripe_connection.stripe_view(session, stripe_connected).problems
    assert "taken in USD but invoice" in problem
    session.expire_all()
    assert session.get(Invoice, invoice.id).status == "sent"


def test_an_expired_session_is_replaced_by_a_new_one(session, stripe_connected, stripe_admin):
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    first = checkout_id(session, invoice)
    assert checkout_id(session, invoice) == first  # the open one is reused

    stripe_admin.post("config", {"advance_clock_seconds": 25 * 3600})
    wait_until(lambda: stripe_admin.deliveries("checkout.session.expired"), seconds=10, waiting_for="expiry")
    time.sleep(0.5)

    assert checkout_id(session, invoice) != first


def test_voided_and_paid_invoices_say_so_on_the_pay_page(session, stripe_connected, stripe_admin):
    voided = sent_invoice(session, stripe_connected, pushed=False)
    invoices.void_invoice(session, stripe_connected, voided.id)
    paid = paid_invoice(session, stripe_connected, stripe_admin)

    assert stripe_pay.pay_view(session, voided.pay_token).message == (
        "This invoice has been voided, so there is nothing to pay.")
    assert stripe_pay.pay_view(session, paid.pay_token).state == "paid"


def test_the_pay_page_shows_the_apps_own_refusals_but_not_words_a_crafted_link_brings(session, stripe_connected,
                                                                                     app_url):
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    words = "Card payments are down. Pay by bank transfer to BSB 062-000, account 1234 5678, instead."
    crafted = httpx.get(f"{app_url}/pay/{invoice.pay_token}", params={"error": words, "sig": "0" * 32})
    invoices.void_invoice(session, stripe_connected, invoice.id)

    refused = httpx.get(f"{app_url}/pay/{invoice.pay_token}/checkout", follow_redirects=True)

    assert crafted.status_code == 200 and "BSB 062-000" not in crafted.text
    assert "This invoice has been voided, so there is nothing to pay." in refused.text


def test_the_success_redirect_alone_never_marks_an_invoice_paid(session, stripe_connected, stripe_admin, app_url):
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    checkout_id(session, invoice)

    page = httpx.get(f"{app_url}/pay/{invoice.pay_token}/done?session_id=cs_test_forged")

    assert page.status_code == 200 and "confirming your payment" in page.text
    session.expire_all()
    assert session.get(Invoice, invoice.id).status == "sent"

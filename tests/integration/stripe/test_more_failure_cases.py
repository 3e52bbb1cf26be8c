"""The rest of stripe-notes §5: amounts that differ from what is owed (rows 7–9), an invoice of another business
and an event of the other mode (row 5), account updates out of order (row 4), a payment whose event comes before
any Checkout Session was stored (row 16), and Xero failing while the card payment is posted (row 15)."""

from __future__ import annotations

import httpx
import stripe
from sqlmodel import select

from myapprentice_app.integrations.stripe.client import SANDBOX_WEBHOOK_SECRET
from myapprentice_app.jobs import tasks
from myapprentice_app.models import (
    Business,
    Invoice,
    Payment,
    StripeAccount,
    StripeCredit,
    StripeEvent,
    StripePayment,
)
from myapprentice_app.services import stripe_connection, stripe_pay
from tests.integration.xero.conftest import make_invoices
from tests.support.waiting import wait_until

from .conftest import checkout_id, invoice_reaches, sent_invoice
from .test_failure_cases import signed_event


def account_id(session, actor) -> str:  # type: ignore[no-untyped-def]
    return stripe_connection.account_of(session, actor.business_id).account_id


def pay_directly(session, actor, client_of, invoice_id: int, amount: int) -> str:  # type: ignore[no-untyped-def]
    """A PaymentIntent made outside our Checkout (the business's own Dashboard, another tab, a race)."""
    return client_of().v1.payment_intents.create(
        params={"amount": amount, "currency": "aud", "payment_method": "pm_card_visa", "confirm": True,
                "metadata": {"invoice_id": str(invoice_id)}},
        options={"stripe_account": account_id(session, actor)}).id


def review_saying(session, actor, words: str) -> str:  # type: ignore[no-untyped-def]
    def found() -> str | None:
        session.expire_all()
        return next((p for p in stripe_connection.stripe_view(session, actor).problems if words in p), None)
    return wait_until(found, seconds=10, waiting_for=f"a problem saying {words!r}")


def test_a_card_payment_before_any_checkout_was_stored_still_pays_the_invoice(session, stripe_connected,
                                                                                stripe_admin, client_of):
    invoice = sent_invoice(session, stripe_connected, pushed=False)

    pay_directly(session, stripe_connected, client_of, invoice.id, int(invoice.total * 100))

    paid = invoice_reaches(session, invoice.id, "paid")
    [payment] = session.exec(select(Payment)).all()
    assert paid.amount_due == 0 and payment.method == "stripe" and payment.amount == invoice.total


def test_less_than_is_owed_makes_the_invoice_part_paid_and_the_pay_page_asks_for_the_rest(session,
                                                                                         stripe_connected,
                                                                                         stripe_admin, client_of):
    invoice = sent_invoice(session, stripe_connected, pushed=False)

    pay_directly(session, stripe_connected, client_of, invoice.id, 5000)

    part = invoice_reaches(session, invoice.id, "part_paid")
    view = stripe_pay.pay_view(session, invoice.pay_token)
    assert part.amount_paid == 50 and view.state == "part_paid" and f"${part.amount_due:,.2f}" in view.message
    stripe_admin.pay(checkout_id(session, invoice))  # the remainder, through Pay now
    invoice_reaches(session, invoice.id, "paid")
    assert sorted(p.amount for p in session.exec(select(Payment))) == sorted([50, invoice.total - 50])


def test_more_than_is_owed_records_what_was_owed_and_names_the_excess_for_review(session, stripe_connected,
                                                                                stripe_admin, client_of):
    invoice = sent_invoice(session, stripe_connected, pushed=False)

    pay_directly(session, stripe_connected, client_of, invoice.id, int(invoice.total * 100) + 1000)

    invoice_reaches(session, invoice.id, "paid")
    problem = review_saying(session, stripe_connected, "is recorded nowhere")
    assert "$10.00 is recorded nowhere" in problem and "Refund the difference" in problem
    [payment] = session.exec(select(Payment)).all()
    assert payment.amount == invoice.total


def test_refunding_the_overpaid_difference_leaves_the_invoice_and_its_payment_as_they_were(session,
                                                                                           stripe_connected,
                                                                                           stripe_admin, client_of):
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    intent = pay_directly(session, stripe_connected, client_of, invoice.id, int(invoice.total * 100) + 5000)
    invoice_reaches(session, invoice.id, "paid")
    review_saying(session, stripe_connected, "Refund the difference")

    client_of().v1.refunds.create(params={"payment_intent": intent, "amount": 5000},  # what the review says
                                  options={"stripe_account": account_id(session, stripe_connected)})

    wait_until(lambda: session.expire_all() or session.exec(select(StripePayment).where(
        StripePayment.amount_refunded == 5000)).first(), seconds=10, waiting_for="the refund to be seen")
    [payment] = session.exec(select(Payment)).all()
    assert (payment.amount, payment.refunded_amount) == (invoice.total, 0)  # nothing to undo here or in Xero
    assert session.exec(select(StripeCredit)).all() == []
    assert session.get(Invoice, invoice.id).status == "paid"


def test_a_second_payment_of_a_paid_invoice_is_not_recorded_and_is_named_for_refund(session, stripe_connected,
                                                                                   stripe_admin, client_of):
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    stripe_admin.pay(checkout_id(session, invoice))
    invoice_reaches(session, invoice.id, "paid")

    second = pay_directly(session, stripe_connected, client_of, invoice.id, int(invoice.total * 100))

    problem = review_saying(session, stripe_connected, second)
    assert "which is already paid or voided" in problem and "Refund it" in problem
    assert len(session.exec(select(Payment)).all()) == 1


def test_a_payment_naming_another_businesss_invoice_is_not_recorded(session, stripe_connected, stripe_admin,
                                                                    client_of):
    other = Business(name="Someone Else Plumbing")
    session.add(other)
    session.commit()
    [theirs] = make_invoices(session, other.id or 0, 1, clients=1, prefix="OTHER-")

    intent = pay_directly(session, stripe_connected, client_of, theirs, 1000)

    assert "names no invoice of this business" in review_saying(session, stripe_connected, intent)
    session.expire_all()
    assert session.get(Invoice, theirs).amount_paid == 0 and session.exec(select(Payment)).all() == []


def test_a_live_mode_event_at_a_test_mode_app_is_kept_for_review_and_changes_nothing(session, stripe_connected,
                                                                                     stripe_admin, app_url):
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    payload, _ = signed_event(account_id(session, stripe_connected), {
        "id": "pi_live_1", "object": "payment_intent", "metadata": {"invoice_id": str(invoice.id)}})
    payload = payload.replace('"livemode": false', '"livemode": true')
    header = stripe.WebhookSignature.generate_signature_header(payload, SANDBOX_WEBHOOK_SECRET)

    answer = httpx.post(f"{app_url}/api/stripe/webhook", content=payload, headers={"Stripe-Signature": header})

    assert answer.status_code == 200
    assert "A live-mode payment_intent.succeeded event" in review_saying(session, stripe_connected, "live-mode")
    session.expire_all()
    assert session.get(Invoice, invoice.id).status == "sent" and session.exec(select(Payment)).all() == []


def test_account_updates_delivered_out_of_order_end_in_stripes_current_state(session, stripe_connected,
                                                                           stripe_admin):
    account = account_id(session, stripe_connected)
    updates = select(StripeEvent).where(StripeEvent.type == "account.updated")
    before = wait_until(lambda: session.expire_all() or (len(stored := session.exec(updates).all()) == len(
        stripe_admin.deliveries("account.updated")) and len(stored)), seconds=10, waiting_for="onboarding's updates")
    stripe_admin.post("config", {"hold_deliveries": True})
    stripe_admin.post(f"accounts/{account}/require-information", {"currently_due": ["external_account"]})
    stripe_admin.post(f"accounts/{account}/onboard", {"business_name": "Bright Spark Electrical"})

    stripe_admin.post("deliveries/release", {"reverse": True})  # the older update (charges off) lands last

    wait_until(lambda: session.expire_all() or len(session.exec(updates).all()) == before + 2, seconds=10,
               waiting_for="both account updates")
    row = session.exec(select(StripeAccount).where(StripeAccount.account_id == account)).one()
    assert row.charges_enabled is True and row.currently_due == ""


def test_xero_failing_while_the_card_payment_is_posted_never_posts_it_twice(session, stripe_connected,
                                                                            stripe_admin, admin, tenant):
    invoice = sent_invoice(session, stripe_connected)
    wait_until(lambda: session.expire_all() or session.get(Invoice, invoice.id).xero_invoice_id, seconds=10,
               waiting_for="the invoice in Xero")
    admin.faults(p_drop_after_commit=1)  # Xero stores the payment, and the answer is lost
    stripe_admin.pay(checkout_id(session, invoice))
    invoice_reaches(session, invoice.id, "paid")
    wait_until(lambda: admin.stored(tenant, "payments"), seconds=10, waiting_for="the payment in Xero")
    admin.faults(p_drop_after_commit=0)

    def synced() -> bool:
        tasks.recover()
        session.expire_all()
        return session.exec(select(Payment)).one().xero_payment_id is not None
    wait_until(synced, seconds=30, waiting_for="the payment to be found in Xero by its reference")

    [in_xero] = [p for p in admin.stored(tenant, "payments") if p["Status"] != "DELETED"]
    assert session.exec(select(Payment)).one().xero_payment_id == in_xero["PaymentID"]
    assert session.get(Invoice, invoice.id).status == "paid"


def test_after_stripe_is_disconnected_an_open_checkout_takes_no_card_and_a_late_refund_is_shown_for_review(
        session, stripe_connected, stripe_admin, client_of):
    paid = sent_invoice(session, stripe_connected, pushed=False)
    stripe_admin.pay(checkout_id(session, paid))
    invoice_reaches(session, paid.id, "paid")
    waiting = sent_invoice(session, stripe_connected, pushed=False)
    opened = checkout_id(session, waiting)  # a client's tab is open on Stripe's page
    account = account_id(session, stripe_connected)
    [card] = session.exec(select(StripePayment)).all()

    stripe_connection.disconnect(session, stripe_connected)
    taken = stripe_admin.pay(opened)
    client_of().v1.refunds.create(params={"payment_intent": card.payment_intent_id},
                                  options={"stripe_account": account})  # from the Stripe Dashboard

    assert taken.get("status") != "succeeded" and len(session.exec(select(StripePayment)).all()) == 1
    assert review_saying(session, stripe_connected, "was disconnected from this business")

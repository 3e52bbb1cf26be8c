"""stripe-notes §5 row 14: Stripe failing while Pay now opens a Checkout Session (a timeout after Stripe made it,
a 429). The client is told kindly, and trying again is safe: the same Idempotency-Key gives back the session
Stripe already made, never a second one to pay."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlmodel import select

from myapprentice_app.models import Client, StripeCheckout, StripePayment
from myapprentice_app.services import invoices, stripe_pay
from myapprentice_app.services.errors import ActionRefused

from .conftest import checkout_id, sent_invoice

KIND = "Card payments aren't available right now. Please try again in a few minutes."


def sessions_at_stripe(stripe_admin) -> list[dict]:  # type: ignore[no-untyped-def]
    return stripe_admin.objects("checkout.session")


def test_after_a_timeout_trying_again_opens_the_session_stripe_already_made(session, stripe_connected,
                                                                            stripe_admin):
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    stripe_admin.post("config", {"fail_next": {"with": "drop", "count": 1}})

    with pytest.raises(ActionRefused) as refused:
        stripe_pay.start_checkout(session, invoice.pay_token)
    assert str(refused.value) == KIND
    [made] = sessions_at_stripe(stripe_admin)  # Stripe did make it; the answer was lost

    url = stripe_pay.start_checkout(session, invoice.pay_token)

    assert url == made["url"] and len(sessions_at_stripe(stripe_admin)) == 1
    assert [c.id for c in session.exec(select(StripeCheckout))] == [made["id"]]


def test_after_a_429_trying_again_opens_one_session(session, stripe_connected, stripe_admin):
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    stripe_admin.post("config", {"fail_next": {"with": "rate_limit", "count": 1}})

    with pytest.raises(ActionRefused) as refused:
        stripe_pay.start_checkout(session, invoice.pay_token)
    assert str(refused.value) == KIND and sessions_at_stripe(stripe_admin) == []

    url = stripe_pay.start_checkout(session, invoice.pay_token)

    [made] = sessions_at_stripe(stripe_admin)
    assert url == made["url"]


def test_a_retry_with_other_details_gets_a_new_session_not_stripes_idempotency_error(session, stripe_connected,
                                                                                      stripe_admin):
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    stripe_admin.post("config", {"fail_next": {"with": "drop", "count": 1}})
    with pytest.raises(ActionRefused):
        stripe_pay.start_checkout(session, invoice.pay_token)
    [lost] = sessions_at_stripe(stripe_admin)
    client = session.get(Client, invoice.client_id)
    client.email = "new-address@example.test"  # changed before the client tries again
    session.commit()

    url = stripe_pay.start_checkout(session, invoice.pay_token)

    assert url != lost["url"] and len(sessions_at_stripe(stripe_admin)) == 2
    [kept] = session.exec(select(StripeCheckout)).all()
    assert kept.url == url
    assert stripe_pay.start_checkout(session, invoice.pay_token) == url  # and it is the one reused from now on


def test_when_stripe_cannot_close_the_old_session_no_second_one_is_opened(session, stripe_connected, stripe_admin):
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    first = checkout_id(session, invoice)  # the client's first tab: the whole amount
    stripe_admin.post("config", {"fail_next": {"with": "rate_limit", "count": 2}})  # Stripe busy for a moment
    invoices.record_payment(session, stripe_connected, invoice.id, amount="40", paid_on=dt.date.today(),
                            method="bank_transfer")  # so the worker couldn't close the first session yet
    assert [s["status"] for s in sessions_at_stripe(stripe_admin)] == ["open"]
    stripe_admin.post("config", {"fail_next": {"with": "rate_limit", "count": 1}})

    with pytest.raises(ActionRefused) as refused:  # a second tab asks to pay the remainder
        stripe_pay.start_checkout(session, invoice.pay_token)

    assert str(refused.value) == KIND
    assert [s["id"] for s in sessions_at_stripe(stripe_admin)] == [first]  # no second session to pay


@pytest.mark.parametrize("change", ["voided", "paid by bank transfer"])
def test_an_open_card_checkout_cannot_take_the_card_once_the_invoice_is_voided_or_paid_otherwise(
        session, stripe_connected, stripe_admin, change):
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    opened = checkout_id(session, invoice)  # the client's tab is open on Stripe's page

    if change == "voided":
        invoices.void_invoice(session, stripe_connected, invoice.id)
    else:
        invoices.record_payment(session, stripe_connected, invoice.id, amount=str(invoice.total),
                                paid_on=dt.date.today(), method="bank_transfer")
    paid = stripe_admin.pay(opened)

    assert paid.get("status") != "succeeded"
    assert [s["status"] for s in sessions_at_stripe(stripe_admin)] == ["expired"]
    assert session.exec(select(StripePayment)).all() == []

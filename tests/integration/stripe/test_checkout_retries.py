"""stripe-notes §5 row 14: Stripe failing while Pay now opens a Checkout Session (a timeout after Stripe made it,
a 429). The client is told kindly, and trying again is safe: the same Idempotency-Key gives back the session
Stripe already made, never a second one to pay."""

from __future__ import annotations

import datetime as dt
import time
from concurrent.futures import Future, ThreadPoolExecutor

import pytest
from sqlmodel import Session, select

from myapprentice_app.db import get_engine
from myapprentice_app.models import Client, StripeCheckout, StripePayment
from myapprentice_app.services import invoices, stripe_pay
from myapprentice_app.services.errors import ActionRefused
from tests.support.waiting import wait_until

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


@pytest.mark.parametrize("meanwhile", ["voided", "paid by bank transfer", "pay now in another tab"])
def test_pay_now_while_the_invoice_changes_leaves_one_session_that_asks_for_what_is_owed(
        session, stripe_connected, stripe_admin, meanwhile):
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    stripe_admin.post("config", {"latency_ms": 1000})  # Stripe takes a second to make each session

    def pay_now() -> str:
        with Session(get_engine(), expire_on_commit=False) as own:
            return stripe_pay.start_checkout(own, invoice.pay_token)

    tabs = [pay_now] * (2 if meanwhile == "pay now in another tab" else 1)
    with ThreadPoolExecutor(max_workers=2) as clients:
        asked = [clients.submit(tab) for tab in tabs]
        time.sleep(0.3)  # Stripe is making the first tab's session
        if meanwhile == "voided":
            invoices.void_invoice(session, stripe_connected, invoice.id)
        elif meanwhile == "paid by bank transfer":
            invoices.record_payment(session, stripe_connected, invoice.id, amount=str(invoice.total),
                                    paid_on=dt.date.today(), method="bank_transfer")
        outcomes = [outcome(future) for future in asked]
    stripe_admin.post("config", {"latency_ms": 0})

    wait_until(lambda: [s for s in sessions_at_stripe(stripe_admin) if s["status"] == "open"] == open_ones(
        meanwhile, sessions_at_stripe(stripe_admin)), seconds=20, waiting_for="the other sessions to be closed")
    if meanwhile == "pay now in another tab":
        [still_open] = [s for s in sessions_at_stripe(stripe_admin) if s["status"] == "open"]
        assert outcomes == [still_open["url"], still_open["url"]]  # both tabs go to the same session
    else:  # refused; or, when the change landed just after the session was kept, sent to one closed since
        [told] = outcomes
        assert isinstance(told, ActionRefused) or told == sessions_at_stripe(stripe_admin)[0]["url"], told
        assert [s["status"] for s in sessions_at_stripe(stripe_admin)] == ["expired"]


def outcome(future: Future) -> object:
    """What the tab got: the URL it is sent to, or the refusal it shows."""
    try:
        return future.result(timeout=30)
    except ActionRefused as refused:
        return refused


def open_ones(meanwhile: str, sessions: list[dict]) -> list[dict]:
    """The sessions that should stay open: one when two tabs asked, none when the invoice changed."""
    opened = [s for s in sessions if s["status"] == "open"]
    return opened[:1] if meanwhile == "pay now in another tab" else []

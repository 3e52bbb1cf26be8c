"""Disputes: Stripe's dispute test card pays, then the charge is disputed at once — the amount and the dispute
fee leave the balance, `charge.dispute.created` is sent (signed, on the connected account), and closing the
dispute (accepting it) loses it."""

from __future__ import annotations

import httpx
import pytest
import stripe

from .conftest import checkout_params
from .shapes import event_problems, problems
from .test_webhooks import SECRET, verified


def on(account: str) -> dict:
    return {"stripe_account": account}


def test_the_dispute_card_pays_then_is_disputed_with_the_amount_and_fee_withdrawn(client, connected):
    session = client.v1.checkout.sessions.create(params=checkout_params(10000), options=on(connected))
    httpx.post(session.url, data={"cardnumber": "4000 0000 0000 0259"})
    pi_id = client.v1.checkout.sessions.retrieve(session.id, options=on(connected)).payment_intent
    [dispute] = client.v1.disputes.list(params={"payment_intent": pi_id}, options=on(connected)).data
    fetched = client.v1.disputes.retrieve(dispute.id, options=on(connected))
    assert problems("dispute", fetched.last_response.data) == []
    assert fetched.id.startswith("dp_") and (fetched.status, fetched.reason) == ("needs_response", "fraudulent")
    assert fetched.amount == 10000 and fetched.payment_intent == pi_id
    [withdrawal] = fetched.balance_transactions
    assert (withdrawal.amount, withdrawal.fee, withdrawal.net) == (-10000, 2500, -12500)  # AU: A$25 dispute fee
    charge = client.v1.charges.retrieve(fetched.charge, options=on(connected))
    assert charge.disputed is True and charge.status == "succeeded"


def test_closing_a_dispute_accepts_it_as_lost_once(client, connected, stripe_sandbox):
    session = client.v1.checkout.sessions.create(params=checkout_params(5000), options=on(connected))
    stripe_sandbox.admin("POST", f"checkout/sessions/{session.id}/pay", {"card": "4000000000002685"})
    pi_id = client.v1.checkout.sessions.retrieve(session.id, options=on(connected)).payment_intent
    [dispute] = client.v1.disputes.list(params={"payment_intent": pi_id}, options=on(connected)).data
    assert dispute.reason == "product_not_received"
    closed = client.v1.disputes.close(dispute.id, options=on(connected))
    assert closed.status == "lost" and problems("dispute", closed.last_response.data) == []
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.disputes.close(dispute.id, options=on(connected))


def test_another_account_cannot_see_the_dispute(client, connected, stripe_sandbox):
    session = client.v1.checkout.sessions.create(params=checkout_params(5000), options=on(connected))
    stripe_sandbox.admin("POST", f"checkout/sessions/{session.id}/pay", {"card": "4000000000000259"})
    pi_id = client.v1.checkout.sessions.retrieve(session.id, options=on(connected)).payment_intent
    [dispute] = client.v1.disputes.list(params={"payment_intent": pi_id}, options=on(connected)).data
    with pytest.raises(stripe.InvalidRequestError) as caught:
        client.v1.disputes.retrieve(dispute.id)
    assert caught.value.code == "resource_missing"


def test_the_dispute_is_announced_by_a_signed_connect_event(client, connected, stripe_sandbox, receiver):
    stripe_sandbox.admin("POST", "webhook-endpoints", {"url": receiver.url, "secret": SECRET})
    session = client.v1.checkout.sessions.create(params=checkout_params(), options=on(connected))
    httpx.post(session.url, data={"cardnumber": "4000000000000259"})
    receiver.wait_for(5)
    events = {event.type: event for event in verified(receiver)}
    created = events["charge.dispute.created"]
    assert created.account == connected and created.data.object.object == "dispute"
    assert "charge.dispute.funds_withdrawn" in events
    assert all(event_problems(event) == [] for event in receiver.events())

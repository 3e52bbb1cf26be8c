"""Signed webhooks: verified by stripe-python's own `construct_event`, Connect events carrying `account`,
retries with back-off, and the admin knobs (hold and reorder, duplicate, replay)."""

from __future__ import annotations

import httpx
import pytest
import stripe

from .conftest import checkout_params
from .shapes import event_problems

SECRET = "whsec_contract_tests_secret"


@pytest.fixture
def endpoint(stripe_sandbox, receiver):
    return stripe_sandbox.admin("POST", "webhook-endpoints", {"url": receiver.url, "secret": SECRET})


def verified(receiver) -> list[stripe.Event]:
    return [
        stripe.Webhook.construct_event(item["body"], item["headers"]["Stripe-Signature"], SECRET)
        for item in receiver.received
    ]


def types(receiver) -> list[str]:
    return [event["type"] for event in receiver.events()]


def test_a_paid_session_sends_signed_connect_events(client, connected, stripe_sandbox, receiver, endpoint):
    session = client.v1.checkout.sessions.create(params=checkout_params(), options={"stripe_account": connected})
    httpx.post(session.url, data={"cardnumber": "4242424242424242"})
    receiver.wait_for(3)
    events = verified(receiver)
    assert sorted(e.type for e in events) == [
        "charge.succeeded",
        "checkout.session.completed",
        "payment_intent.succeeded",
    ]
    assert all(e.account == connected for e in events)
    completed = next(e for e in events if e.type == "checkout.session.completed").data.object
    assert completed.id == session.id and completed.payment_status == "paid"
    assert completed.client_reference_id == "invoice-uuid-42"
    succeeded = next(e for e in events if e.type == "payment_intent.succeeded").data.object
    assert succeeded.metadata.invoice_id == "invoice-uuid-42"
    assert all(event_problems(e) == [] for e in receiver.events())
    header = receiver.received[0]["headers"]["Stripe-Signature"]
    assert header.startswith("t=") and ",v1=" in header
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(receiver.received[0]["body"], header, "whsec_someone_else")


def test_declines_expiry_refunds_and_account_changes_are_all_sent(client, stripe_sandbox, receiver, endpoint):
    account = client.v1.accounts.create(params={"country": "AU"}).id
    stripe_sandbox.admin("POST", f"accounts/{account}/onboard", {"business_name": "Spark"})
    on = {"stripe_account": account}
    declined = client.v1.checkout.sessions.create(params=checkout_params(), options=on)
    stripe_sandbox.admin("POST", f"checkout/sessions/{declined.id}/pay", {"card": "4000000000000002"})
    client.v1.checkout.sessions.expire(declined.id, options=on)
    paid = client.v1.checkout.sessions.create(params=checkout_params(), options=on)
    stripe_sandbox.admin("POST", f"checkout/sessions/{paid.id}/pay", {"card": "4000002500003155", "authenticate": True})
    pi = client.v1.checkout.sessions.retrieve(paid.id, options=on).payment_intent
    client.v1.refunds.create(params={"payment_intent": pi, "amount": 100}, options=on)
    stripe_sandbox.admin("POST", f"accounts/{account}/deauthorize")
    receiver.wait_for(10)
    verified(receiver)
    assert sorted(types(receiver)) == sorted(
        [
            "account.updated",
            "charge.failed",
            "payment_intent.payment_failed",
            "checkout.session.expired",
            "charge.succeeded",
            "payment_intent.succeeded",
            "checkout.session.completed",
            "refund.created",
            "charge.refunded",
            "account.application.deauthorized",
        ]
    )  # each delivery is sent on its own, so the order may vary (as with Stripe)
    events = sorted(receiver.events(), key=lambda e: e["type"] != "account.updated")
    assert all(event_problems(e) == [] for e in events), [event_problems(e) for e in events]
    assert all(e["account"] == account for e in events)
    updated = events[0]
    assert updated["data"]["object"]["charges_enabled"] is True
    assert updated["data"]["previous_attributes"]["charges_enabled"] is False
    refunded = next(e for e in events if e["type"] == "charge.refunded")
    assert refunded["data"]["object"]["amount_refunded"] == 100
    assert refunded["data"]["previous_attributes"]["amount_refunded"] == 0
    failed = next(e for e in events if e["type"] == "payment_intent.payment_failed")
    assert failed["data"]["object"]["last_payment_error"]["decline_code"] == "generic_decline"


def test_failed_deliveries_are_retried_with_back_off(client, connected, stripe_sandbox, receiver, endpoint):
    for status in (500, 503):
        receiver.statuses.put(status)
    stripe_sandbox.admin("POST", f"accounts/{connected}/require-information", {"currently_due": ["external_account"]})
    receiver.wait_for(3)
    attempts = [item["status"] for item in receiver.received]
    assert attempts == [500, 503, 200]
    assert len({item["body"] for item in receiver.received}) == 1  # the same event each time
    (delivery,) = stripe_sandbox.admin("GET", "deliveries")["deliveries"]
    assert delivery["state"] == "succeeded" and [a["status"] for a in delivery["attempts"]] == [500, 503, 200]


def test_held_deliveries_are_released_in_reverse_then_duplicated_and_replayed(
    client, connected, stripe_sandbox, receiver, endpoint
):
    stripe_sandbox.admin("POST", "config", {"hold_deliveries": True})
    session = client.v1.checkout.sessions.create(params=checkout_params(), options={"stripe_account": connected})
    stripe_sandbox.admin("POST", f"checkout/sessions/{session.id}/pay", {"card": "4242424242424242"})
    held = stripe_sandbox.admin("GET", "deliveries")["deliveries"]
    assert [d["state"] for d in held] == ["held"] * 3 and receiver.received == []
    stripe_sandbox.admin("POST", "config", {"hold_deliveries": False})
    stripe_sandbox.admin("POST", "deliveries/release", {"reverse": True})
    assert types(receiver) == ["checkout.session.completed", "payment_intent.succeeded", "charge.succeeded"]
    completed = held[-1]["id"]
    stripe_sandbox.admin("POST", f"deliveries/{completed}/duplicate", {"times": 2})
    stripe_sandbox.admin("POST", f"deliveries/{completed}/replay")
    events = verified(receiver)
    assert len(events) == 6
    assert {e.id for e in events if e.type == "checkout.session.completed"} == {held[-1]["event"]}


def test_endpoints_registered_through_the_api_get_their_own_secret(client, connected, stripe_sandbox, receiver):
    created = client.v1.webhook_endpoints.create(
        params={"url": receiver.url, "enabled_events": ["checkout.session.completed"], "connect": True}
    )
    assert created.id.startswith("we_") and created.secret.startswith("whsec_")
    session = client.v1.checkout.sessions.create(params=checkout_params(), options={"stripe_account": connected})
    stripe_sandbox.admin("POST", f"checkout/sessions/{session.id}/pay", {"card": "4242424242424242"})
    receiver.wait_for(1)
    event = stripe.Webhook.construct_event(
        receiver.received[0]["body"], receiver.received[0]["headers"]["Stripe-Signature"], created.secret
    )
    assert event.type == "checkout.session.completed" and len(receiver.received) == 1
    assert [e.id for e in client.v1.webhook_endpoints.list().data] == [created.id]
    client.v1.webhook_endpoints.delete(created.id)
    assert client.v1.webhook_endpoints.list().data == []
    events = client.v1.events.list(params={"type": "checkout.session.*"}, options={"stripe_account": connected})
    assert [e.type for e in events.data] == ["checkout.session.completed"]

"""Checkout Sessions on a connected account, the hosted page's test cards, PaymentIntents, Charges with
Stripe's fee, Refunds, isolation between accounts and Stripe's errors — all through stripe-python."""

from __future__ import annotations

import re

import httpx
import pytest
import stripe

from .conftest import checkout_params
from .shapes import problems


def raw(obj: stripe.StripeObject) -> dict:
    return obj.last_response.data


def on(account: str) -> dict:
    return {"stripe_account": account}


def test_a_session_paid_on_the_hosted_page_carries_the_invoice_to_the_payment_intent(client, connected, stripe_sandbox):
    session = client.v1.checkout.sessions.create(params=checkout_params(), options=on(connected))
    assert problems("checkout.session", raw(session)) == []
    assert session.id.startswith("cs_test_") and session.status == "open" and session.amount_total == 12345
    page = httpx.get(session.url)
    assert "Pay Bright Spark Electrical" in page.text and "123.45 AUD" in page.text
    paid = httpx.post(session.url, data={"email": "client@home.test", "cardnumber": "4242 4242 4242 4242"})
    assert paid.status_code == 303
    assert paid.headers["location"] == f"https://app.example/pay/tok/done?session_id={session.id}"
    done = client.v1.checkout.sessions.retrieve(session.id, options=on(connected))
    assert problems("checkout.session", raw(done)) == []
    assert (done.status, done.payment_status) == ("complete", "paid")
    assert done.client_reference_id == "invoice-uuid-42" and done.customer_details.email == "client@home.test"
    pi = client.v1.payment_intents.retrieve(
        done.payment_intent, params={"expand": ["latest_charge.balance_transaction"]}, options=on(connected)
    )
    assert pi.status == "succeeded" and pi.amount_received == 12345
    assert pi.metadata.to_dict() == {"invoice_id": "invoice-uuid-42", "tenant_id": "7", "invoice_version": "3"}
    fee = round(12345 * 0.0175) + 30  # AU domestic card: 1.75% + A$0.30
    txn = pi.latest_charge.balance_transaction
    assert (txn.amount, txn.fee, txn.net) == (12345, fee, 12345 - fee)
    assert txn.fee_details[0].type == "stripe_fee"
    plain = client.v1.payment_intents.retrieve(pi.id, options=on(connected))
    assert problems("payment_intent", raw(plain)) == []
    charge = client.v1.charges.retrieve(plain.latest_charge, options=on(connected))
    assert problems("charge", raw(charge)) == []
    txn_plain = client.v1.balance_transactions.retrieve(charge.balance_transaction, options=on(connected))
    assert problems("balance_transaction", raw(txn_plain)) == []


def test_a_declined_card_says_why_and_the_session_can_still_be_paid(client, connected):
    session = client.v1.checkout.sessions.create(params=checkout_params(), options=on(connected))
    declined = httpx.post(session.url, data={"cardnumber": "4000 0000 0000 0002"})
    assert declined.status_code == 200 and "Your card was declined." in declined.text
    pi = client.v1.payment_intents.retrieve(
        client.v1.checkout.sessions.retrieve(session.id, options=on(connected)).payment_intent, options=on(connected)
    )
    assert pi.status == "requires_payment_method" and pi.last_payment_error.code == "card_declined"
    assert problems("payment_intent", raw(pi)) == []
    failed = client.v1.charges.retrieve(pi.latest_charge, options=on(connected))
    assert (failed.status, failed.failure_code, failed.balance_transaction) == ("failed", "card_declined", None)
    assert problems("charge", raw(failed)) == []
    paid = httpx.post(session.url, data={"cardnumber": "4242424242424242"})
    assert paid.status_code == 303
    assert client.v1.payment_intents.retrieve(pi.id, options=on(connected)).status == "succeeded"


def test_the_3d_secure_card_needs_a_second_step(client, connected):
    session = client.v1.checkout.sessions.create(params=checkout_params(), options=on(connected))
    first = httpx.post(session.url, data={"cardnumber": "4000002500003155"}, follow_redirects=True)
    assert "Confirm your payment" in first.text
    action = re.search(r"action='([^']+)'", first.text).group(1)
    confirmed = httpx.post(session.url.split("/c/pay")[0] + action, data={"action": "complete"})
    assert confirmed.status_code == 303 and session.id in confirmed.headers["location"]
    assert client.v1.checkout.sessions.retrieve(session.id, options=on(connected)).payment_status == "paid"


def test_expire_and_list_sessions_and_the_cancel_link(client, connected):
    session = client.v1.checkout.sessions.create(params=checkout_params(), options=on(connected))
    assert "https://app.example/pay/tok" in httpx.get(session.url).text
    expired = client.v1.checkout.sessions.expire(session.id, options=on(connected))
    assert expired.status == "expired" and problems("checkout.session", raw(expired)) == []
    assert httpx.get(session.url).status_code == 410
    with pytest.raises(stripe.InvalidRequestError):
        client.v1.checkout.sessions.expire(session.id, options=on(connected))
    listed = client.v1.checkout.sessions.list(options=on(connected))
    assert [s.id for s in listed.data] == [session.id]
    items = client.v1.checkout.sessions.line_items.list(session.id, options=on(connected))
    assert items.data[0].amount_total == 12345


def test_full_and_partial_refunds(client, connected, stripe_sandbox):
    session = client.v1.checkout.sessions.create(params=checkout_params(10000), options=on(connected))
    stripe_sandbox.admin("POST", f"checkout/sessions/{session.id}/pay", {"card": "4242424242424242"})
    pi_id = client.v1.checkout.sessions.retrieve(session.id, options=on(connected)).payment_intent
    part = client.v1.refunds.create(params={"payment_intent": pi_id, "amount": 2500}, options=on(connected))
    assert problems("refund", raw(part)) == [] and part.id.startswith("re_") and part.amount == 2500
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create(params={"payment_intent": pi_id, "amount": 9000}, options=on(connected))
    assert too_much.value.code == "amount_too_large" and too_much.value.param == "amount"
    rest = client.v1.refunds.create(params={"charge": part.charge}, options=on(connected))
    assert rest.amount == 7500
    charge = client.v1.charges.retrieve(part.charge, options=on(connected))
    assert (charge.amount_refunded, charge.refunded) == (10000, True)
    assert problems("charge", raw(charge)) == []
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.refunds.create(params={"charge": part.charge}, options=on(connected))
    assert again.value.code == "charge_already_refunded"
    assert len(client.v1.refunds.list(params={"payment_intent": pi_id}, options=on(connected)).data) == 2


def test_payment_intents_via_the_api_with_test_payment_methods(client, connected):
    pi = client.v1.payment_intents.create(
        params={"amount": 5000, "currency": "aud", "payment_method": "pm_card_visa", "confirm": True},
        options=on(connected),
    )
    assert pi.status == "succeeded" and problems("payment_intent", raw(pi)) == []
    with pytest.raises(stripe.CardError) as declined:
        client.v1.payment_intents.create(
            params={"amount": 5000, "currency": "aud", "payment_method": "pm_card_chargeDeclined", "confirm": True},
            options=on(connected),
        )
    assert declined.value.code == "card_declined" and declined.value.http_status == 402
    updated = client.v1.payment_intents.update(pi.id, params={"metadata": {"k": "v"}}, options=on(connected))
    assert updated.metadata.k == "v"
    listed = client.v1.payment_intents.list(options=on(connected))
    assert len(listed.data) == 2 and all(problems("payment_intent", p) == [] for p in raw(listed)["data"])


def test_objects_on_one_connected_account_are_invisible_to_another(client, connected, stripe_sandbox):
    other = client.v1.accounts.create(params={"country": "AU"}).id
    stripe_sandbox.admin("POST", f"accounts/{other}/onboard", {"business_name": "Other Plumbing"})
    session = client.v1.checkout.sessions.create(params=checkout_params(), options=on(connected))
    for account in (other, None):
        with pytest.raises(stripe.InvalidRequestError) as missing:
            client.v1.checkout.sessions.retrieve(session.id, options=on(account) if account else {})
        assert missing.value.http_status == 404 and missing.value.code == "resource_missing"
        assert f"No such session: '{session.id}'" in missing.value.user_message
    assert client.v1.checkout.sessions.list(options=on(other)).data == []


def test_sessions_refuse_accounts_that_cannot_charge_and_bad_parameters(client):
    fresh = client.v1.accounts.create(params={"country": "AU"}).id
    with pytest.raises(stripe.InvalidRequestError) as not_ready:
        client.v1.checkout.sessions.create(params=checkout_params(), options=on(fresh))
    assert "charges_enabled" in not_ready.value.user_message
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.checkout.sessions.create(params={**checkout_params(), "colour": "red"})
    assert unknown.value.code == "parameter_unknown" and unknown.value.param == "colour"
    bad_amount = checkout_params()
    bad_amount["line_items"][0]["price_data"]["unit_amount"] = "lots"
    with pytest.raises(stripe.InvalidRequestError) as not_integer:
        client.v1.checkout.sessions.create(params=bad_amount)
    assert not_integer.value.param == "line_items[0][price_data][unit_amount]"


def test_unknown_routes_answer_with_stripes_envelope(client, stripe_sandbox):
    response = httpx.get(f"{stripe_sandbox.base_url}/v1/nothing", headers={"Authorization": "Bearer sk_test_abcdef12"})
    assert response.status_code == 404
    error = response.json()["error"]
    assert (
        error["type"] == "invalid_request_error" and "Unrecognized request URL (GET: /v1/nothing)" in error["message"]
    )
    assert set(error) >= {"type", "code", "message", "param"}


def test_idempotency_keys_replay_or_conflict(client, connected):
    params = checkout_params()
    first = client.v1.checkout.sessions.create(params=params, options={**on(connected), "idempotency_key": "k-1"})
    again = client.v1.checkout.sessions.create(params=params, options={**on(connected), "idempotency_key": "k-1"})
    assert first.id == again.id
    with pytest.raises(stripe.IdempotencyError):
        client.v1.checkout.sessions.create(
            params=checkout_params(999), options={**on(connected), "idempotency_key": "k-1"}
        )


def test_forced_failures_are_what_stripe_python_sees_of_a_timeout_and_a_429(client, connected, stripe_sandbox):
    keyed = {**on(connected), "idempotency_key": "f"}
    stripe_sandbox.admin("POST", "config", {"fail_next": {"with": "rate_limit", "count": 1}})
    with pytest.raises(stripe.RateLimitError):
        client.v1.checkout.sessions.create(params=checkout_params(), options=keyed)
    stripe_sandbox.admin("POST", "config", {"fail_next": {"with": "drop", "count": 1}})
    with pytest.raises(stripe.APIConnectionError):
        client.v1.checkout.sessions.create(params=checkout_params(), options=keyed)
    again = client.v1.checkout.sessions.create(params=checkout_params(), options=keyed)
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert [s.id for s in client.v1.checkout.sessions.list(options=on(connected)).data] == [again.id]

"""Forged, replayed and stale Stripe webhooks: refused with 400, and the database is unchanged."""

from __future__ import annotations

import json
import sqlite3
import threading
import time

import httpx
import pytest
import stripe
from sqlalchemy.engine import make_url
from starlette.testclient import TestClient

from myapprentice_app.api.routes import api
from myapprentice_app.config import get_settings
from myapprentice_app.integrations.stripe.client import SANDBOX_WEBHOOK_SECRET
from tests.support.waiting import served_in_a_thread

from .conftest import changed_tables, snapshot


def event_body(invoice_id: int) -> str:
    return json.dumps({"id": f"evt_forged_{time.time_ns()}", "object": "event", "type": "payment_intent.succeeded",
                       "account": "acct_forged", "created": int(time.time()), "livemode": False,
                       "data": {"object": {"id": "pi_forged", "object": "payment_intent", "status": "succeeded",
                                           "amount_received": 19800, "currency": "aud",
                                           "metadata": {"invoice_id": str(invoice_id)}}}})


def forged(body: str) -> dict[str, str]:
    return {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(body, "whsec_attackers_guess")}


def stale(body: str) -> dict[str, str]:
    old = int(time.time()) - 301
    return {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(body, SANDBOX_WEBHOOK_SECRET,
                                                                                  timestamp=old)}


def missing(body: str) -> dict[str, str]:
    return {}


def garbage(body: str) -> dict[str, str]:
    return {"Stripe-Signature": "t=abc,v1=not-a-signature"}


@pytest.mark.parametrize("headers", [forged, stale, missing, garbage],
                         ids=["forged_with_another_secret", "replayed_after_five_minutes", "unsigned", "garbage"])
def test_an_unverifiable_webhook_is_refused_and_stores_nothing(session, world, headers) -> None:
    body = event_body(world.authorised_invoice_id)
    before = snapshot()

    answer = TestClient(api).post("/api/stripe/webhook", content=body, headers=headers(body))

    assert answer.status_code == 400
    assert changed_tables(before, snapshot()) == []


def test_a_validly_signed_body_changed_in_transit_is_refused(session, world) -> None:
    body = event_body(world.authorised_invoice_id)
    header = stripe.WebhookSignature.generate_signature_header(body, SANDBOX_WEBHOOK_SECRET)
    tampered = body.replace("19800", "1")
    before = snapshot()

    answer = TestClient(api).post("/api/stripe/webhook", content=tampered, headers={"Stripe-Signature": header})

    assert answer.status_code == 400
    assert changed_tables(before, snapshot()) == []


def test_a_signed_event_replayed_by_an_attacker_within_tolerance_changes_nothing_twice(session, world) -> None:
    body = json.dumps({"id": "evt_replayed_once", "object": "event", "type": "customer.created", "created": 1,
                       "livemode": False, "data": {"object": {"id": "cus_1", "object": "customer"}}})
    headers = {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(body, SANDBOX_WEBHOOK_SECRET)}
    first = TestClient(api).post("/api/stripe/webhook", content=body, headers=headers)
    before = snapshot()

    again = TestClient(api).post("/api/stripe/webhook", content=body, headers=headers)

    assert first.status_code == 200 and again.status_code == 200
    assert changed_tables(before, snapshot()) == []


def test_with_a_real_stripe_key_an_event_signed_with_the_sandboxs_public_secret_is_refused(session, world,
                                                                                         monkeypatch) -> None:
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_test_a_real_platform_key")  # and no STRIPE_WEBHOOK_SECRET
    get_settings.cache_clear()
    body = event_body(world.authorised_invoice_id)
    header = stripe.WebhookSignature.generate_signature_header(body, SANDBOX_WEBHOOK_SECRET)
    before = snapshot()
    try:
        answer = TestClient(api).post("/api/stripe/webhook", content=body, headers={"Stripe-Signature": header})
    finally:
        monkeypatch.delenv("STRIPE_SECRET_KEY")
        get_settings.cache_clear()

    assert answer.status_code == 400
    assert changed_tables(before, snapshot()) == []


def test_a_webhook_waiting_on_the_database_does_not_hold_up_the_web_process(session, world) -> None:
    body = event_body(world.authorised_invoice_id)
    header = stripe.WebhookSignature.generate_signature_header(body, SANDBOX_WEBHOOK_SECRET)
    database = sqlite3.connect(make_url(get_settings().database_url).database or "", isolation_level=None)
    with served_in_a_thread(api, name="app") as url:
        database.execute("BEGIN IMMEDIATE")  # another writer holds the database for a while
        delivery = threading.Thread(target=httpx.post, args=(f"{url}/api/stripe/webhook",),
                                    kwargs={"content": body, "headers": {"Stripe-Signature": header}, "timeout": 30})
        delivery.start()
        time.sleep(0.3)  # the webhook is waiting for the database now
        started = time.monotonic()
        health = httpx.get(f"{url}/api/health", timeout=30)
        took = time.monotonic() - started
        database.execute("ROLLBACK")
        delivery.join()
    database.close()

    assert health.status_code == 200 and took < 1.0


def test_a_signed_event_whose_text_holds_a_nul_byte_is_taken_not_refused(session, world) -> None:
    body = json.dumps({"id": "evt_with_a_nul\u0000", "object": "event", "type": "customer.created", "created": 1,
                       "livemode": False, "data": {"object": {"id": "cus_2", "object": "customer",
                                                              "name": "Acme\u0000 Ltd"}}})
    headers = {"Stripe-Signature": stripe.WebhookSignature.generate_signature_header(body, SANDBOX_WEBHOOK_SECRET)}

    answer = TestClient(api).post("/api/stripe/webhook", content=body, headers=headers)

    assert answer.status_code == 200

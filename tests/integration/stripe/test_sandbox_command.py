"""`python -m myapprentice_app sandbox stripe` (the Procfile's stripe-sandbox) delivers webhooks to the app at
its configured address, APP_URL, not at a hard-coded one."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx

from myapprentice_app.integrations.stripe.client import SANDBOX_SECRET_KEY, SANDBOX_WEBHOOK_SECRET
from tests.support.app_process import free_port
from tests.support.waiting import wait_until


def endpoints_of_sandbox_started_with(**env: str) -> list[dict]:
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("STRIPE_", "APP_URL"))}
    process = subprocess.Popen([sys.executable, "-m", "myapprentice_app", "sandbox", "stripe", "--port", str(port)],
                               env={**clean, **env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        def listed() -> list[dict] | None:
            try:
                return httpx.get(f"http://127.0.0.1:{port}/v1/webhook_endpoints",
                                 headers={"Authorization": f"Bearer {SANDBOX_SECRET_KEY}"}).json()["data"]
            except httpx.TransportError:
                return None
        return wait_until(listed, seconds=30, waiting_for="the Stripe sandbox to start")
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_stripe_sandbox_sends_its_events_to_the_apps_configured_address() -> None:
    [endpoint] = endpoints_of_sandbox_started_with(APP_URL="https://pay.example.test:8443/")
    assert endpoint["url"] == "https://pay.example.test:8443/api/stripe/webhook"


def test_an_explicit_webhook_address_still_wins() -> None:
    [endpoint] = endpoints_of_sandbox_started_with(APP_URL="http://localhost:3000",
                                                   STRIPE_SANDBOX_WEBHOOK_URL="http://127.0.0.1:9/hook",
                                                   STRIPE_SANDBOX_WEBHOOK_SECRET=SANDBOX_WEBHOOK_SECRET)
    assert endpoint["url"] == "http://127.0.0.1:9/hook"

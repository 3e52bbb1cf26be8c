"""The Stripe sandbox in-process on a free port, driven through stripe-python's StripeClient.

Skipped as a whole, with one printed line, when Stripe's fixtures (STRIPE_FIXTURES_DIR, by default
<repo>/../shared/stripe-openapi) are absent."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
import stripe
import uvicorn

from myapprentice_app.sandbox.stripe.server import create_app
from tests.support.app_process import free_port

from .shapes import FIXTURES

if not FIXTURES.exists():
    collect_ignore_glob = ["test_*.py"]
    print(f"\nStripe sandbox contract tests skipped: no Stripe fixtures at {FIXTURES} (set STRIPE_FIXTURES_DIR)")

API_KEY = "sk_test_sandbox_contract_tests"


@pytest.fixture(autouse=True)
def calm_sandbox() -> None:
    """Replaces the Xero suite's fixture of the same name: these tests need no Xero sandbox."""


@pytest.fixture(autouse=True)
def honours_xeros_contract() -> None:
    """Replaces the Xero suite's OpenAPI check; here each test compares shapes with Stripe's fixtures."""


@dataclass
class RunningSandbox:
    base_url: str
    app: Any

    def admin(self, method: str, path: str, body: dict | None = None) -> Any:
        response = httpx.request(method, f"{self.base_url}/sandbox-admin/{path}", json=body, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


@pytest.fixture(scope="session")
def stripe_sandbox() -> Iterator[RunningSandbox]:
    app = create_app()
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("stripe sandbox did not start")
        time.sleep(0.02)
    yield RunningSandbox(f"http://127.0.0.1:{port}", app)
    server.should_exit = True
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def fresh_sandbox(stripe_sandbox: RunningSandbox) -> None:
    stripe_sandbox.admin("POST", "reset")
    stripe_sandbox.admin("POST", "config", {"retry_delays_seconds": [0.2, 0.4, 0.8]})


def make_client(base_url: str, api_key: str = API_KEY, **options: Any) -> stripe.StripeClient:
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": base_url, "connect": base_url, "files": base_url, "meter_events": base_url},
        max_network_retries=0,
        **options,
    )


@pytest.fixture
def client(stripe_sandbox: RunningSandbox) -> stripe.StripeClient:
    return make_client(stripe_sandbox.base_url)


@pytest.fixture
def connected(client: stripe.StripeClient, stripe_sandbox: RunningSandbox) -> str:
    """A connected AU account that has finished onboarding (charges enabled)."""
    account = client.v1.accounts.create(params={"type": "standard", "country": "AU", "email": "owner@spark.test"})
    stripe_sandbox.admin("POST", f"accounts/{account.id}/onboard", {"business_name": "Bright Spark Electrical"})
    return account.id


def checkout_params(amount: int = 12345, **extra: Any) -> dict[str, Any]:
    return {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {"currency": "aud", "unit_amount": amount, "product_data": {"name": "Invoice INV-0042"}},
            }
        ],
        "client_reference_id": "invoice-uuid-42",
        "metadata": {"invoice_id": "invoice-uuid-42", "tenant_id": "7"},
        "payment_intent_data": {
            "metadata": {"invoice_id": "invoice-uuid-42", "tenant_id": "7", "invoice_version": "3"}
        },
        "success_url": "https://app.example/pay/tok/done?session_id={CHECKOUT_SESSION_ID}",
        "cancel_url": "https://app.example/pay/tok",
        **extra,
    }


@dataclass
class Receiver:
    """A tiny webhook endpoint: records raw bodies and headers, answers with queued statuses (then 200)."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    statuses: queue.Queue = field(default_factory=queue.Queue)

    def wait_for(self, count: int, timeout: float = 10.0) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while len(self.received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} deliveries, got {len(self.received)}")
            time.sleep(0.02)
        return self.received

    def events(self) -> list[dict[str, Any]]:
        return [json.loads(item["body"]) for item in self.received]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    record = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's name)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = 200 if record.statuses.empty() else record.statuses.get()
            record.received.append({"body": body, "headers": dict(self.headers), "status": status})
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    record.url = f"http://127.0.0.1:{server.server_address[1]}/stripe/webhook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield record
    server.shutdown()
    server.server_close()

"""The Stripe sandbox and the app's own HTTP routes, each on a free port: the sandbox's signed webhooks reach
the app's webhook route over real HTTP. The Xero fixtures come along for the payments that reach Xero."""

from __future__ import annotations

import os
from collections.abc import Iterator
from urllib.parse import urlparse

import pytest
from sqlmodel import Session, select

from myapprentice_app.api.routes import api
from myapprentice_app.config import get_settings
from myapprentice_app.integrations.stripe.client import SANDBOX_WEBHOOK_SECRET
from myapprentice_app.models import Invoice
from myapprentice_app.sandbox.stripe.server import create_app
from myapprentice_app.services import invoice_delivery, stripe_connection, stripe_pay, xero_sync
from myapprentice_app.services.principal import Principal
from tests.integration.xero.conftest import (  # noqa: F401  (fixtures)
    calm_sandbox,
    connected,
    immediate_huey,
    make_invoices,
    owner,
    tenant,
)
from tests.support.stripe_sandbox import StripeAdmin
from tests.support.waiting import served_in_a_thread, wait_until


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    with served_in_a_thread(api, name="the app's HTTP routes") as url:
        yield url


@pytest.fixture(scope="session")
def stripe_url() -> Iterator[str]:
    with served_in_a_thread(create_app(), name="the Stripe sandbox", lifespan="on") as url:
        os.environ["STRIPE_SANDBOX_URL"] = url
        get_settings.cache_clear()
        yield url


@pytest.fixture
def stripe_admin(stripe_url: str, app_url: str) -> StripeAdmin:
    stripe = StripeAdmin(stripe_url)
    stripe.post("reset")
    stripe.post("config", {"retry_delays_seconds": [0.2, 0.4, 0.8], "hold_deliveries": False})
    stripe.post("webhook-endpoints", {"url": f"{app_url}/api/stripe/webhook", "secret": SANDBOX_WEBHOOK_SECRET,
                                     "connect": True})
    return stripe


@pytest.fixture
def stripe_connected(session: Session, connected: Principal, stripe_admin: StripeAdmin) -> Principal:  # noqa: F811
    """The owner (Xero connected too) connects Stripe and finishes onboarding."""
    url = stripe_connection.start_connect(session, connected)
    account_id = urlparse(url).path.split("/")[3]
    stripe_admin.post(f"accounts/{account_id}/onboard", {"business_name": "Bright Spark Electrical"})
    assert stripe_connection.refresh_status(session, connected).charges_enabled
    return connected


def sent_invoice(session: Session, actor: Principal, pushed: bool = True) -> Invoice:
    """An invoice emailed to its client (so it has its pay link), pushed to Xero first when asked."""
    taken = len(session.exec(select(Invoice)).all())
    [invoice_id] = make_invoices(session, actor.business_id, 1, clients=1, prefix=f"S{taken}-")
    draft = invoice_delivery.draft_email(session, actor, invoice_id)
    invoice_delivery.send_to_client(session, actor, invoice_id, draft)
    if pushed:
        xero_sync.push_invoice(session, actor, invoice_id)  # queues its own run
    session.expire_all()
    invoice = session.get(Invoice, invoice_id)
    assert invoice is not None
    return invoice


def checkout_id(session: Session, invoice: Invoice) -> str:
    url = stripe_pay.start_checkout(session, invoice.pay_token or "")
    return url.rstrip("/").split("/")[-1]


def invoice_reaches(session: Session, invoice_id: int, status: str, seconds: float = 10) -> Invoice:
    def current() -> Invoice | None:
        session.expire_all()
        invoice = session.get(Invoice, invoice_id)
        return invoice if invoice is not None and invoice.status == status else None
    return wait_until(current, seconds=seconds, waiting_for=f"invoice {invoice_id} to become {status}")


@pytest.fixture
def client_of(stripe_url: str):  # type: ignore[no-untyped-def]
    """A platform StripeClient, as the business (or its Stripe Dashboard) would act on its own account."""
    from myapprentice_app.integrations.stripe.client import client
    return client

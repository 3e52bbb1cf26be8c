import base64
import hashlib
import hmac
import json

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.testclient import TestClient

from myapprentice_app.sandbox.xero.server import create_app
from tests.support.waiting import served_in_a_thread, wait_until

from .builders import batch, invoice

WEBHOOK_KEY = "webhook-signing-key"


def test_a_new_organisation_is_seeded_with_an_au_chart_tax_rates_contacts_and_inv_0001(xero):
    accounts = {a.code: a for a in xero.accounting.get_accounts(xero.tenant_id).accounts}
    assert accounts["200"].type.value == "REVENUE" and accounts["260"].type.value == "REVENUE"
    assert accounts["280"].status == "ARCHIVED"
    assert accounts["090"].type.value == "BANK"
    assert accounts["615"].enable_payments_to_account is True
    assert accounts["400"].type.value == "EXPENSE"
    rates = {r.tax_type for r in xero.accounting.get_tax_rates(xero.tenant_id).tax_rates}
    assert {"OUTPUT", "EXEMPTOUTPUT", "BASEXCLUDED", "INPUT"} <= rates
    contacts = xero.accounting.get_contacts(xero.tenant_id, include_archived=True).contacts
    assert [c.contact_status for c in contacts].count("ARCHIVED") == 1
    organisation = xero.accounting.get_organisations(xero.tenant_id).organisations[0]
    assert (organisation.country_code.value, organisation.base_currency.value) == ("AU", "AUD")


def test_admin_tokens_look_exactly_like_connect_token_responses(admin, tenant_id):
    token = admin.token(tenant_id)
    assert set(token) == {"id_token", "access_token", "expires_in", "token_type", "refresh_token", "scope"}


def test_stored_invoices_expose_duplicates_for_counting(xero, admin):
    contact_id = xero.accounting.get_contacts(xero.tenant_id).contacts[0].contact_id
    xero.accounting.create_invoices(xero.tenant_id, batch(invoice(contact_id, number="DUP-1")))
    xero.accounting.create_invoices(xero.tenant_id, batch(invoice(contact_id, number="DUP-2")))
    assert sorted(i["InvoiceNumber"] for i in admin.stored(xero.tenant_id, "invoices")) == [
        "DUP-1",
        "DUP-2",
        "INV-0001",
    ]


def test_state_survives_a_restart_when_a_state_file_is_given(tmp_path):
    state_file = tmp_path / "xero.json"
    with TestClient(create_app(state_file=str(state_file))) as client:
        tenant = client.post("/sandbox-admin/organisations", json={"name": "Persistent Pty Ltd"}).json()[
            "tenantId"
        ]
    with TestClient(create_app(state_file=str(state_file))) as client:
        names = [org["name"] for org in client.get("/sandbox-admin/organisations").json()]
        stored = client.get(f"/sandbox-admin/organisations/{tenant}/invoices").json()["Invoices"]
    assert "Persistent Pty Ltd" in names and "Bright Spark Electrical (Demo)" in names
    assert [i["InvoiceNumber"] for i in stored] == ["INV-0001"]


def test_a_fresh_sandbox_has_one_demo_organisation_per_demo_business_and_reset_clears_everything():
    with TestClient(create_app()) as client:
        assert [o["name"] for o in client.get("/sandbox-admin/organisations").json()] == [
            "Bright Spark Electrical (Demo)", "Solo Plumbing (Demo)"
        ]
        client.post("/sandbox-admin/reset")
        assert client.get("/sandbox-admin/organisations").json() == []


@pytest.mark.deliberately_invalid_requests
def test_unknown_paths_are_404_and_admin_errors_are_json(sandbox):
    assert httpx.get(f"{sandbox.base_url}/api.xro/2.0/Nothing").status_code == 404
    response = httpx.post(f"{sandbox.base_url}/sandbox-admin/faults", json={"p_500": 7})
    assert response.status_code == 400 and "probability" in response.json()["error"]


class Receiver:
    """A tiny webhook endpoint that verifies Xero's signature the way the docs describe."""

    def __init__(self) -> None:
        self.events: list[dict] = []
        self.statuses: list[int] = []

    async def receive(self, request: Request) -> Response:
        body = await request.body()
        expected = base64.b64encode(hmac.new(WEBHOOK_KEY.encode(), body, hashlib.sha256).digest()).decode()
        if not hmac.compare_digest(expected, request.headers.get("x-xero-signature", "")):
            self.statuses.append(401)
            return Response(status_code=401)
        self.events.extend(json.loads(body)["events"])
        self.statuses.append(200)
        return Response(status_code=200)


@pytest.fixture
def receiver():
    target = Receiver()
    webhooks = Starlette(routes=[Route("/hook", target.receive, methods=["POST"])])
    with served_in_a_thread(webhooks, name="the webhook receiver") as base_url:
        target.url = f"{base_url}/hook"
        yield target


def test_signed_invoice_and_contact_events_reach_the_configured_url(xero, admin, receiver):
    admin.post("config", {"webhook_url": receiver.url, "webhook_key": WEBHOOK_KEY})
    created = xero.accounting.create_invoices(
        xero.tenant_id,
        batch(
            invoice(
                None,
                contact=__import__("xero_python.accounting", fromlist=["Contact"]).Contact(
                    name="Webhook Newcomer"
                ),
            )
        ),
    ).invoices[0]
    wait_until(lambda: len(receiver.events) >= 2, seconds=5, waiting_for="the invoice and contact events to arrive")
    kinds = {(e["eventCategory"], e["eventType"], e["resourceId"]) for e in receiver.events}
    assert ("INVOICE", "CREATE", created.invoice_id) in kinds
    assert ("CONTACT", "CREATE", created.contact.contact_id) in kinds
    assert all(e["tenantId"] == xero.tenant_id for e in receiver.events)
    assert set(receiver.statuses) == {200}


def test_intent_to_receive_passes_for_a_receiver_that_checks_signatures(admin, receiver):
    admin.post("config", {"webhook_url": receiver.url, "webhook_key": WEBHOOK_KEY})
    report = admin.post("webhooks/intent-to-receive")
    assert report["passed"] is True
    assert sorted(receiver.statuses) == [200, 200, 401, 401]

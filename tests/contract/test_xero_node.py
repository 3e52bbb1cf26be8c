"""xero-node, Xero's official Node SDK, drives the sandbox (node/drive.js) for sign-in, contacts, invoices,
payments, rate limits and a revoked tenant; the models it parsed are asserted here, and every exchange is
checked against Xero's OpenAPI files as for xero-python. Skipped, in one line, when xero-node isn't installed.
"""

from __future__ import annotations

import uuid

import pytest

from .builders import batch, invoice, line
from .conftest import CLIENT_ID, CLIENT_SECRET
from .node_sdk import NODE_SDK_MISSING, drive

REDIRECT = "http://localhost:3000/oauth/xero/callback"


@pytest.fixture(autouse=True)
def xero_node_installed() -> None:
    if NODE_SDK_MISSING:
        pytest.skip(NODE_SDK_MISSING)


def test_sign_in_through_openid_client_then_tenants_and_refresh(sandbox, admin, clocks_agree):
    tenant_id = admin.new_organisation("Node Sign-in Co")
    result = drive("signin", base=sandbox.base_url, tenantId=tenant_id, clientId=CLIENT_ID,
                   clientSecret=CLIENT_SECRET, redirect=REDIRECT)
    assert result["issuer"] == sandbox.base_url and result["claims"]["iss"] == sandbox.base_url
    assert result["claims"]["aud"] == CLIENT_ID and result["claims"]["email"] == "node.person@example.com"
    assert result["tenants"] == [{"tenantId": tenant_id, "name": "Node Sign-in Co"}]
    assert result["refreshedIsNew"] is True


def test_contacts_parse_and_their_role_flags_stay_xeros(sandbox, admin, xero):
    token = admin.token(xero.tenant_id)["access_token"]
    result = drive("contacts", base=sandbox.base_url, tenantId=xero.tenant_id, accessToken=token, name="Node Pty")
    assert result["model"] is True and result["contactStatus"] == "ACTIVE" and result["updatedIsDate"] is True
    assert (result["isCustomer"], result["isSupplier"]) == (False, False) and result["listed"] is True


def test_a_batch_with_per_element_errors_and_an_idempotent_replay(sandbox, admin, xero):
    token = admin.token(xero.tenant_id)["access_token"]
    contact_id = xero.accounting.get_contacts(xero.tenant_id).contacts[1].contact_id
    key = f"node-{uuid.uuid4()}"
    result = drive("invoices", base=sandbox.base_url, tenantId=xero.tenant_id, accessToken=token,
                   contactId=contact_id, number="NODE-0001", key=key)
    good, bad = result["elements"]
    assert good["model"] and good["statusAttributeString"] == "OK" and good["hasErrors"] is False
    assert (good["type"], good["status"], good["lineAmountTypes"]) == ("ACCREC", "AUTHORISED", "Exclusive")
    assert good["dateIsDate"] and good["dueDateIsDate"] and good["updatedIsDate"] and good["total"] == 110
    assert bad["statusAttributeString"] == "ERROR" and bad["hasErrors"] is True
    assert bad["messages"] == ["Invoice Type must be specified"]
    assert result["replayIDs"][0] == good["invoiceID"]
    assert result["reusedKey"]["statusCode"] == 400 and key in result["reusedKey"]["message"]
    assert result["contactIsCustomer"] is True
    assert len([i for i in admin.stored(xero.tenant_id, "invoices") if i["InvoiceNumber"] == "NODE-0001"]) == 1


def test_a_payment_parses_and_pays_the_invoice(sandbox, admin, xero):
    token = admin.token(xero.tenant_id)["access_token"]
    contact_id = xero.accounting.get_contacts(xero.tenant_id).contacts[0].contact_id
    sale = xero.accounting.create_invoices(xero.tenant_id, batch(invoice(contact_id, line("40.00")))).invoices[0]
    result = drive("payments", base=sandbox.base_url, tenantId=xero.tenant_id, accessToken=token,
                   invoiceId=sale.invoice_id, amount=44, key=f"node-pay-{uuid.uuid4()}")
    assert result["model"] and result["status"] == "AUTHORISED" and result["paymentType"] == "ACCRECPAYMENT"
    assert result["amount"] == 44 and result["dateIsDate"] is True
    paid = result["invoice"]
    assert paid["status"] == "PAID" and paid["amountDue"] == 0 and paid["fullyPaidOnDateIsDate"] is True


def test_a_rate_limit_is_reported_in_headers_that_agree(sandbox, admin, xero):
    token = admin.token(xero.tenant_id)["access_token"]
    admin.faults(rate_limits="real", limits={"minute": 1})
    xero.accounting.get_organisations(xero.tenant_id)
    result = drive("failure", base=sandbox.base_url, tenantId=xero.tenant_id, accessToken=token)
    assert result["statusCode"] == 429
    assert result["headers"]["x-rate-limit-problem"] == "minute"
    assert result["headers"]["x-minlimit-remaining"] == "0" and int(result["headers"]["retry-after"]) >= 1


def test_a_revoked_tenant_answers_403(sandbox, admin, xero):
    token = admin.token(xero.tenant_id)["access_token"]
    admin.faults(revoke_tenant=xero.tenant_id)
    result = drive("failure", base=sandbox.base_url, tenantId=xero.tenant_id, accessToken=token)
    assert result["statusCode"] == 403 and result["body"]["Detail"] == "AuthenticationUnsuccessful"

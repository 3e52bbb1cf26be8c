import base64
import hashlib
import re
import secrets
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from xero_python.accounting import Contact, Contacts
from xero_python.exceptions import HTTPStatusException

from .conftest import CLIENT_ID, CLIENT_SECRET, xero_client

REDIRECT = "http://localhost:3000/oauth/xero/callback"
SCOPE = "openid profile email offline_access accounting.invoices accounting.contacts accounting.settings.read"
TOKEN_KEYS = {"id_token", "access_token", "expires_in", "token_type", "refresh_token", "scope"}


def pkce_pair() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def consent(
    base_url: str, tenant_ids: list[str], challenge: str, state: str = "csrf-123"
) -> dict[str, list[str]]:
    """Walk the consent page like a browser: open it, keep its hidden fields, tick organisations, allow."""
    params = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": REDIRECT,
        "scope": SCOPE,
        "state": state,
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    page = httpx.get(f"{base_url}/identity/connect/authorize", params=params)
    assert page.status_code == 200 and "Allow access" in page.text
    form = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    fields = {
        **form,
        "email": "demo@brightspark.example",
        "password": "pw",
        "action": "allow",
        "tenant": tenant_ids,
    }
    answer = httpx.post(f"{base_url}/identity/connect/authorize", data=fields)
    assert answer.status_code == 302
    location = answer.headers["location"]
    assert location.startswith(REDIRECT)
    return parse_qs(urlparse(location).query)


def exchange(base_url: str, code: str, verifier: str) -> httpx.Response:
    return httpx.post(
        f"{base_url}/connect/token",
        auth=(CLIENT_ID, CLIENT_SECRET),
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT,
            "code_verifier": verifier,
        },
    )


def test_the_consent_page_returns_a_code_and_state_that_pkce_exchanges_for_tokens(sandbox, admin):
    tenant_id = admin.new_organisation("Consenting Co")
    verifier, challenge = pkce_pair()
    query = consent(sandbox.base_url, [tenant_id], challenge)
    assert query["state"] == ["csrf-123"]
    token = exchange(sandbox.base_url, query["code"][0], verifier)
    assert token.status_code == 200 and set(token.json()) == TOKEN_KEYS
    assert token.json()["expires_in"] == 1800 and token.json()["token_type"] == "Bearer"
    xero = xero_client(sandbox.base_url, token.json(), tenant_id)
    assert [c.tenant_name for c in xero.identity.get_connections()] == ["Consenting Co"]
    assert exchange(sandbox.base_url, query["code"][0], verifier).json() == {"error": "invalid_grant"}


def test_a_wrong_pkce_verifier_is_an_invalid_grant(sandbox, admin):
    tenant_id = admin.new_organisation()
    _, challenge = pkce_pair()
    query = consent(sandbox.base_url, [tenant_id], challenge)
    response = exchange(sandbox.base_url, query["code"][0], secrets.token_urlsafe(48))
    assert (response.status_code, response.json()) == (400, {"error": "invalid_grant"})


def test_the_demo_organisation_is_offered_on_the_consent_page(sandbox):
    page = httpx.get(
        f"{sandbox.base_url}/identity/connect/authorize",
        params={"response_type": "code", "client_id": CLIENT_ID, "redirect_uri": REDIRECT, "scope": SCOPE},
    )
    assert "Bright Spark Electrical (Demo)" in page.text or "sandbox-admin/organisations" in page.text


def test_refresh_tokens_rotate_are_single_use_and_honour_the_30_minute_grace(sandbox, xero, admin):
    old = xero.tokens["token"]
    fresh = xero.token_api.refresh_token(old["refresh_token"], old["scope"])
    assert fresh["refresh_token"] != old["refresh_token"] and fresh["access_token"] != old["access_token"]
    retried = xero.token_api.refresh_token(old["refresh_token"], old["scope"])
    assert retried["refresh_token"] == fresh["refresh_token"]
    admin.post("clock", {"advance_seconds": 31 * 60})
    with pytest.raises(Exception, match="invalid_grant"):
        xero.token_api.refresh_token(old["refresh_token"], old["scope"])
    newest = xero.token_api.refresh_token(fresh["refresh_token"], old["scope"])
    assert newest["refresh_token"] not in (old["refresh_token"], fresh["refresh_token"])


def test_an_expired_access_token_gets_xeros_token_expired_401(xero, admin):
    admin.faults(expire_tokens=True)
    with pytest.raises(HTTPStatusException) as caught:
        xero.accounting.get_invoices(xero.tenant_id)
    assert caught.value.status == 401
    assert b'"Detail":"TokenExpired: token expired at ' in caught.value.body


def test_an_unknown_token_gets_authentication_unsuccessful(sandbox, tenant_id):
    response = httpx.get(
        f"{sandbox.base_url}/api.xro/2.0/Invoices",
        headers={"Authorization": "Bearer not-a-token", "xero-tenant-id": tenant_id},
    )
    assert response.status_code == 401
    assert response.json()["Detail"] == "AuthenticationUnsuccessful"


def test_a_revoked_token_stops_working_and_drops_the_connections(xero):
    xero.token_api.revoke_token(xero.tokens["token"]["refresh_token"])
    with pytest.raises(HTTPStatusException) as caught:
        xero.accounting.get_invoices(xero.tenant_id)
    assert caught.value.status == 401
    assert b"AuthenticationUnsuccessful" in caught.value.body


def test_a_missing_tenant_header_is_forbidden(xero):
    with pytest.raises(HTTPStatusException) as caught:
        xero.accounting.get_invoices("")
    assert caught.value.status == 403
    assert b'"Title":"Forbidden"' in caught.value.body


def test_tenants_are_isolated_from_each_other(sandbox, xero, admin):
    other_tenant = admin.new_organisation("Someone Else Pty Ltd")
    with pytest.raises(HTTPStatusException) as caught:
        xero.accounting.get_invoices(other_tenant)
    assert caught.value.status == 403
    other = xero_client(sandbox.base_url, admin.token(other_tenant), other_tenant)
    created = other.accounting.create_contacts(
        other_tenant, Contacts(contacts=[Contact(name="Only In The Other Org")])
    ).contacts[0]
    mine = xero.accounting.get_contacts(xero.tenant_id, i_ds=[created.contact_id]).contacts
    assert mine == []


def test_disconnecting_a_tenant_removes_access(xero):
    connection = xero.identity.get_connections()[0]
    xero.identity.delete_connection(connection.id)
    assert xero.identity.get_connections() == []
    with pytest.raises(HTTPStatusException) as caught:
        xero.accounting.get_organisations(xero.tenant_id)
    assert caught.value.status == 403

"""The plain HTTP routes check the session and the role on the server, like every handler."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
import stripe
from starlette.testclient import TestClient

from myapprentice_app.api.routes import api
from myapprentice_app.domain.roles import Role
from myapprentice_app.integrations.stripe.client import webhook_secret
from myapprentice_app.security import notice_signature, signed_notice
from myapprentice_app.services import auth
from myapprentice_app.services.auth import SESSION_COOKIE
from tests.conftest import PASSWORD


@pytest.fixture
def client() -> TestClient:
    return TestClient(api, base_url="http://localhost:3000", follow_redirects=False)


def _sign_in(client: TestClient, session, actor) -> None:
    client.cookies.set(SESSION_COOKIE, auth.log_in(session, email=actor.email, password=PASSWORD).token)


@pytest.mark.parametrize("path", ["/api/xero/connect", "/api/xero/callback?state=x&code=y"])
def test_without_a_session_the_xero_routes_send_you_to_sign_in(client: TestClient, session, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 302 and response.headers["location"].startswith("/login?next=")


@pytest.mark.parametrize("role", [Role.FINANCE, Role.SUPERVISOR, Role.TRADIE])
def test_roles_that_may_not_connect_xero_are_refused_by_the_connect_route(client, session, make_actor, role) -> None:
    actor = make_actor(role)
    _sign_in(client, session, actor)
    response = client.get("/api/xero/connect")
    location = response.headers["location"]
    assert response.status_code == 302 and location.startswith("/settings/integrations?xero_error=")
    query = parse_qs(urlsplit(location).query)
    assert "permission" in signed_notice(query["xero_error"][0], query["sig"][0])  # what the tab shows


def test_the_integrations_tab_shows_no_words_a_crafted_link_brings() -> None:
    words = "Xero is down: send your invoices to accounts@elsewhere.example instead."
    assert signed_notice(words, "") == signed_notice(words, "0" * 32) == ""
    assert signed_notice(words, notice_signature(words)) == words


def test_an_owner_without_mfa_is_asked_to_set_it_up_before_reaching_xero(client, session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    _sign_in(client, session, owner)
    response = client.get("/api/xero/connect")
    assert response.headers["location"].startswith("/settings/integrations?xero_error=")


def test_a_callback_with_a_forged_state_is_refused(client, session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    _sign_in(client, session, owner)
    response = client.get("/api/xero/callback?state=forged&code=abc")
    assert "expired" in response.headers["location"] or "wasn" in response.headers["location"]


def test_a_notice_signature_of_letters_outside_ascii_is_ignored() -> None:
    assert signed_notice("Payment received", "é") == ""


@pytest.mark.usefixtures("app_on_postgres")
def test_on_postgresql_a_pay_link_holding_a_nul_byte_is_not_found(client: TestClient) -> None:
    for path in ("/pay/%00" + "a" * 30, "/pay/%00" + "a" * 30 + "/done"):
        assert client.get(path).status_code == 404, path


@pytest.mark.usefixtures("app_on_postgres")  # before `session`, which then opens on PostgreSQL
def test_on_postgresql_a_callback_whose_state_holds_a_nul_byte_is_refused_with_a_message(
        client, session, make_actor) -> None:
    _sign_in(client, session, make_actor(Role.OWNER))
    response = client.get("/api/xero/callback?state=%00forged&code=abc")
    assert response.status_code == 400 and "invisible control characters" in response.text


@pytest.mark.parametrize("body", [
    {"type": "payment_intent.succeeded"},  # no id
    {"id": "evt_1", "type": "checkout.session.completed", "data": {"object": "not an object"}},
    {"id": "evt_2", "type": "account.updated", "created": "yesterday", "data": {"object": {}}},
    {"id": "evt_3", "type": "account.updated", "account": ["acct_1"], "data": {"object": {}}},
    [1, 2],
], ids=["no id", "object a string", "created a word", "account a list", "a list"])
def test_a_signed_webhook_not_shaped_like_a_stripe_event_is_refused_with_400(client, session, body) -> None:
    payload = json.dumps(body)
    signature = stripe.WebhookSignature.generate_signature_header(payload, webhook_secret() or "")

    response = client.post("/api/stripe/webhook", content=payload, headers={"stripe-signature": signature})

    assert response.status_code == 400

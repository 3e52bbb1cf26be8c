"""Xero's OAuth callback under attack: a missing, forged, replayed or someone else's state, and an authorisation
code obtained with another verifier (PKCE), are refused and connect nothing."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlmodel import Session, select
from starlette.testclient import TestClient

from myapprentice_app.api.routes import api
from myapprentice_app.config import get_settings
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import XeroConnection
from myapprentice_app.services import auth, second_factor, xero_connection
from myapprentice_app.services.auth import SESSION_COOKIE
from myapprentice_app.services.principal import Principal
from tests.conftest import PASSWORD
from tests.integration.xero.conftest import consent
from tests.security.conftest import changed_tables, snapshot
from tests.support.accounts import turn_on_mfa


@dataclass(frozen=True)
class SignedIn:
    principal: Principal  # with a fresh step-up
    browser: TestClient  # carrying the same session's cookie


def signed_in(session: Session, actor: Principal) -> SignedIn:
    """An Owner with two-step sign-in on, signed in with a recovery code (so the step-up is fresh)."""
    _, recovery = turn_on_mfa(session, actor)
    token = auth.log_in(session, email=actor.email, password=PASSWORD).token
    second_factor.verify_login_code(session, token=token, code=recovery[0])
    browser = TestClient(api, base_url=get_settings().app_url, follow_redirects=False)
    browser.cookies.set(SESSION_COOKIE, token)
    principal = auth.resolve(session, token)
    assert principal is not None and principal.recent_mfa
    return SignedIn(principal, browser)


@pytest.fixture
def owner(session: Session, make_actor) -> SignedIn:
    return signed_in(session, make_actor(Role.OWNER))


def _refused(response) -> bool:  # type: ignore[no-untyped-def]
    location = response.headers["location"]
    return response.status_code == 302 and location.startswith("/settings/integrations?xero_error=")


def _connections(session: Session) -> list[XeroConnection]:
    session.expire_all()
    return list(session.exec(select(XeroConnection)))


@pytest.mark.parametrize("query", ["", "code=abc", "state=&code=abc", "state=forged-state&code=abc"])
def test_a_callback_without_a_state_we_issued_is_refused(session: Session, owner: SignedIn, query: str) -> None:
    before = snapshot()
    assert _refused(owner.browser.get(f"/api/xero/callback?{query}"))
    assert changed_tables(before, snapshot()) == []


def test_a_state_used_once_is_refused_the_second_time(session: Session, owner: SignedIn, admin, tenant) -> None:
    back = consent(admin, xero_connection.start_connect(session, owner.principal), [tenant])
    browser = owner.browser
    first = browser.get(f"/api/xero/callback?state={back['state']}&code={back['code']}")
    before = snapshot()
    replay = browser.get(f"/api/xero/callback?state={back['state']}&code={back['code']}")
    assert first.headers["location"].endswith("xero=connected")
    assert _refused(replay) and changed_tables(before, snapshot()) == []


def test_a_state_started_by_someone_else_is_refused(session: Session, owner: SignedIn, make_actor, admin,
                                                     tenant) -> None:
    back = consent(admin, xero_connection.start_connect(session, owner.principal), [tenant])
    other_owner = signed_in(session, make_actor(Role.OWNER))  # same business, another person
    before = snapshot()
    response = other_owner.browser.get(f"/api/xero/callback?state={back['state']}&code={back['code']}")
    assert _refused(response) and changed_tables(before, snapshot()) == []
    assert _connections(session) == []


def test_a_code_obtained_with_another_verifier_is_refused_and_connects_nothing(session: Session, owner: SignedIn,
                                                                                 admin, tenant) -> None:
    # An attacker runs a consent of their own (their own state and PKCE verifier) and plants the code it gave
    # into the victim's callback, next to the victim's own state: the victim's verifier doesn't match it.
    attackers_code = consent(admin, xero_connection.start_connect(session, owner.principal), [tenant])["code"]
    victims_state = consent(admin, xero_connection.start_connect(session, owner.principal), [tenant])["state"]
    response = owner.browser.get(f"/api/xero/callback?state={victims_state}&code={attackers_code}")
    assert _refused(response)
    assert _connections(session) == []

"""Sessions as an attacker meets them at the HTTP routes: cookie flags, fixation, reuse after sign-out,
cross-site posts, password guessing, open redirects and the security headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlmodel import Session
from starlette.testclient import TestClient

from myapprentice_app.api.routes import api
from myapprentice_app.api.security_headers import SecurityHeaders, page_policy
from myapprentice_app.config import get_settings
from myapprentice_app.domain.roles import Role
from myapprentice_app.services import auth
from myapprentice_app.services.auth import SESSION_COOKIE
from tests.conftest import PASSWORD
from tests.security.conftest import changed_tables, snapshot
from tests.support.accounts import turn_on_mfa

EVIL = "https://evil.example"


def _client(origin: str | None = None) -> TestClient:
    headers = {"origin": origin or get_settings().app_url}
    return TestClient(SecurityHeaders(api), base_url=get_settings().app_url, follow_redirects=False,
                      headers=headers)


@pytest.fixture
def browser() -> TestClient:
    return _client()


@pytest.fixture
def https_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("APP_URL", "https://app.example")
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


def _sign_in(browser: TestClient, email: str, password: str = PASSWORD, next_path: str = ""):  # type: ignore[no-untyped-def]
    return browser.post("/api/session/sign-in", data={"email": email, "password": password, "next": next_path})


def _set_cookie_header(response) -> str:  # type: ignore[no-untyped-def]
    return next(value for name, value in response.headers.multi_items()
                if name == "set-cookie" and value.startswith(f"{SESSION_COOKIE}="))


def test_the_session_cookie_is_httponly_and_samesite_lax_and_not_secure_on_plain_http(
        session: Session, make_actor, browser: TestClient) -> None:
    cookie = _set_cookie_header(_sign_in(browser, make_actor(Role.FINANCE).email)).lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie and "secure" not in cookie


def test_the_session_cookie_is_secure_when_the_app_is_served_over_https(session: Session, make_actor,
                                                                         https_app: None) -> None:
    actor = make_actor(Role.FINANCE)
    response = _sign_in(_client("https://app.example"), actor.email)
    cookie = _set_cookie_header(response).lower()
    assert "secure" in cookie and "httponly" in cookie
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_a_cookie_planted_before_sign_in_never_becomes_a_session(session: Session, make_actor,
                                                                  browser: TestClient) -> None:
    actor = make_actor(Role.FINANCE)
    attacker = auth.log_in(session, email=make_actor(Role.TRADIE).email, password=PASSWORD).token
    auth.log_out(session, attacker)
    browser.cookies.set(SESSION_COOKIE, "planted-by-an-attacker")
    issued = _sign_in(browser, actor.email).cookies[SESSION_COOKIE]
    assert issued not in ("planted-by-an-attacker", attacker)
    assert auth.resolve(session, "planted-by-an-attacker") is None


def test_the_token_seen_before_the_second_factor_dies_when_the_code_is_given(session: Session, make_actor,
                                                                              browser: TestClient) -> None:
    actor = make_actor(Role.OWNER)
    _, recovery = turn_on_mfa(session, actor)
    before_code = _sign_in(browser, actor.email).cookies[SESSION_COOKIE]
    after_code = browser.post("/api/session/code", data={"code": recovery[0]}).cookies[SESSION_COOKIE]
    assert after_code != before_code
    assert auth.resolve(session, after_code) is not None
    assert auth.stage(session, before_code) is auth.Stage.SIGNED_OUT


def test_after_sign_out_the_old_token_opens_nothing(session: Session, make_actor, browser: TestClient) -> None:
    token = _sign_in(browser, make_actor(Role.OWNER).email).cookies[SESSION_COOKIE]
    signed_out = browser.post("/api/session/sign-out")
    replay = _client()
    replay.cookies.set(SESSION_COOKIE, token)
    assert signed_out.headers["location"] == "/login"
    assert signed_out.headers["clear-site-data"] == '"cache", "storage"'
    assert 'ma_session=""' in _set_cookie_header(signed_out) and "max-age=0" in _set_cookie_header(signed_out).lower()
    assert auth.resolve(session, token) is None
    assert replay.get("/api/xero/connect").headers["location"].startswith("/login?next=")


def test_a_cross_site_page_cannot_sign_anyone_in_or_out(session: Session, make_actor) -> None:
    actor = make_actor(Role.OWNER)
    token = auth.log_in(session, email=actor.email, password=PASSWORD).token
    evil = _client(EVIL)
    before = snapshot()
    login_csrf = _sign_in(evil, actor.email)
    evil.cookies.set(SESSION_COOKIE, token)
    logout_csrf = evil.post("/api/session/sign-out")
    no_origin = TestClient(api, base_url=get_settings().app_url, follow_redirects=False)
    assert "error=origin" in login_csrf.headers["location"] and SESSION_COOKIE not in login_csrf.cookies
    assert "error=origin" in _sign_in(no_origin, actor.email).headers["location"]
    assert logout_csrf.status_code == 303 and auth.resolve(session, token) is not None
    assert changed_tables(before, snapshot()) == []


def test_password_guessing_locks_the_address_and_then_even_the_right_password_waits(
        session: Session, make_actor, browser: TestClient) -> None:
    actor = make_actor(Role.OWNER)
    answers = [_sign_in(browser, actor.email, "wrong-guess").headers["location"] for _ in range(5)]
    right = _sign_in(browser, actor.email).headers["location"]
    assert all("error=credentials" in answer for answer in answers[:4]) and "error=locked" in answers[4]
    assert "error=locked" in right and "until=" in right


@pytest.mark.parametrize("next_path", [
    "//evil.example/", "/\\evil.example", "https://evil.example/", "javascript:alert(1)", "/%2F%2Fevil.example",
    "\\\\evil.example", "/\t/evil.example", " //evil.example", "http:evil.example", "%2F%2Fevil.example",
])
def test_after_sign_in_only_paths_of_this_app_are_followed(session: Session, make_actor, browser: TestClient,
                                                          next_path: str) -> None:
    location = _sign_in(browser, make_actor(Role.FINANCE).email, next_path=next_path).headers["location"]
    assert location == "/invoices"  # Finance's home page


def test_a_path_of_this_app_is_followed_after_sign_in(session: Session, make_actor, browser: TestClient) -> None:
    assert _sign_in(browser, make_actor(Role.FINANCE).email, next_path="/quotes?page=2").headers["location"] == \
        "/quotes?page=2"


def test_api_responses_carry_the_security_headers(browser: TestClient) -> None:
    headers = browser.get("/api/health").headers
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "strict-transport-security" not in headers  # plain http here


def test_a_page_may_run_exactly_the_inline_scripts_it_was_built_with() -> None:
    policy = page_policy(b"<html><script>window.a=1</script><script src='/x.js'></script></html>")
    script_src = next(part for part in policy.split("; ") if part.startswith("script-src"))
    assert script_src == "script-src 'self' 'unsafe-eval' 'sha256-WpNQcWxgTJamkluTtRGYllok20MyGquJpWh9YXWGA4E='"
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in script_src

"""Connecting Xero in the browser: MFA step-up, the sandbox's consent page, back Connected; then Disconnect."""

from __future__ import annotations

import datetime as dt
import time

import httpx
import pyotp
import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from myapprentice_app.db import get_engine
from myapprentice_app.domain.roles import Role
from myapprentice_app.integrations.xero import tokens
from myapprentice_app.models import XeroConnection
from tests.e2e.conftest import XERO_ORGANISATION, AppServer, _bright_spark, login, screenshot


def _code(secret: str, seconds_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds_ahead))


@pytest.fixture
def xero_not_connected(app_server: AppServer) -> None:
    """Start from a business that has never connected (other Xero tests keep a connection between them)."""
    with Session(get_engine(app_server.database_url)) as session:
        business = _bright_spark(session)
        for connection in session.exec(select(XeroConnection).where(XeroConnection.business_id == business.id)):
            session.delete(connection)
        session.commit()


def _access_token(app_server: AppServer) -> str:
    with Session(get_engine(app_server.database_url)) as session:
        business = _bright_spark(session)
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == business.id)).one()
        return tokens.read(connection)["access_token"]


def _xero_accepts(app_server: AppServer, access_token: str) -> bool:
    answer = httpx.get(f"{app_server.xero_sandbox_url}/connections",
                       headers={"authorization": f"Bearer {access_token}"})
    return answer.status_code == 200


def test_an_owner_connects_xero_after_an_mfa_step_up_and_then_disconnects_it(
        page: Page, app_server: AppServer, new_member, xero_not_connected: None) -> None:
    owner = new_member(Role.OWNER)
    login(page, app_server, owner)
    page.goto(f"{app_server.url}/settings/security")
    page.get_by_role("button", name="Set up two-step sign-in").click()
    secret = page.get_by_test_id("mfa-secret").inner_text()
    page.get_by_placeholder("123456").fill(_code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_test_id("mfa-status")).to_have_text("On")

    page.get_by_role("link", name="Integrations").click()
    page.wait_for_url("**/settings/integrations")
    expect(page.get_by_test_id("xero-connection-status")).to_have_text("Not connected")
    page.get_by_test_id("connect-xero").click()
    page.get_by_test_id("step-up-code").fill(_code(secret))
    screenshot(page, "xero-connect-step-up")
    page.get_by_test_id("step-up-confirm").click()

    page.wait_for_url(f"{app_server.xero_sandbox_url}/identity/connect/authorize**")
    expect(page.get_by_role("heading", name="Xero Sandbox")).to_be_visible()
    page.get_by_label(XERO_ORGANISATION).check()
    screenshot(page, "xero-sandbox-consent")
    page.get_by_role("button", name="Allow access").click()

    page.wait_for_url("**/settings/integrations?xero=connected")
    expect(page.get_by_test_id("xero-connection-status")).to_have_text("Connected")
    expect(page.get_by_test_id("xero-organisation")).to_have_text(XERO_ORGANISATION)
    screenshot(page, "xero-connected")
    access_token = _access_token(app_server)
    assert _xero_accepts(app_server, access_token)

    page.get_by_test_id("disconnect-xero").click()
    expect(page.get_by_test_id("disconnect-confirmation")).to_contain_text("Disconnect Xero?")
    page.get_by_test_id("step-up-code").fill(_code(secret, seconds_ahead=30))  # a code not used before
    page.get_by_test_id("step-up-confirm").click()
    expect(page.get_by_test_id("xero-connection-status")).to_have_text("Not connected")
    expect(page.get_by_test_id("connect-xero")).to_have_text("Connect to Xero")
    screenshot(page, "xero-disconnected")

    deadline = time.monotonic() + 20  # a worker revokes the token at Xero, off the foreground event
    while _xero_accepts(app_server, access_token):
        assert time.monotonic() < deadline, "Xero still accepts the disconnected token"
        time.sleep(0.1)

"""The second demo business connects its own Xero organisation (issue 10, point 9; issue 12, point 8): the one
Bright Spark uses is refused with a clear message; its own is accepted and the Xero tab suggests settings from
its chart, which count once saved."""

from __future__ import annotations

import os
import time
from urllib.parse import parse_qs, unquote, urlencode, urlparse

import httpx
import pyotp
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from myapprentice_app.db import get_engine
from myapprentice_app.demo import DEMO_PASSWORD, SOLO_BUSINESS
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import Business, Membership, TaxRate, XeroConnection, XeroSettings
from myapprentice_app.services import auth, second_factor
from tests.e2e.conftest import AppServer, login, screenshot
from tests.support.waiting import wait_until
from tests.support.xero_sandbox import SandboxAdmin

SOLO_ORGANISATION = "Solo Plumbing (Demo)"


def _solo(session: Session) -> Business:
    return session.exec(select(Business).where(Business.name == SOLO_BUSINESS)).one()


def _connect_solo(app_server: AppServer, admin: SandboxAdmin, tenant_id: str) -> str:
    """A Solo Plumbing owner with two-step sign-in connects through the app's routes and the consent page;
    returns where the app sent the browser back to."""
    with Session(get_engine(app_server.database_url)) as session:
        email = f"xero.solo.{os.urandom(4).hex()}@soloplumbing.test"
        user = auth.create_user(session, email=email, name="Solo Owner", password=DEMO_PASSWORD)
        session.add(Membership(user_id=user.id, business_id=_solo(session).id, role=Role.OWNER.value))
        session.commit()
        token = auth.log_in(session, email=email, password=DEMO_PASSWORD).token
        owner = auth.resolve(session, token)
        assert owner is not None
        secret = second_factor.begin_totp_enrolment(session, owner).secret
        second_factor.confirm_totp_enrolment(session, owner, token=token, secret=secret, code=pyotp.TOTP(secret).now())
    app = httpx.Client(base_url=app_server.url, cookies={"ma_session": token}, timeout=30)
    consent_url = app.get("/api/xero/connect").headers["location"]
    params = {key: values[0] for key, values in parse_qs(urlparse(consent_url).query).items()}
    form = {**params, "email": "sophie@soloplumbing.example", "password": "demo-password", "action": "allow"}
    allowed = admin.http.post("/identity/connect/authorize", content=urlencode([*form.items(), ("tenant", tenant_id)]),
                              headers={"content-type": "application/x-www-form-urlencoded"})
    back = urlparse(allowed.headers["location"])
    return app.get(f"{back.path}?{back.query}").headers["location"]


def _solo_connection(app_server: AppServer) -> XeroConnection | None:
    with Session(get_engine(app_server.database_url)) as session:
        return session.exec(select(XeroConnection).where(XeroConnection.business_id == _solo(session).id)).first()


def test_solo_plumbing_is_refused_bright_sparks_organisation_then_connects_its_own_and_confirms_the_suggestions(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin, xero_connected: str) -> None:
    refused = _connect_solo(app_server, xero_admin, xero_connected)  # Bright Spark's organisation

    assert "already connected to another MyApprentice business" in unquote(refused)
    assert _solo_connection(app_server) is None
    login(page, app_server, "sole@soloplumbing.test")
    page.goto(f"{app_server.url}{refused}")  # where the app sent the consent back to
    expect(page.get_by_text("already connected to another MyApprentice business")).to_be_visible()
    screenshot(page, "xero-organisation-in-use")

    solo_tenant = next(org["tenantId"] for org in xero_admin.organisations() if org["name"] == SOLO_ORGANISATION)
    assert _connect_solo(app_server, xero_admin, solo_tenant).endswith("xero=connected")
    deadline = time.monotonic() + 30
    while not ((connection := _solo_connection(app_server)) and connection.cache_refreshed_at):
        assert time.monotonic() < deadline, "the worker never loaded the organisation's chart"
        time.sleep(0.1)

    page.goto(f"{app_server.url}/settings/xero")
    expect(page.get_by_test_id("xero-organisation")).to_have_text(SOLO_ORGANISATION)
    expect(page.get_by_label("Labour lines")).to_contain_text("200 · Sales")
    expect(page.get_by_label("Payment account for manual payments")).to_contain_text("090 · Business Bank Account")
    expect(page.get_by_label("GST 10% (10%)")).to_contain_text("GST on Income (OUTPUT)")
    expect(page.get_by_test_id("xero-suggestion").first).to_be_visible()
    screenshot(page, "xero-settings-suggested")
    with Session(get_engine(app_server.database_url)) as session:
        connected_with = session.get(XeroSettings, _solo(session).id)  # nothing counts until a person saves
        assert connected_with.labour_account is None and connected_with.payment_account is None

    page.get_by_test_id("save-xero-settings").click()
    expect(page.get_by_text("Xero settings saved.")).to_be_visible()
    expect(page.get_by_test_id("xero-suggestion")).to_have_count(0)
    with Session(get_engine(app_server.database_url)) as session:
        business = _solo(session)
        settings = session.get(XeroSettings, business.id)
        assert settings is not None
        assert (settings.labour_account, settings.other_account, settings.payment_account) == ("200", "260", "090")
        rates = {r.name: r.xero_tax_type
                 for r in session.exec(select(TaxRate).where(TaxRate.business_id == business.id))}
        assert rates == {"GST 10%": "OUTPUT", "GST free": "EXEMPTOUTPUT"}

    # A tax rate mapped to a Xero type of another rate is saved only once the warning is confirmed.
    page.get_by_label("GST 10% (10%)").click()
    page.get_by_role("option").filter(has_text="GST Free Income (EXEMPTOUTPUT) · 0%").click()
    page.get_by_test_id("save-xero-settings").click()
    expect(page.get_by_test_id("tax-rate-warning")).to_contain_text("different rate")
    expect(page.get_by_text("GST 10% is 10%, but Xero's GST Free Income (EXEMPTOUTPUT) is 0%.")).to_be_visible()
    screenshot(page, "xero-settings-rate-warning")
    assert _gst_mapping(app_server) == "OUTPUT"
    page.get_by_label("Map it anyway").check()
    page.get_by_test_id("save-xero-settings").click()
    expect(page.get_by_test_id("tax-rate-warning")).to_have_count(0)
    wait_until(lambda: _gst_mapping(app_server) == "EXEMPTOUTPUT", seconds=10, waiting_for="the confirmed mapping")


def _gst_mapping(app_server: AppServer) -> str | None:
    with Session(get_engine(app_server.database_url)) as session:
        return session.exec(select(TaxRate.xero_tax_type).where(TaxRate.business_id == _solo(session).id,
                                                               TaxRate.name == "GST 10%")).one()

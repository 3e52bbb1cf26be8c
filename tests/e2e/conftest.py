"""Browser tests: one production build per test run, served on one port, driven by Debian's Chromium.

The server gets its own seeded database (the demo data), separate from the per-test database of the
other tiers, and its own Reflex work directory so a developer's running app is left alone.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pyotp
import pytest

from myapprentice_app.demo import DEMO_PASSWORD
from tests.support.app_process import AppServer
from tests.support.browser import login, screenshot  # noqa: F401 (the browser tests import them from here)
from tests.support.xero_sandbox import SandboxAdmin

XERO_ORGANISATION = "Bright Spark Electrical (Demo)"  # the organisation the sandbox starts with
CALM = {"latency_ms": 0, "rate_limits": "off", "p_429": 0, "p_500": 0, "p_503": 0, "p_drop_after_commit": 0}


@pytest.fixture
def new_member(app_server: AppServer):
    """new_member(Role.ADMIN) -> the email of a fresh Bright Spark member (or of `business`), for tests that
    change a user."""
    from sqlmodel import Session, select

    from myapprentice_app.db import get_engine
    from myapprentice_app.demo import TEAM_BUSINESS
    from myapprentice_app.models import Business, Membership
    from myapprentice_app.services import auth

    def _make(role, business_name: str = TEAM_BUSINESS) -> str:  # type: ignore[no-untyped-def]
        email = f"{role.value}.{os.urandom(4).hex()}@example.test"
        with Session(get_engine(app_server.database_url)) as session:
            business = session.exec(select(Business).where(Business.name == business_name)).one()
            user = auth.create_user(session, email=email, name=f"New {role.label}", password=DEMO_PASSWORD)
            session.add(Membership(user_id=user.id, business_id=business.id, role=role.value))
            session.commit()
        return email

    return _make


@pytest.fixture(scope="session")
def xero_admin(app_server: AppServer) -> SandboxAdmin:
    """The sandbox's /sandbox-admin/ API (the same sandbox the app and its worker talk to)."""
    return SandboxAdmin(app_server.xero_sandbox_url)


@pytest.fixture(scope="session")
def xero_tenant(xero_admin: SandboxAdmin) -> str:
    return next(org["tenantId"] for org in xero_admin.organisations() if org["name"] == XERO_ORGANISATION)


@pytest.fixture
def xero_connected(app_server: AppServer, xero_admin: SandboxAdmin, xero_tenant: str) -> Iterator[str]:
    """Bright Spark connected to the sandbox organisation, with accounts and GST mapped; yields its tenant id.

    The connection is made the way a browser makes it (the app's /api/xero/connect, the sandbox's consent form,
    the app's callback), by a fresh Owner with MFA; it is kept between tests and only remade when a test has
    disconnected it or Xero has revoked it.
    """
    xero_admin.faults(**CALM)
    if _connection_status(app_server) != "connected":
        connect_xero(app_server, xero_admin, xero_tenant)
    yield xero_tenant
    xero_admin.faults(**CALM)


def _bright_spark(session):  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from myapprentice_app.demo import TEAM_BUSINESS
    from myapprentice_app.models import Business

    return session.exec(select(Business).where(Business.name == TEAM_BUSINESS)).one()


def _business_named(session, name: str):  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from myapprentice_app.models import Business

    return session.exec(select(Business).where(Business.name == name)).one()


def _connection_status(app_server: AppServer, business_name: str = "") -> str:
    from sqlmodel import Session, select

    from myapprentice_app.db import get_engine
    from myapprentice_app.models import XeroConnection

    with Session(get_engine(app_server.database_url)) as session:
        business = _business_named(session, business_name) if business_name else _bright_spark(session)
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == business.id)).first()
        if connection is None:
            return "not_connected"
        return connection.status if connection.cache_refreshed_at else "loading"


def connect_xero(app_server: AppServer, admin: SandboxAdmin, tenant_id: str, business_name: str = "") -> None:
    """Connect a business (Bright Spark unless named) to a sandbox organisation, with accounts and GST mapped."""
    from sqlmodel import Session, select

    from myapprentice_app.db import get_engine
    from myapprentice_app.domain.roles import Role
    from myapprentice_app.models import Membership, TaxRate, XeroConnection
    from myapprentice_app.services import auth, second_factor, xero_settings

    engine = get_engine(app_server.database_url)
    with Session(engine) as session:
        business = _business_named(session, business_name) if business_name else _bright_spark(session)
        # A Xero user's connections to this app add up (as in Xero): another business signs in as its own Xero user.
        xero_user = f"demo@business{business.id}.example" if business_name else "demo@brightspark.example"
        email = f"xero.owner.{os.urandom(4).hex()}@brightspark.test"
        user = auth.create_user(session, email=email, name="Xero Owner", password=DEMO_PASSWORD)
        session.add(Membership(user_id=user.id, business_id=business.id, role=Role.OWNER.value))
        session.commit()
        token = auth.log_in(session, email=email, password=DEMO_PASSWORD).token
        owner = auth.resolve(session, token)
        assert owner is not None
        secret = second_factor.begin_totp_enrolment(session, owner).secret
        second_factor.confirm_totp_enrolment(session, owner, token=token, secret=secret, code=pyotp.TOTP(secret).now())

    app = httpx.Client(base_url=app_server.url, cookies={"ma_session": token}, timeout=30)
    consent_url = app.get("/api/xero/connect").headers["location"]
    assert consent_url.startswith(admin.base_url), consent_url
    assert admin.http.get(consent_url).status_code == 200
    params = {key: values[0] for key, values in parse_qs(urlparse(consent_url).query).items()}
    form = {**params, "email": xero_user, "password": "demo-password", "action": "allow"}
    allowed = admin.http.post("/identity/connect/authorize", content=urlencode([*form.items(), ("tenant", tenant_id)]),
                              headers={"content-type": "application/x-www-form-urlencoded"})
    back = urlparse(allowed.headers["location"])
    assert app.get(f"{back.path}?{back.query}").headers["location"].endswith("xero=connected")

    deadline = time.monotonic() + 30
    while _connection_status(app_server, business_name) != "connected":  # the worker loads accounts and tax rates
        assert time.monotonic() < deadline, "the worker never loaded the organisation's accounts"
        time.sleep(0.1)
    with Session(engine) as session:
        owner = auth.resolve(session, token)
        assert owner is not None
        rates = session.exec(select(TaxRate).where(TaxRate.business_id == owner.business_id)).all()
        xero_settings.save_settings(session, owner, {
            "labour_account": "200", "materials_account": "200", "other_account": "260",
            "payment_account": "090", "stripe_account": "", "push_as": "authorised", "contact_policy": "create",
        }, {rate.id or 0: ("OUTPUT" if rate.rate else "EXEMPTOUTPUT") for rate in rates})
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == owner.business_id)).one()
        assert connection.tenant_id == tenant_id

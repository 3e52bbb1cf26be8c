"""The Xero sandbox over real HTTP on a free port, huey in immediate mode, and a connected business."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlparse

import pyotp
import pytest
from sqlmodel import Session, select

from myapprentice_app.domain.money import AmountsAre, document_totals, line_totals
from myapprentice_app.domain.roles import Role
from myapprentice_app.jobs.huey_app import huey
from myapprentice_app.models import Business, Client, Invoice, LineItem, Membership, TaxRate
from myapprentice_app.services import auth, second_factor, xero_connection, xero_settings
from myapprentice_app.services.principal import Principal
from tests.conftest import PASSWORD
from tests.support.xero_sandbox import SandboxAdmin as Admin

TODAY = dt.date.today()


@pytest.fixture(autouse=True)
def immediate_huey() -> Iterator[None]:
    huey.immediate = True
    yield
    huey.immediate = False


@contextmanager
def worker_busy() -> Iterator[None]:
    """What the services queue inside the block waits, as for a busy worker, and runs when the block ends."""
    huey.immediate_use_memory = False  # keep immediate mode's in-memory queue
    huey.immediate = False
    try:
        yield
    finally:
        while (task := huey.dequeue()) is not None:
            huey.execute(task)
        huey.immediate = True
        huey.immediate_use_memory = True


@pytest.fixture(autouse=True)
def calm_sandbox(admin: Admin) -> Iterator[None]:
    admin.post("reset")
    yield
    admin.faults(latency_ms=0, rate_limits="off", p_429=0, p_500=0, p_503=0, p_drop_after_commit=0,
                 unique_numbers=True, day_limit=5000)


def with_mfa(session: Session, actor: Principal) -> Principal:
    """Turn TOTP on for the actor the way the Security tab does; the session then holds a fresh step-up."""
    outcome = auth.log_in(session, email=actor.email, password="correct-horse-battery")
    enrolment = second_factor.begin_totp_enrolment(session, actor)
    second_factor.confirm_totp_enrolment(session, actor, token=outcome.token, secret=enrolment.secret,
                                code=pyotp.TOTP(enrolment.secret).now())
    principal = auth.resolve(session, outcome.token)
    assert principal is not None and principal.recent_mfa
    return principal


def other_business_owner(session: Session, name: str = "Rival Plumbing") -> Principal:
    business = Business(name=name)
    session.add(business)
    session.commit()
    user = auth.create_user(session, email=f"owner@{name.split()[0].lower()}.test", name="Rival", password=PASSWORD)
    session.add(Membership(user_id=user.id, business_id=business.id, role=Role.OWNER.value))
    session.commit()
    principal = auth.resolve(session, auth.log_in(session, email=user.email, password=PASSWORD).token)
    assert principal is not None
    return with_mfa(session, principal)


def consent(admin: Admin, authorize_url: str, tenant_ids: list[str]) -> dict[str, str]:
    """Fill in the sandbox's consent page as a person would; returns the query Xero redirects back with."""
    page = admin.http.get(authorize_url.replace(admin.base_url, ""))
    assert page.status_code == 200, page.text
    params = {key: values[0] for key, values in parse_qs(urlparse(authorize_url).query).items()}
    form = {**params, "email": "demo@brightspark.example", "password": "demo-password", "action": "allow"}
    body = urlencode([*form.items(), *[("tenant", t) for t in tenant_ids]])
    response = admin.http.post("/identity/connect/authorize", content=body,
                               headers={"content-type": "application/x-www-form-urlencoded"})
    assert response.status_code == 302, response.text
    return {key: values[0] for key, values in parse_qs(urlparse(response.headers["location"]).query).items()}


@pytest.fixture
def owner(session: Session, make_actor) -> Principal:
    return with_mfa(session, make_actor(Role.OWNER))


@pytest.fixture
def tenant(admin: Admin) -> str:
    return admin.new_organisation("Bright Spark Electrical (Test)")


@pytest.fixture
def connected(session: Session, owner: Principal, admin: Admin, tenant: str) -> Principal:
    """The owner connects through the real consent flow, and maps accounts and GST from the pickers."""
    url = xero_connection.start_connect(session, owner)
    back = consent(admin, url, [tenant])
    status = xero_connection.finish_connect(session, owner, state=back["state"], code=back.get("code"), error=None)
    assert status == "connected"  # which also loaded the organisation's accounts and tax rates
    rate = TaxRate(business_id=owner.business_id, name="GST 10%", rate=Decimal(10), is_default=True)
    session.add(rate)
    session.commit()
    xero_settings.save_settings(session, owner, {
        "labour_account": "200", "materials_account": "200", "other_account": "260", "payment_account": "090",
        "stripe_account": "615", "push_as": "authorised", "contact_policy": "create"}, {rate.id or 0: "OUTPUT"})
    return owner


def make_invoices(session: Session, business_id: int, count: int, *, clients: int = 10, status: str = "authorised",
                  prefix: str = "MA-", start: int = 1) -> list[int]:
    """Invoices straight into the database (the invoicing services are tested elsewhere; 1,000 must be quick)."""
    rate = session.exec(select(TaxRate).where(TaxRate.business_id == business_id)).first()
    made_clients = []
    for index in range(clients):
        client = Client(business_id=business_id, name=f"Client {prefix}{index:04d}",
                        email=f"client{index}@example.test")
        session.add(client)
        made_clients.append(client)
    session.flush()
    ids = []
    for number in range(start, start + count):
        lines = [(Decimal("2"), Decimal("95.50"), "labour"), (Decimal("1"), Decimal("40.25"), "materials")]
        totals = [line_totals(q, u, Decimal(10), AmountsAre.EXCLUSIVE) for q, u, _ in lines]
        document = document_totals(totals, AmountsAre.EXCLUSIVE)
        invoice = Invoice(business_id=business_id, client_id=made_clients[number % clients].id or 0,
                          number=f"{prefix}{number:05d}", issue_date=TODAY, due_date=TODAY + dt.timedelta(days=14),
                          status=status, subtotal=document.subtotal, total_tax=document.total_tax,
                          total=document.total, currency="AUD")
        session.add(invoice)
        session.flush()
        for position, ((quantity, unit, category), line) in enumerate(zip(lines, totals, strict=True)):
            session.add(LineItem(invoice_id=invoice.id, position=position, description=f"Work {position}",
                                 quantity=quantity, unit_amount=unit, category=category,
                                 tax_rate_id=rate.id if rate else None, line_amount=line.line_amount,
                                 tax_amount=line.tax_amount))
        ids.append(invoice.id or 0)
    session.commit()
    return ids

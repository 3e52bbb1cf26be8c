"""What the benchmarks share: a business connected to the Xero sandbox with many invoices, subprocesses, waits."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import time
from collections.abc import Callable
from decimal import Decimal
from typing import TypeVar

import httpx
from sqlmodel import Session

from myapprentice_app.db import utcnow
from myapprentice_app.domain.money import AmountsAre, document_totals, line_totals
from myapprentice_app.domain.roles import Role
from myapprentice_app.integrations.xero import tokens
from myapprentice_app.integrations.xero.oauth import sdk_token
from myapprentice_app.models import (
    Business,
    Client,
    Invoice,
    LineItem,
    Membership,
    TaxRate,
    XeroConnection,
    XeroSettings,
)
from myapprentice_app.services import auth
from myapprentice_app.services.principal import Principal
from myapprentice_app.sync import cache
from myapprentice_app.sync.context import OrgContext

T = TypeVar("T")


def start(command: list[str]) -> subprocess.Popen:
    return subprocess.Popen(command, env=os.environ.copy(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)


def seed(session: Session, tenant_id: str, admin: httpx.Client, invoices: int, clients_count: int,
         owner_email: str = "owner@bench.test") -> Principal:
    """A business connected to the sandbox organisation `tenant_id`, with `invoices` authorised invoices for
    `clients_count` clients; returns its Owner (`owner_email`), signed in."""
    business = Business(name="Bench Electrical")
    session.add(business)
    session.commit()
    user = auth.create_user(session, email=owner_email, name="Owner", password="bench-password-1")
    session.add(Membership(user_id=user.id or 0, business_id=business.id or 0, role=Role.OWNER.value))
    session.commit()
    token = sdk_token(admin.post("/sandbox-admin/tokens", json={"tenantIds": [tenant_id]}).json())
    connection = XeroConnection(business_id=business.id or 0, status="connected", tenant_id=tenant_id,
                                tenant_name="Bench Org", token_enc="", access_expires_at=utcnow())
    tokens.store(connection, token)
    session.add(connection)
    rate = TaxRate(business_id=business.id or 0, name="GST 10%", rate=Decimal(10), xero_tax_type="OUTPUT")
    settings = XeroSettings(business_id=business.id or 0, labour_account="200", materials_account="200",
                            other_account="260", payment_account="090")
    session.add_all([rate, settings])
    session.commit()
    cache.refresh(OrgContext(business_id=business.id or 0, tenant_id=tenant_id, settings=settings))
    clients = [Client(business_id=business.id or 0, name=f"Bench Client {i:03d}") for i in range(clients_count)]
    session.add_all(clients)
    session.flush()
    lines = [(Decimal("2"), Decimal("95.50")), (Decimal("1"), Decimal("40.25"))]
    totals = [line_totals(q, u, Decimal(10), AmountsAre.EXCLUSIVE) for q, u in lines]
    document = document_totals(totals, AmountsAre.EXCLUSIVE)
    today = dt.date.today()
    for number in range(invoices):
        invoice = Invoice(business_id=business.id or 0, client_id=clients[number % clients_count].id or 0,
                          number=f"B-{number:05d}", issue_date=today, due_date=today + dt.timedelta(days=14),
                          status="authorised", subtotal=document.subtotal, total_tax=document.total_tax,
                          total=document.total)
        session.add(invoice)
        session.flush()
        for position, ((quantity, unit), line) in enumerate(zip(lines, totals, strict=True)):
            session.add(LineItem(invoice_id=invoice.id, position=position, description="Work", quantity=quantity,
                                 unit_amount=unit, category="labour", tax_rate_id=rate.id,
                                 line_amount=line.line_amount, tax_amount=line.tax_amount))
    session.commit()
    principal = auth.resolve(session, auth.log_in(session, email=owner_email, password="bench-password-1").token)
    assert principal is not None
    return principal


def wait_for(condition: Callable[[], T | None], seconds: float, what: str, every: float = 0.05) -> T:
    deadline = time.monotonic() + seconds
    while not (outcome := condition()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {seconds:g} s for {what}")
        time.sleep(every)
    return outcome


def answers(client: httpx.Client, path: str) -> bool:
    try:
        return client.get(path).status_code == 200
    except httpx.TransportError:
        return False

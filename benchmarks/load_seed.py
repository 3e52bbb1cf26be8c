"""The load benchmark's data: BUSINESSES businesses of INVOICES_PER_BUSINESS invoices and USERS people, the first
business connected to the Xero sandbox with its owner (SENDER), who presses Send all."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

import httpx

USERS = 50
BUSINESSES = 10
INVOICES_PER_BUSINESS = 5000
PASSWORD = "bench-password-1"
SENDER = "sender@load0.test"
STATUSES = ["draft", "authorised", "sent", "paid"]


def seed_businesses(database_url: str, tenant_id: str, sandbox_url: str) -> list[str]:
    """BUSINESSES businesses of INVOICES_PER_BUSINESS invoices each and USERS people; the first one on Xero."""
    from sqlmodel import Session, insert, select

    from myapprentice_app.db import get_engine, utcnow
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
        User,
        XeroConnection,
        XeroSettings,
    )
    from myapprentice_app.security import hash_password
    from myapprentice_app.sync import cache
    from myapprentice_app.sync.context import OrgContext

    rng = random.Random(13)
    password_hash = hash_password(PASSWORD)
    emails = []
    roles = [Role.OWNER, Role.ADMIN, Role.FINANCE]
    today = dt.date.today()
    with Session(get_engine(database_url), expire_on_commit=False) as session:
        for b in range(BUSINESSES):
            business = Business(name=f"Load Business {b}")
            session.add(business)
            session.flush()
            bid = business.id or 0
            for u in range(USERS // BUSINESSES):
                email = f"user{u}@load{b}.test"
                user = User(email=email, name=f"Person {u} of {b}", password_hash=password_hash)
                session.add(user)
                session.flush()
                session.add(Membership(user_id=user.id or 0, business_id=bid, role=roles[u % len(roles)].value))
                emails.append(email)
            clients = [Client(business_id=bid, name=f"Bench Client {i}") for i in range(20)]
            session.add_all(clients)
            rate = TaxRate(business_id=bid, name="GST 10%", rate=Decimal(10), xero_tax_type="OUTPUT")
            session.add(rate)
            session.flush()
            rows = []
            for index in range(INVOICES_PER_BUSINESS):
                issued = today - dt.timedelta(days=rng.randint(0, 700))
                rows.append({"business_id": bid, "client_id": clients[index % 20].id, "number": f"B{b}-{index:05d}",
                             "issue_date": issued, "due_date": issued + dt.timedelta(days=14),
                             "status": "authorised" if b == 0 else rng.choice(STATUSES),
                             "subtotal": Decimal("100.00"), "total_tax": Decimal("10.00"), "total": Decimal("110.00"),
                             "reference": f"Job {index}"})
            session.execute(insert(Invoice), rows)
            ids = session.exec(select(Invoice.id).where(Invoice.business_id == bid)).all()
            session.execute(insert(LineItem), [
                {"invoice_id": invoice_id, "position": 0, "description": "Work", "quantity": Decimal(1),
                 "unit_amount": Decimal("100.00"), "category": "labour", "tax_rate_id": rate.id,
                 "line_amount": Decimal("100.00"), "tax_amount": Decimal("10.00")} for invoice_id in ids])
            if b == 0:  # its owner, who presses Send all (not one of the simulated people)
                owner = User(email=SENDER, name="Owner", password_hash=password_hash)
                session.add(owner)
                session.flush()
                session.add(Membership(user_id=owner.id or 0, business_id=bid, role=Role.OWNER.value))
                token = sdk_token(httpx.post(f"{sandbox_url}/sandbox-admin/tokens",
                                             json={"tenantIds": [tenant_id]}).json())
                connection = XeroConnection(business_id=bid, status="connected", tenant_id=tenant_id,
                                            tenant_name="Load Org", token_enc="", access_expires_at=utcnow())
                tokens.store(connection, token)
                settings = XeroSettings(business_id=bid, labour_account="200", materials_account="200",
                                        other_account="260", payment_account="090")
                session.add_all([connection, settings])
                session.commit()
                cache.refresh(OrgContext(business_id=bid, tenant_id=tenant_id, settings=settings))
            session.commit()
    return emails

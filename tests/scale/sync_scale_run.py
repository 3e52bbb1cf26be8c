"""Run by test_sync_scale_out.py in its own process, with DATABASE_URL (PostgreSQL) and REDIS_URL set:
a Send all of 600 invoices under faults, worked by three huey consumers, one of them killed mid-run."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import httpx
from sqlmodel import Session, func, select

from myapprentice_app.db import get_engine, utcnow
from myapprentice_app.domain.money import AmountsAre, document_totals, line_totals
from myapprentice_app.domain.roles import Role
from myapprentice_app.integrations.xero import tokens
from myapprentice_app.integrations.xero.oauth import sdk_token
from myapprentice_app.jobs import tasks
from myapprentice_app.jobs.huey_app import huey
from myapprentice_app.migrate import upgrade
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
from myapprentice_app.services import auth, xero_sync
from myapprentice_app.sync import cache
from myapprentice_app.sync.context import OrgContext

INVOICES = 600


def consumer() -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "huey_consumer"), "myapprentice_app.jobs.huey_app.huey",
                             "-w", "3", "-k", "thread"], env=os.environ.copy(), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def main() -> None:
    upgrade()
    huey.flush()
    admin = httpx.Client(base_url=os.environ["XERO_SANDBOX_URL"], timeout=30)
    tenant_id = admin.post("/sandbox-admin/organisations", json={"name": "Scale Org"}).json()["tenantId"]
    with Session(get_engine(), expire_on_commit=False) as session:
        business = Business(name="Scale Electrical")
        session.add(business)
        session.commit()
        user = auth.create_user(session, email="owner@scale.test", name="Owner", password="scale-password-1")
        session.add(Membership(user_id=user.id, business_id=business.id, role=Role.OWNER.value))
        connection = XeroConnection(business_id=business.id or 0, status="connected", tenant_id=tenant_id,
                                    token_enc="", access_expires_at=utcnow())
        tokens.store(connection, sdk_token(admin.post("/sandbox-admin/tokens", json={"tenantIds": [tenant_id]}).json()))
        rate = TaxRate(business_id=business.id or 0, name="GST", rate=Decimal(10), xero_tax_type="OUTPUT")
        settings = XeroSettings(business_id=business.id or 0, labour_account="200", payment_account="090")
        session.add_all([connection, rate, settings])
        session.commit()
        cache.refresh(OrgContext(business_id=business.id or 0, tenant_id=tenant_id, settings=settings))
        clients = [Client(business_id=business.id or 0, name=f"Scale Client {i}") for i in range(12)]
        session.add_all(clients)
        session.flush()
        line = line_totals(Decimal(3), Decimal("80.00"), Decimal(10), AmountsAre.EXCLUSIVE)
        document = document_totals([line], AmountsAre.EXCLUSIVE)
        for number in range(INVOICES):
            invoice = Invoice(business_id=business.id or 0, client_id=clients[number % 12].id or 0,
                              number=f"S-{number:05d}", issue_date=dt.date.today(), due_date=dt.date.today(),
                              status="authorised", subtotal=document.subtotal, total_tax=document.total_tax,
                              total=document.total)
            session.add(invoice)
            session.flush()
            session.add(LineItem(invoice_id=invoice.id, description="Work", quantity=Decimal(3),
                                 unit_amount=Decimal("80.00"), tax_rate_id=rate.id, line_amount=line.line_amount,
                                 tax_amount=line.tax_amount))
        session.commit()
        actor = auth.resolve(session, auth.log_in(session, email="owner@scale.test", password="scale-password-1").token)
        admin.post("/sandbox-admin/faults", json={"p_500": 0.1, "p_429": 0.05, "p_drop_after_commit": 0.02,
                                                  "latency_ms": 100, "seed": 3})
        workers = [consumer() for _ in range(3)]
        run_id, _ = xero_sync.send_all(session, actor)  # type: ignore[arg-type]
        tasks.enqueue(run_id)

        def synced() -> int:
            session.expire_all()
            return session.exec(select(func.count()).select_from(Invoice)
                                .where(Invoice.sync_status == "synced")).one()

        deadline = time.monotonic() + 60
        while synced() < 50 and time.monotonic() < deadline:
            time.sleep(0.05)
        killed_at = synced()
        os.killpg(workers[0].pid, signal.SIGKILL)  # the one running the run, or not: either way nothing is lost
        deadline = time.monotonic() + 120
        while synced() < INVOICES and time.monotonic() < deadline:
            time.sleep(0.2)
        result = {"synced": synced(), "killed_at": killed_at}
        for worker in workers:
            try:
                os.killpg(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    numbers = [i["InvoiceNumber"] for i in admin.get(f"/sandbox-admin/organisations/{tenant_id}/invoices")
               .json()["Invoices"] if i["InvoiceNumber"].startswith("S-")]
    result.update(in_xero=len(numbers), distinct=len(set(numbers)))
    print(json.dumps(result))


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()

"""Run by test_sync_scale_out.py in its own process, with DATABASE_URL (PostgreSQL) and REDIS_URL set:
a Send all of 600 invoices under faults, worked by three huey consumers; the one running it is killed mid-run.

Which worker runs it is read from the database: the run's batches are sent by threads of the process that
holds the organisation's call slots (`XeroCallSlot.holder` is host:pid:thread). Prints one JSON line: how
many invoices synced, how many had when the owner was killed, which worker that was, and which workers
held the slots afterwards (the ones that finished the run)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import httpx
from sqlmodel import Session, col, func, select

from myapprentice_app.db import get_engine, utcnow
from myapprentice_app.domain.money import AmountsAre, document_totals, line_totals
from myapprentice_app.domain.roles import Role
from myapprentice_app.integrations.xero import tokens
from myapprentice_app.integrations.xero.oauth import sdk_token
from myapprentice_app.jobs import tasks  # noqa: F401  (registers the tasks the services queue)
from myapprentice_app.jobs.huey_app import huey
from myapprentice_app.migrate import upgrade
from myapprentice_app.models import (
    Business,
    Client,
    Invoice,
    LineItem,
    Membership,
    SyncRun,
    TaxRate,
    XeroCallSlot,
    XeroConnection,
    XeroSettings,
)
from myapprentice_app.services import auth, xero_sync
from myapprentice_app.services.principal import Principal
from myapprentice_app.sync import cache
from myapprentice_app.sync.context import OrgContext

INVOICES = 600
T = TypeVar("T")


def consumer() -> subprocess.Popen:
    return subprocess.Popen([str(Path(sys.executable).parent / "huey_consumer"), "myapprentice_app.jobs.huey_app.huey",
                             "-w", "3", "-k", "thread"], env=os.environ.copy(), start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(condition: Callable[[], T], seconds: float, what: str) -> T:
    deadline = time.monotonic() + seconds
    while not (outcome := condition()):
        if time.monotonic() > deadline:
            sys.exit(f"waited {seconds:g} s for {what}")
        time.sleep(0.1)
    return outcome


def send_all_killing_its_owner(session: Session, actor: Principal, tenant_id: str,
                               workers: list[subprocess.Popen]) -> dict[str, Any]:
    """Send all; once 50 invoices are in, kill the worker whose threads send the run; wait for the run to end."""
    run_id, _ = xero_sync.send_all(session, actor)  # queues it for the workers

    def synced() -> int:
        session.expire_all()
        return session.exec(select(func.count()).select_from(Invoice)
                            .where(Invoice.sync_status == "synced")).one()

    def senders() -> set[int]:
        """Which workers hold the organisation's call slots now: the one sending the run's batches."""
        session.expire_all()
        holders = session.exec(select(XeroCallSlot.holder).where(XeroCallSlot.tenant_id == tenant_id,
                                                                 col(XeroCallSlot.holder).is_not(None))).all()
        pids = {int(holder.split(":")[1]) for holder in holders if holder}
        return {index for index, worker in enumerate(workers) if worker.pid in pids and worker.poll() is None}

    wait_for(lambda: synced() >= 50, 60, "the first 50 invoices to sync")
    owners = wait_for(senders, 30, "a worker to hold the organisation's call slots")
    if len(owners) != 1:
        sys.exit(f"one run, yet workers {sorted(owners)} all hold its organisation's call slots")
    owner = owners.pop()
    os.killpg(workers[owner].pid, signal.SIGKILL)  # the worker running the run, mid-run
    workers[owner].wait()  # reaped, as a supervisor would: its slots are then seen to be a dead worker's
    killed_at = synced()

    finished_by: set[int] = set()

    def run_done() -> bool:
        finished_by.update(senders())
        run = session.get(SyncRun, run_id)
        return run is not None and run.state == "done" and synced() == INVOICES

    wait_for(run_done, 150, f"the run to finish after worker {owner} was killed at {killed_at} synced")
    return {"synced": synced(), "killed_at": killed_at, "killed": owner, "finished_by": sorted(finished_by)}


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
        assert actor is not None
        admin.post("/sandbox-admin/faults", json={"p_500": 0.1, "p_429": 0.05, "p_drop_after_commit": 0.02,
                                                  "latency_ms": 100, "seed": 3})
        workers = [consumer() for _ in range(3)]
        try:
            result = send_all_killing_its_owner(session, actor, tenant_id, workers)
        finally:
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

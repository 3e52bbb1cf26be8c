"""Run by test_sync_scale_out.py in its own process, with DATABASE_URL (PostgreSQL), REDIS_URL and HUEY_NAME set:
a Send all under faults (the sandbox's unique_numbers off), worked by three huey consumers, whose worker holding
the run is either killed mid-run (`kill`) or stopped past the run's lease and then let go on (`stall`).

Which worker holds the run is read from the database (`SyncRun.owner` is host:pid:thread of its claim). Prints one
JSON line: how many invoices synced, how many had when the owner was stopped or killed, which worker that was,
which workers held the run afterwards, how long the run took to move on, what the sandbox holds per number, and
the worst lines of every worker's log."""

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
import sqlalchemy as sa
from sqlmodel import Session, func, select

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
    XeroConnection,
    XeroSettings,
)
from myapprentice_app.services import auth, xero_sync
from myapprentice_app.services.principal import Principal
from myapprentice_app.sync import cache
from myapprentice_app.sync.context import OrgContext

INVOICES = 600
T = TypeVar("T")
LOGS = Path(os.environ["SCALE_LOG_DIR"])


def consumer(index: int) -> subprocess.Popen:
    log = open(LOGS / f"worker-{index}.log", "a")  # noqa: SIM115 - the worker writes to it until it ends
    return subprocess.Popen([str(Path(sys.executable).parent / "huey_consumer"), "myapprentice_app.jobs.huey_app.huey",
                             "-w", "3", "-k", "thread"], env=os.environ.copy(), start_new_session=True,
                            stdout=log, stderr=log)


def wait_for(condition: Callable[[], T], seconds: float, what: str) -> T:
    deadline = time.monotonic() + seconds
    while not (outcome := condition()):
        if time.monotonic() > deadline:
            sys.exit(f"waited {seconds:g} s for {what}\n{where_things_stand()}")
        time.sleep(0.05)
    return outcome


def where_things_stand() -> str:
    """For a failed wait: every database session's state, and the end of every worker's log."""
    with Session(get_engine()) as session:
        sessions = session.execute(sa.text(
            "SELECT application_name, state, wait_event, now() - xact_start, left(query, 100) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()")).all()
    logs = [f"--- {path.name}\n" + "\n".join(path.read_text(errors="replace").splitlines()[-25:])
            for path in sorted(LOGS.glob("worker-*.log"))]
    return "\n".join([*(" | ".join(map(str, row)) for row in sessions), *logs])


def send_all_losing_its_owner(session: Session, actor: Principal, workers: list[subprocess.Popen],
                              drill: str) -> dict[str, Any]:
    """Send all; once 50 invoices are in, kill (or stop) the worker holding the run; wait for the run to end."""
    run_id, _ = xero_sync.send_all(session, actor)  # queues it for the workers

    def synced() -> int:
        session.expire_all()
        return session.exec(select(func.count()).select_from(Invoice)
                            .where(Invoice.sync_status == "synced")).one()

    def holder() -> tuple[int, int] | None:
        """(the worker holding the run, its claim's generation)."""
        session.expire_all()
        run = session.get(SyncRun, run_id)
        if run is None or run.state != "running" or not run.owner:
            return None
        pid = int(run.owner.split(":")[1])
        owners = [index for index, worker in enumerate(workers) if worker.pid == pid]
        return (owners[0], run.generation) if owners else None

    wait_for(lambda: synced() >= 50, 60, "the first 50 invoices to sync")
    owner, generation = wait_for(holder, 30, "a worker to hold the run")
    lost_at = time.monotonic()
    if drill == "kill":
        os.killpg(workers[owner].pid, signal.SIGKILL)  # the worker running the run, mid-run
        workers[owner].wait()
    else:
        os.killpg(workers[owner].pid, signal.SIGSTOP)  # paused past the run's lease
    stopped_at = synced()
    # Still its claim after the signal: the process stopped was the run's holder, not one that had lost it already.
    session.expire_all()
    run = session.get(SyncRun, run_id)
    was_holder = (run is not None and run.generation == generation
                  and (run.owner or "").split(":")[1:2] == [str(workers[owner].pid)])
    successor = wait_for(lambda: (found := holder()) is not None and found[1] > generation and found,
                         60, f"another worker to take the run over from worker {owner}")
    moved_on_after = time.monotonic() - lost_at
    if drill == "stall":
        time.sleep(2.0)  # the successor is sending when the stopped worker wakes up
        os.killpg(workers[owner].pid, signal.SIGCONT)

    held_by = {successor[0]}

    def run_done() -> bool:
        if (found := holder()) is not None:
            held_by.add(found[0])
        run = session.get(SyncRun, run_id)
        return run is not None and run.state == "done" and synced() == INVOICES

    wait_for(run_done, 150, f"the run to finish after worker {owner} was lost at {stopped_at} synced")
    time.sleep(1.0)  # the woken worker finds it lost the run and stops
    return {"synced": synced(), "lost_at": stopped_at, "lost": owner, "lost_was_holder": was_holder,
            "finished_by": sorted(held_by),
            "moved_on_after": round(moved_on_after, 1)}


def worst_log_lines() -> list[str]:
    """Tracebacks, deadlocks and unhandled task errors from every worker's log."""
    bad = ("Traceback", "deadlock", "Unhandled exception", "ERROR")
    return [line.strip() for path in sorted(LOGS.glob("worker-*.log"))
            for line in path.read_text(errors="replace").splitlines() if any(word in line for word in bad)]


def seed_business(admin: httpx.Client, name: str, email: str, invoices: int) -> tuple[Principal, str]:
    """A business connected to a new sandbox organisation, with `invoices` authorised invoices numbered S-00000….
    Returns its signed-in owner and the organisation's tenant id."""
    tenant_id = admin.post("/sandbox-admin/organisations", json={"name": name}).json()["tenantId"]
    with Session(get_engine(), expire_on_commit=False) as session:
        business = Business(name=name)
        session.add(business)
        session.commit()
        user = auth.create_user(session, email=email, name="Owner", password="scale-password-1")
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
        for number in range(invoices):
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
        actor = auth.resolve(session, auth.log_in(session, email=email, password="scale-password-1").token)
    assert actor is not None
    return actor, tenant_id


def numbers_in_xero(admin: httpx.Client, tenant_id: str) -> list[str]:
    """The number of every S- invoice the sandbox organisation holds, once per invoice it holds."""
    return [i["InvoiceNumber"] for i in admin.get(f"/sandbox-admin/organisations/{tenant_id}/invoices")
            .json()["Invoices"] if i["InvoiceNumber"].startswith("S-")]


def main() -> None:
    upgrade()
    huey.flush()
    admin = httpx.Client(base_url=os.environ["XERO_SANDBOX_URL"], timeout=30)
    actor, tenant_id = seed_business(admin, "Scale Electrical", "owner@scale.test", INVOICES)
    with Session(get_engine(), expire_on_commit=False) as session:
        drill = sys.argv[1]
        admin.post("/sandbox-admin/faults", json={"p_500": 0.1, "p_429": 0.05, "p_drop_after_commit": 0.02,
                                                  "latency_ms": 100 if drill == "kill" else 400, "seed": 3,
                                                  "unique_numbers": False})
        workers = [consumer(index) for index in range(3)]
        try:
            result = send_all_losing_its_owner(session, actor, workers, drill)
        finally:
            for worker in workers:
                try:
                    os.killpg(worker.pid, signal.SIGCONT)
                    os.killpg(worker.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
    numbers = numbers_in_xero(admin, tenant_id)
    result.update(in_xero=len(numbers), distinct=len(set(numbers)), log_problems=worst_log_lines())
    print(json.dumps(result))


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()

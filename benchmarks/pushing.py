"""What the time-scaled push benchmarks share: a business connected to a time-scaled Xero sandbox, a real huey
worker, one Send all timed from the click to the run's finish, and the floor the limits allow.

`configure` sets the environment and must run before any `myapprentice_app` module is imported; everything
else imports the app inside the functions for that reason.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import signal
import socket
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

LATENCY = 0.150  # seconds per call, injected by the sandbox
CONCURRENT = 5
PER_MINUTE = 60
BATCH = 50


def configure(prefix: str, time_scale: float) -> Path:
    """A fresh SQLite database, queue and sandbox port; the engine told the sandbox's time scale."""
    work = Path(tempfile.mkdtemp(prefix=prefix))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    os.environ.update({
        "DATABASE_URL": f"sqlite:///{work / 'bench.db'}",
        "SECRET_KEY": "benchmark-secret-key-long-enough-for-derivation",
        "XERO_SANDBOX_URL": f"http://127.0.0.1:{port}",
        "HUEY_QUEUE_FILE": str(work / "queue.db"),
        "XERO_TIME_SCALE": str(time_scale),
    })
    return work


def floor_seconds(calls: int, time_scale: float, per_call: float = LATENCY) -> float:
    """Least time for `calls` calls, 5 at a time, 60 per (fixed, scaled) minute window, each taking `per_call`."""
    full_windows = max(0, math.ceil(calls / PER_MINUTE) - 1)
    last = calls - full_windows * PER_MINUTE
    return full_windows * 60.0 / time_scale + math.ceil(last / CONCURRENT) * per_call


def accounting_calls(admin: httpx.Client) -> dict[str, int]:
    """Every Accounting API call the sandbox answered (any status), by endpoint."""
    calls = admin.get("/sandbox-admin/stats").json()["calls"]
    return {endpoint: sum(counts.values()) for endpoint, counts in calls.items() if "/connect/" not in endpoint}


@dataclass
class Org:
    admin: httpx.Client
    tenant_id: str
    principal: Any
    session: Any


@contextmanager
def connected_org(invoices: int, clients: int, time_scale: float) -> Iterator[Org]:
    """A sandbox and a worker running, a business with `invoices` invoices connected to a sandbox organisation,
    Xero's real limits on at `time_scale`, 150 ms a call, Xero's own number check off."""
    from sqlmodel import Session

    from benchmarks.seeding import answers, seed, start, wait_for
    from myapprentice_app.db import get_engine
    from myapprentice_app.jobs import tasks
    from myapprentice_app.migrate import upgrade

    upgrade()
    sandbox = start([sys.executable, "-m", "myapprentice_app", "sandbox", "xero", "--port",
                      os.environ["XERO_SANDBOX_URL"].rsplit(":", 1)[1]])
    worker = None
    try:
        admin = httpx.Client(base_url=os.environ["XERO_SANDBOX_URL"], timeout=60)
        wait_for(lambda: answers(admin, "/sandbox-admin/organisations"), 20, "the Xero sandbox to start")
        tenant_id = admin.post("/sandbox-admin/organisations", json={"name": "Bench Org"}).json()["tenantId"]
        with Session(get_engine(), expire_on_commit=False) as session:
            principal = seed(session, tenant_id, admin, invoices, clients)
            worker = start([sys.executable, "-m", "myapprentice_app", "worker"])
            tasks.fetch_online_invoice_links(principal.business_id).get(blocking=True, timeout=60)  # type: ignore[attr-defined]
            admin.post("/sandbox-admin/faults", json={"rate_limits": "real", "latency_ms": int(LATENCY * 1000),
                                                      "unique_numbers": False, "time_scale": time_scale})
            yield Org(admin, tenant_id, principal, session)
    finally:
        for process in (worker, sandbox):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)


def send_all(org: Org, deadline: float) -> float:
    """Press Send all and wait for the worker to finish the run: seconds from the click to its finished_at."""
    from sqlmodel import select

    from benchmarks.seeding import wait_for
    from myapprentice_app.models import SyncRun
    from myapprentice_app.services import xero_sync

    clicked = time.time()
    run_id, _ = xero_sync.send_all(org.session, org.principal)

    def finished_at() -> dt.datetime | None:
        org.session.expire_all()
        return org.session.exec(select(SyncRun.finished_at).where(SyncRun.id == run_id)).one()

    return wait_for(finished_at, deadline, "the worker to finish the Send all", every=0.01).timestamp() - clicked


def synced_and_numbers(org: Org) -> tuple[int, list[str]]:
    """How many invoices the app shows Synced, and the B- numbers Xero holds (one per invoice it received)."""
    from sqlmodel import func, select

    from myapprentice_app.models import Invoice

    synced = org.session.exec(select(func.count()).select_from(Invoice).where(Invoice.sync_status == "synced")).one()
    numbers = [invoice["InvoiceNumber"] for invoice in
               org.admin.get(f"/sandbox-admin/organisations/{org.tenant_id}/invoices").json()["Invoices"]
               if invoice["InvoiceNumber"].startswith("B-")]
    return synced, numbers

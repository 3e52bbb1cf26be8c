"""Send all of 1,000 invoices to the Xero sandbox under Xero's real limits (60/min, 5 concurrent) and 150 ms
latency per call, through a real huey worker.

Prints: bulk_push_1000: seconds=S floor_seconds=F ratio_to_floor=R
  S: from the Send all click (marking 1,000 invoices Pending) until the worker marks the run done, every
     invoice Synced (the run's finished_at, on this machine's clock).
  F: the least time the limits and latency allow for the calls the job needs (5 at a time, 60 a minute, each
     taking the injected latency): 1,000 invoices in batches of 50 plus 40 contacts in batches of 50. A run
     that makes more calls than that (retries, extra reads) doesn't get a larger floor for them.
One invoice per call, actually run against our Send all, is per_invoice_baseline (bench_per_invoice_baseline.py).
The sandbox and the huey worker run in their own processes, as in production; the clock runs in this one.
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
from pathlib import Path
from typing import TypeVar

INVOICES = 1000
CLIENTS = 40
BATCH = 50  # Xero's batch size for invoices and contacts (summarizeErrors=false)
LATENCY = 0.150
CONCURRENT = 5
PER_MINUTE = 60
RUN_DEADLINE = 600  # seconds: far past any working run (its floor is under a second)

T = TypeVar("T")
WORK = Path(tempfile.mkdtemp(prefix="bench-push-"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


PORT = _free_port()
os.environ.update({
    "DATABASE_URL": f"sqlite:///{WORK / 'bench.db'}",
    "SECRET_KEY": "benchmark-secret-key-long-enough-for-derivation",
    "XERO_SANDBOX_URL": f"http://127.0.0.1:{PORT}",
    "HUEY_QUEUE_FILE": str(WORK / "queue.db"),
})

import httpx  # noqa: E402
from sqlmodel import Session, func, select  # noqa: E402

from benchmarks import cpu  # noqa: E402
from benchmarks.seeding import answers, seed, start, wait_for  # noqa: E402
from myapprentice_app.db import get_engine  # noqa: E402
from myapprentice_app.jobs import tasks  # noqa: E402,F401  (registers the tasks the services queue)
from myapprentice_app.migrate import upgrade  # noqa: E402
from myapprentice_app.models import (  # noqa: E402
    Invoice,
    SyncRun,
)
from myapprentice_app.services import xero_sync  # noqa: E402


def floor_seconds(calls: int, per_call: float) -> float:
    """Least time for `calls` calls, 5 at a time, 60 per (fixed) minute window, each taking `per_call`."""
    full_windows = max(0, math.ceil(calls / PER_MINUTE) - 1)
    last = calls - full_windows * PER_MINUTE
    return full_windows * 60.0 + math.ceil(last / CONCURRENT) * per_call


def accounting_calls(admin: httpx.Client) -> dict[str, int]:
    """Every Accounting API call the sandbox answered (contacts, invoices, reads; any status), by endpoint."""
    calls = admin.get("/sandbox-admin/stats").json()["calls"]
    return {endpoint: sum(counts.values()) for endpoint, counts in calls.items() if "/connect/" not in endpoint}


def main() -> int:
    upgrade()
    sandbox = start([sys.executable, "-m", "myapprentice_app", "sandbox", "xero", "--port", str(PORT)])
    worker = None
    try:
        admin = httpx.Client(base_url=os.environ["XERO_SANDBOX_URL"], timeout=30)
        wait_for(lambda: answers(admin, "/sandbox-admin/organisations"), 20, "the Xero sandbox to start")
        tenant_id = admin.post("/sandbox-admin/organisations", json={"name": "Bench Org"}).json()["tenantId"]
        with Session(get_engine(), expire_on_commit=False) as session:
            principal = seed(session, tenant_id, admin, INVOICES, CLIENTS)
            worker = start([sys.executable, "-m", "myapprentice_app", "worker"])  # as the Procfile
            # The consumer is up and taking tasks before the clock starts: a task with nothing to do, waited for.
            tasks.fetch_online_invoice_links(principal.business_id).get(blocking=True, timeout=60)  # type: ignore[attr-defined]
            # Xero's own number check off: only the engine keeps an invoice from arriving twice.
            admin.post("/sandbox-admin/faults", json={"rate_limits": "real", "latency_ms": int(LATENCY * 1000),
                                                      "unique_numbers": False})
            before = accounting_calls(admin)

            spent_before = cpu.process_seconds([worker.pid]), cpu.process_seconds([sandbox.pid])
            clicked = time.time()
            run_id, _ = xero_sync.send_all(session, principal)  # type: ignore[arg-type]  # queues it

            def finished_at() -> dt.datetime | None:
                session.expire_all()
                return session.exec(select(SyncRun.finished_at).where(SyncRun.id == run_id)).one()

            finished = wait_for(finished_at, RUN_DEADLINE, "the worker to finish the Send all", every=0.01)
            seconds = finished.timestamp() - clicked  # the worker's clock: this loop's polling isn't counted
            worker_cpu = cpu.process_seconds([worker.pid]) - spent_before[0]
            sandbox_cpu = cpu.process_seconds([sandbox.pid]) - spent_before[1]

            synced = session.exec(select(func.count()).select_from(Invoice)
                                  .where(Invoice.sync_status == "synced")).one()
            numbers = [invoice["InvoiceNumber"] for invoice in
                       admin.get(f"/sandbox-admin/organisations/{tenant_id}/invoices").json()["Invoices"]
                       if invoice["InvoiceNumber"].startswith("B-")]
        after = accounting_calls(admin)
        made = {endpoint: count - before.get(endpoint, 0) for endpoint, count in after.items()
                if count > before.get(endpoint, 0)}
        calls = sum(made.values())
        contact_calls = math.ceil(CLIENTS / BATCH)
        needed = math.ceil(INVOICES / BATCH) + contact_calls
        floor = floor_seconds(needed, LATENCY)
        print(f"bulk_push_1000: seconds={seconds:.2f} floor_seconds={floor:.2f} ratio_to_floor={seconds / floor:.2f}")
        print(f"# Floor from the {needed} calls needed; this run made {calls} "
              f"({', '.join(f'{endpoint} {count}' for endpoint, count in sorted(made.items()))}); "
              f"{synced} synced, {len(numbers)} in Xero under {len(set(numbers))} numbers (unique_numbers off)")
        print(f"# CPU seconds in that time: worker {worker_cpu:.2f} (one interpreter: its threads take turns), "
              f"sandbox {sandbox_cpu:.2f}; what is above the floor is mostly the worker's own CPU, so it depends "
              f"on this machine's speed")
        return 0 if synced == INVOICES == len(numbers) == len(set(numbers)) else 1
    finally:
        for process in (worker, sandbox):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())

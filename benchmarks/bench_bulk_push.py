"""Send all of 1,000 invoices to the Xero sandbox under Xero's real limits (60/min, 5 concurrent) and 150 ms
latency per call, through a real huey worker.

Prints: bulk_push_1000: seconds=S floor_seconds=F ratio_to_floor=R runs=3 each=R1,R2,R3
  S: from the Send all click (marking 1,000 invoices Pending) until the worker marks the run done, every
     invoice Synced (the run's finished_at, on this machine's clock); the median of 3 Send alls, each of a
     business of its own, one after another on the same worker once the previous one's calls have stopped.
     `each` gives every run's ratio: on a shared 2-core machine they spread by 0.2 or more.
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
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

INVOICES = 1000
CLIENTS = 40
BATCH = 50  # Xero's batch size for invoices and contacts (summarizeErrors=false)
LATENCY = 0.150
CONCURRENT = 5
PER_MINUTE = 60
RUNS = 3  # Send alls of fresh businesses, one after another: the median, and each one's ratio
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
from myapprentice_app.jobs.huey_app import huey  # noqa: E402
from myapprentice_app.migrate import upgrade  # noqa: E402
from myapprentice_app.models import (  # noqa: E402
    Invoice,
    SyncRun,
)
from myapprentice_app.services import xero_sync  # noqa: E402
from myapprentice_app.services.principal import Principal  # noqa: E402


def floor_seconds(calls: int, per_call: float) -> float:
    """Least time for `calls` calls, 5 at a time, 60 per (fixed) minute window, each taking `per_call`."""
    full_windows = max(0, math.ceil(calls / PER_MINUTE) - 1)
    last = calls - full_windows * PER_MINUTE
    return full_windows * 60.0 + math.ceil(last / CONCURRENT) * per_call


def accounting_calls(admin: httpx.Client) -> dict[str, int]:
    """Every Accounting API call the sandbox answered (contacts, invoices, reads; any status), by endpoint."""
    calls = admin.get("/sandbox-admin/stats").json()["calls"]
    return {endpoint: sum(counts.values()) for endpoint, counts in calls.items() if "/connect/" not in endpoint}


@dataclass
class Push:
    seconds: float  # the Send all click until the worker marked the run done, on the worker's clock
    calls: dict[str, int]  # Accounting API calls the sandbox answered, by endpoint
    synced: int
    numbers: list[str]  # the pushed invoices' numbers as the sandbox holds them
    worker_cpu: float
    sandbox_cpu: float


def push(session: Session, admin: httpx.Client, principal: Principal, tenant_id: str, worker: int,
         sandbox: int) -> Push:
    """One Send all of the business's invoices, timed from the click until the run is done."""
    before = _quiet(admin)
    spent_before = cpu.process_seconds([worker]), cpu.process_seconds([sandbox])
    clicked = time.time()
    run_id, _ = xero_sync.send_all(session, principal)  # queues it

    def finished_at() -> dt.datetime | None:
        session.expire_all()
        return session.exec(select(SyncRun.finished_at).where(SyncRun.id == run_id)).one()

    finished = wait_for(finished_at, RUN_DEADLINE, "the worker to finish the Send all", every=0.01)
    seconds = finished.timestamp() - clicked  # the worker's clock: this loop's polling isn't counted
    worker_cpu = cpu.process_seconds([worker]) - spent_before[0]
    sandbox_cpu = cpu.process_seconds([sandbox]) - spent_before[1]
    after = accounting_calls(admin)
    synced = session.exec(select(func.count()).select_from(Invoice).where(
        Invoice.business_id == principal.business_id, Invoice.sync_status == "synced")).one()
    numbers = [invoice["InvoiceNumber"] for invoice in
               admin.get(f"/sandbox-admin/organisations/{tenant_id}/invoices").json()["Invoices"]
               if invoice["InvoiceNumber"].startswith("B-")]
    made = {endpoint: count - before.get(endpoint, 0) for endpoint, count in after.items()
            if count > before.get(endpoint, 0)}
    return Push(seconds, made, synced, numbers, worker_cpu, sandbox_cpu)


def _quiet(admin: httpx.Client) -> dict[str, int]:
    """The calls so far, once the sandbox has had none for half a second: a previous push's history notes
    (a low-priority task spending the spare minute, see sync/history_notes.py) don't share the worker with
    the push being timed, and their next turn, a minute later, is dropped from the queue."""
    calls = accounting_calls(admin)
    while True:
        time.sleep(0.5)
        calls, before = accounting_calls(admin), calls
        if calls == before:
            huey.flush()
            return calls


def main() -> int:
    upgrade()
    sandbox = start([sys.executable, "-m", "myapprentice_app", "sandbox", "xero", "--port", str(PORT)])
    worker = None
    try:
        admin = httpx.Client(base_url=os.environ["XERO_SANDBOX_URL"], timeout=30)
        wait_for(lambda: answers(admin, "/sandbox-admin/organisations"), 20, "the Xero sandbox to start")
        with Session(get_engine(), expire_on_commit=False) as session:
            businesses = []
            for run in range(RUNS):
                tenant_id = admin.post("/sandbox-admin/organisations",
                                       json={"name": f"Bench Org {run}"}).json()["tenantId"]
                businesses.append((seed(session, tenant_id, admin, INVOICES, CLIENTS,
                                        owner_email=f"owner{run}@bench.test"), tenant_id))
            worker = start([sys.executable, "-m", "myapprentice_app", "worker"])  # as the Procfile
            # The consumer is up and taking tasks before the clock starts: a task with nothing to do, waited for.
            tasks.fetch_online_invoice_links(businesses[0][0].business_id).get(blocking=True, timeout=60)  # type: ignore[attr-defined]
            # Xero's own number check off: only the engine keeps an invoice from arriving twice.
            admin.post("/sandbox-admin/faults", json={"rate_limits": "real", "latency_ms": int(LATENCY * 1000),
                                                      "unique_numbers": False})
            pushes = [push(session, admin, principal, tenant_id, worker.pid, sandbox.pid)
                      for principal, tenant_id in businesses]
        needed = math.ceil(INVOICES / BATCH) + math.ceil(CLIENTS / BATCH)
        floor = floor_seconds(needed, LATENCY)
        seconds = statistics.median(p.seconds for p in pushes)
        print(f"bulk_push_1000: seconds={seconds:.2f} floor_seconds={floor:.2f} ratio_to_floor={seconds / floor:.2f} "
              f"runs={RUNS} each={','.join(f'{p.seconds / floor:.2f}' for p in pushes)}")
        calls = ["; ".join(f"{endpoint} {count}" for endpoint, count in sorted(p.calls.items())) for p in pushes]
        print(f"# The median of {RUNS} Send alls, each a business of its own, one after another on the same worker "
              f"(each= their ratios: this machine's noise). Floor from the {needed} calls needed; the runs made "
              f"{' | '.join(calls)}; synced {','.join(str(p.synced) for p in pushes)}, in Xero "
              f"{','.join(f'{len(p.numbers)} under {len(set(p.numbers))} numbers' for p in pushes)} "
              f"(unique_numbers off)")
        print(f"# CPU seconds in each run: worker {','.join(f'{p.worker_cpu:.2f}' for p in pushes)} (one "
              f"interpreter: its threads take turns), sandbox {','.join(f'{p.sandbox_cpu:.2f}' for p in pushes)}; "
              f"what is above the floor is mostly the worker's own CPU, so it depends on this machine's speed")
        whole = all(p.synced == INVOICES == len(p.numbers) == len(set(p.numbers)) for p in pushes)
        return 0 if whole else 1
    finally:
        for process in (worker, sandbox):
            if process is not None:
                os.killpg(process.pid, signal.SIGTERM)
                process.wait(timeout=10)


if __name__ == "__main__":
    sys.exit(main())

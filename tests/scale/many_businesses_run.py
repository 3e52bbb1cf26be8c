"""Run by test_sync_scale_out.py as `python -m tests.scale.many_businesses_run`, with DATABASE_URL (PostgreSQL),
REDIS_URL, HUEY_NAME and SCALE_LOG_DIR set: three businesses, each with its own Xero organisation, press Send all
at the same moment, worked by two huey consumers, under faults (errors, dropped responses, the sandbox's own number
check off). Prints one JSON line: per business, its invoices by sync status, its run's state, and how many times
each invoice number reached its organisation; how many of the sandbox's responses were dropped after it had
stored what was sent (each a chance of a duplicate); and the worst lines of every worker's log."""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
from collections import Counter

import httpx
from sqlmodel import Session, func, select

from myapprentice_app.db import get_engine
from myapprentice_app.jobs.huey_app import huey
from myapprentice_app.migrate import upgrade
from myapprentice_app.models import Invoice, SyncRun
from myapprentice_app.services import xero_sync
from myapprentice_app.services.principal import Principal
from tests.scale.sync_scale_run import consumer, numbers_in_xero, seed_business, wait_for, worst_log_lines

BUSINESSES = 3
INVOICES = 300  # per business: 6 batches of 50
WORKERS = 2


def press_send_all_together(owners: list[Principal]) -> list[int]:
    """Every owner presses Send all at the same moment, each from their own connection (as from their own tab)."""
    run_ids: dict[int, int] = {}
    ready = threading.Barrier(len(owners))

    def press(owner: Principal) -> None:
        with Session(get_engine()) as session:
            ready.wait()
            run_ids[owner.business_id], _ = xero_sync.send_all(session, owner)

    pressers = [threading.Thread(target=press, args=(owner,)) for owner in owners]
    for presser in pressers:
        presser.start()
    for presser in pressers:
        presser.join()
    return [run_ids[owner.business_id] for owner in owners]


def outcome(owner: Principal, run_id: int) -> dict:
    with Session(get_engine()) as session:
        statuses = dict(session.exec(select(Invoice.sync_status, func.count()).where(
            Invoice.business_id == owner.business_id).group_by(Invoice.sync_status)).all())
        run = session.get(SyncRun, run_id)
        return {"statuses": statuses, "run": run.state if run else None}


def all_done(owners: list[Principal], run_ids: list[int]) -> bool:
    return all(outcome(owner, run_id) == {"statuses": {"synced": INVOICES}, "run": "done"}
               for owner, run_id in zip(owners, run_ids, strict=True))


def main() -> None:
    upgrade()
    huey.flush()
    admin = httpx.Client(base_url=os.environ["XERO_SANDBOX_URL"], timeout=30)
    seeded = [seed_business(admin, f"Scale Trade {index}", f"owner{index}@scale.test", INVOICES)
              for index in range(BUSINESSES)]
    owners = [owner for owner, _ in seeded]
    admin.post("/sandbox-admin/faults", json={"p_500": 0.1, "p_429": 0.05, "p_drop_after_commit": 0.1,
                                              "latency_ms": 100, "seed": 5, "unique_numbers": False})
    workers = [consumer(index) for index in range(WORKERS)]
    run_ids = press_send_all_together(owners)
    try:
        wait_for(lambda: all_done(owners, run_ids), 90, "every business's Send all to end fully synced")
    except SystemExit:
        pass  # reported below, as what each business was left with
    finally:
        for worker in workers:
            try:
                os.killpg(worker.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    businesses = []
    for (owner, tenant_id), run_id in zip(seeded, run_ids, strict=True):
        times = Counter(numbers_in_xero(admin, tenant_id))
        businesses.append({**outcome(owner, run_id), "in_xero": sum(times.values()), "distinct": len(times),
                           "more_than_once": sorted(number for number, count in times.items() if count > 1)})
    calls = admin.get("/sandbox-admin/stats").json()["calls"].values()
    result = {"businesses": businesses, "responses_dropped": sum(counts.get("dropped", 0) for counts in calls),
              "log_problems": worst_log_lines()}
    print(json.dumps(result))


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()

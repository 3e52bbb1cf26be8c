"""Run by test_sync_scale_out.py as `python -m tests.scale.one_worker_run`, with DATABASE_URL (PostgreSQL),
REDIS_URL, HUEY_NAME and SCALE_LOG_DIR set: one worker process (`python -m myapprentice_app worker`, its
WORKER_RUNS at the default) and four businesses pressing Send all at the same moment: one of 1,500 invoices (30
batches) and three of 100, with 300 ms a call. Watching the runs as the board does, it prints one JSON line: the
most runs seen being worked at once, whether each small business's run ended while the big one was still going,
each business's invoices by sync status and how many times each number reached its organisation, and the worst
lines of the worker's log."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter

import httpx
from sqlmodel import Session, col, func, select

from myapprentice_app.db import get_engine
from myapprentice_app.jobs.huey_app import huey
from myapprentice_app.migrate import upgrade
from myapprentice_app.models import Invoice, SyncRun
from tests.scale.many_businesses_run import press_send_all_together
from tests.scale.sync_scale_run import LOGS, numbers_in_xero, seed_business, worst_log_lines

SIZES = (1500, 100, 100, 100)  # the big business first


def states(run_ids: list[int]) -> list[str]:
    with Session(get_engine()) as session:
        found = dict(session.exec(select(SyncRun.id, SyncRun.state).where(col(SyncRun.id).in_(run_ids))).all())
    return [found[run_id] for run_id in run_ids]


def main() -> None:
    upgrade()
    huey.flush()
    admin = httpx.Client(base_url=os.environ["XERO_SANDBOX_URL"], timeout=30)
    seeded = [seed_business(admin, f"Trade {index}", f"owner{index}@one-worker.test", size)
              for index, size in enumerate(SIZES)]
    admin.post("/sandbox-admin/faults", json={"latency_ms": 300, "rate_limits": "real"})
    log = open(LOGS / "worker-0.log", "a")  # noqa: SIM115 - the worker writes to it until it ends
    worker = subprocess.Popen([sys.executable, "-m", "myapprentice_app", "worker"], env=os.environ.copy(),
                              start_new_session=True, stdout=log, stderr=log)
    try:
        run_ids = press_send_all_together([owner for owner, _ in seeded])
        most_at_once, small_done_before_big = 0, [False] * (len(SIZES) - 1)
        deadline = time.monotonic() + 120
        while (now := states(run_ids)) != ["done"] * len(SIZES) and time.monotonic() < deadline:
            most_at_once = max(most_at_once, now.count("running"))
            small_done_before_big = [before or (state == "done" and now[0] != "done")
                                     for before, state in zip(small_done_before_big, now[1:], strict=True)]
            time.sleep(0.02)
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
    businesses = []
    with Session(get_engine()) as session:
        for owner, tenant_id in seeded:
            statuses = dict(session.exec(select(Invoice.sync_status, func.count()).where(
                Invoice.business_id == owner.business_id).group_by(Invoice.sync_status)).all())
            times = Counter(numbers_in_xero(admin, tenant_id))
            businesses.append({"statuses": statuses, "more_than_once": sorted(n for n, c in times.items() if c > 1)})
    print(json.dumps({"most_runs_at_once": most_at_once, "small_done_before_big": small_done_before_big,
                      "businesses": businesses, "log_problems": worst_log_lines()}))


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    main()

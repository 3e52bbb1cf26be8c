"""A run's lease on PostgreSQL: a worker stopped while its session holds the run's row loses the run within
seconds, however far through a statement it was stopped."""

from __future__ import annotations

import datetime as dt
import signal
import subprocess
import sys
import time

from sqlmodel import Session

from myapprentice_app.db import get_engine, utcnow
from myapprentice_app.domain.sync_states import RunKind, RunState
from myapprentice_app.models import Business, SyncRun
from myapprentice_app.sync import runs

# Holds the run's row in a pipelined statement (as psycopg's executemany sends them) and stops before the
# pipeline's end: its session stays "active" to the server, which never ends it on its own.
STOPPED_MID_STATEMENT = """
import os, signal, sys
import psycopg
url, run_id = sys.argv[1], int(sys.argv[2])
me = f"{os.uname().nodename[:30]}:{os.getpid()}"
with psycopg.connect(url, application_name=me) as connection:
    connection.execute("UPDATE syncrun SET owner = %s WHERE id = %s", (f"{me}:1", run_id))
    connection.commit()
    with connection.pipeline():
        connection.execute("UPDATE syncrun SET calls_made = calls_made + 1 WHERE id = %s", (run_id,))
        connection.pgconn.flush()
        print("holding", flush=True)
        os.kill(os.getpid(), signal.SIGSTOP)
"""


def test_a_worker_stopped_halfway_through_a_pipelined_statement_on_the_runs_row_loses_the_run_within_seconds(
        app_on_postgres: str) -> None:
    with Session(get_engine(), expire_on_commit=False) as session:
        business = Business(name="Stopped Owner Electrical")
        session.add(business)
        session.commit()
        run = SyncRun(business_id=business.id or 0, kind=RunKind.PUSH, state=RunState.RUNNING, generation=1,
                      heartbeat_at=utcnow() - dt.timedelta(minutes=1))
        session.add(run)
        session.commit()
    url = app_on_postgres.replace("postgresql+psycopg://", "postgresql://")
    owner = subprocess.Popen([sys.executable, "-c", STOPPED_MID_STATEMENT, url, str(run.id)],
                             stdout=subprocess.PIPE, text=True)
    try:
        assert owner.stdout is not None and owner.stdout.readline().strip() == "holding"
        stopped_at = time.monotonic()
        while not runs.execute(run.id or 0):  # what every worker's lease watcher does each second
            assert time.monotonic() - stopped_at < 15, "the stopped owner kept the run"
            time.sleep(1.0)
    finally:
        owner.send_signal(signal.SIGCONT)
        owner.kill()
        owner.wait()
    with Session(get_engine()) as session:
        taken = session.get(SyncRun, run.id)
        assert taken is not None and taken.generation == 2 and taken.state == RunState.DONE  # not connected: done
        assert taken.calls_made == 0  # the stopped owner's statement was rolled back

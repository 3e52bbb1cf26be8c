"""A worker process starting: huey runs its startup hooks once per worker thread, the process's work once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from huey import SqliteHuey

from myapprentice_app.migrate import upgrade
from tests.support.app_process import ROOT


def test_a_starting_worker_schedules_one_crash_recovery_not_one_per_thread(tmp_path) -> None:
    database_url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(database_url)
    queue = tmp_path / "queue.db"
    env = {**os.environ, "DATABASE_URL": database_url, "HUEY_QUEUE_FILE": str(queue), "HUEY_NAME": "start-test",
           "WORKER_RUNS": "8"}
    env.pop("REDIS_URL", None)
    worker = subprocess.Popen([sys.executable, "-m", "myapprentice_app", "worker"], env=env, cwd=ROOT,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        huey = SqliteHuey("start-test", filename=str(queue))
        deadline = time.monotonic() + 30
        while not queue.exists() or not huey.scheduled_count():
            assert time.monotonic() < deadline, "the worker scheduled no recovery within 30 s"
            time.sleep(0.1)
        time.sleep(1.0)  # every thread has started by now
        assert huey.scheduled_count() == 1  # the recovery, a few seconds ahead
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=20)

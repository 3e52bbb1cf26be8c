"""The Xero sync on PostgreSQL + Redis with several huey consumers, the one running it killed mid-run:
another worker finishes it, with nothing lost and nothing twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.xero.conftest import serving_sandbox

HERE = Path(__file__).resolve().parent


def test_send_all_on_postgres_and_redis_goes_on_in_another_worker_when_the_one_running_it_is_killed(
        postgres_url, redis_available, tmp_path):
    with serving_sandbox() as url:
        env = {**os.environ, "DATABASE_URL": postgres_url, "REDIS_URL": "redis://127.0.0.1:6379/5",
               "XERO_SANDBOX_URL": url}
        done = subprocess.run([sys.executable, str(HERE / "sync_scale_run.py")], env=env, capture_output=True,
                              text=True, timeout=300, cwd=HERE.parent.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert 50 <= result["killed_at"] < 600, "the worker running the run was killed mid-run"
    assert result["finished_by"], "no surviving worker sent anything after the owner was killed"
    assert (result["synced"], result["in_xero"], result["distinct"]) == (600, 600, 600)

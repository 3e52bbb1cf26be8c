"""The Xero sync on PostgreSQL + Redis with several huey consumers, one killed mid-run: nothing lost, nothing twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.integration.xero.conftest import serving_sandbox

HERE = Path(__file__).resolve().parent


def test_send_all_on_postgres_and_redis_with_three_workers_one_killed_syncs_every_invoice_once(
        postgres_url, redis_available, tmp_path):
    with serving_sandbox() as url:
        env = {**os.environ, "DATABASE_URL": postgres_url, "REDIS_URL": "redis://127.0.0.1:6379/5",
               "XERO_SANDBOX_URL": url}
        done = subprocess.run([sys.executable, str(HERE / "sync_scale_run.py")], env=env, capture_output=True,
                              text=True, timeout=240, cwd=HERE.parent.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result == {"synced": 600, "killed_at": result["killed_at"], "in_xero": 600, "distinct": 600}
    assert result["killed_at"] < 600

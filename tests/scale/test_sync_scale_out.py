"""The Xero sync on PostgreSQL + Redis with several huey consumers, the one holding the run killed mid-run, or
stopped past its lease and woken up again: another worker goes on with it, with nothing lost and nothing twice
(the sandbox's own number check off), and the woken worker's writes are refused without an error. And three
businesses pressing Send all at the same moment on two workers each end fully synced, each invoice in Xero once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

from tests.support.xero_sandbox import serving_sandbox

HERE = Path(__file__).resolve().parent
REDIS_URL = "redis://127.0.0.1:6379/5"
RESUMED_WITHIN_SECONDS = 15


def drill(command: list[str], postgres_url: str, tmp_path: Path) -> dict:
    with serving_sandbox() as url:
        env = {**os.environ, "DATABASE_URL": postgres_url, "REDIS_URL": REDIS_URL, "XERO_SANDBOX_URL": url,
               "HUEY_NAME": f"scale-{uuid.uuid4().hex[:12]}",  # its own queue keys in the shared Redis
               "SCALE_LOG_DIR": str(tmp_path)}
        done = subprocess.run([sys.executable, *command], env=env, capture_output=True,
                              text=True, timeout=400, cwd=HERE.parent.parent)
    assert done.returncode == 0, done.stderr[-3000:]
    print(done.stdout.strip().splitlines()[-1])  # what the drill measured, for `pytest -s`
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_send_all_on_postgres_and_redis_goes_on_in_another_worker_when_the_one_running_it_is_killed(
        postgres_url, redis_available, tmp_path):
    result = drill([str(HERE / "sync_scale_run.py"), "kill"], postgres_url, tmp_path)

    assert 50 <= result["lost_at"] < 600, "the worker running the run was killed mid-run"
    assert result["lost_was_holder"], "the process killed held the run's claim (its owner in the database)"
    assert result["finished_by"] and result["lost"] not in result["finished_by"]
    assert result["moved_on_after"] <= RESUMED_WITHIN_SECONDS
    assert (result["synced"], result["in_xero"], result["distinct"]) == (600, 600, 600)
    assert result["log_problems"] == []


def test_a_worker_stopped_past_its_lease_loses_the_run_to_another_and_on_waking_writes_nothing(
        postgres_url, redis_available, tmp_path):
    result = drill([str(HERE / "sync_scale_run.py"), "stall"], postgres_url, tmp_path)

    assert 50 <= result["lost_at"] < 600, "the worker holding the run was stopped mid-run"
    assert result["lost_was_holder"], "the process stopped held the run's claim (its owner in the database)"
    assert result["finished_by"] and result["lost"] not in result["finished_by"]
    assert result["moved_on_after"] <= RESUMED_WITHIN_SECONDS
    assert (result["synced"], result["in_xero"], result["distinct"]) == (600, 600, 600)
    assert result["log_problems"] == []  # no deadlock, no unhandled exception in any worker


def test_three_businesses_pressing_send_all_at_once_on_two_workers_each_end_fully_synced_once_each(
        postgres_url, redis_available, tmp_path):
    result = drill(["-m", "tests.scale.many_businesses_run"], postgres_url, tmp_path)

    assert result["responses_dropped"] > 0, "some pushes reached Xero with their answer lost, as duplicates start"

    assert [(business["statuses"], business["run"]) for business in result["businesses"]] == [
        ({"synced": 300}, "done")] * 3, "every invoice of every business Synced, every run ended"
    assert [(business["in_xero"], business["distinct"], business["more_than_once"])
            for business in result["businesses"]] == [(300, 300, [])] * 3, "each organisation got each invoice once"
    assert result["log_problems"] == []


def test_one_worker_works_four_businesses_send_all_at_once_and_the_small_ones_end_while_a_big_one_sends(
        postgres_url, redis_available, tmp_path):
    result = drill(["-m", "tests.scale.one_worker_run"], postgres_url, tmp_path)

    assert result["most_runs_at_once"] == 4, "all four runs were being worked at the same moment, on one worker"
    assert result["small_done_before_big"] == [True] * 3, "each small business was done while the big one sent"
    assert [business["statuses"] for business in result["businesses"]] == [
        {"synced": 1500}, {"synced": 100}, {"synced": 100}, {"synced": 100}]
    assert [business["more_than_once"] for business in result["businesses"]] == [[]] * 4
    assert result["log_problems"] == []

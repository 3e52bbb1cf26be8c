"""`python -m myapprentice_app sandbox xero --rate-limits real` (the Procfiles' xero-sandbox) counts every call
against Xero's limits from its start, as Xero does: what `make run` shows of the day's quota is what was spent."""

from __future__ import annotations

import subprocess
import sys

import httpx

from tests.support.app_process import free_port
from tests.support.waiting import wait_until
from tests.support.xero_sandbox import SandboxAdmin


def _day_calls_left(url: str, token: str, tenant: str) -> int:
    answer = httpx.get(f"{url}/api.xro/2.0/Organisation",
                       headers={"Authorization": f"Bearer {token}", "xero-tenant-id": tenant})
    assert answer.status_code == 200, answer.text
    return int(answer.headers["X-DayLimit-Remaining"])


def _started(url: str) -> bool:
    try:
        return httpx.get(f"{url}/sandbox-admin/organisations").status_code == 200
    except httpx.TransportError:
        return False


def test_the_procfiles_xero_sandbox_counts_calls_against_xeros_limits_from_its_start_and_after_a_reset() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    process = subprocess.Popen([sys.executable, "-m", "myapprentice_app", "sandbox", "xero", "--rate-limits", "real",
                                "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: _started(url), seconds=30, waiting_for="the Xero sandbox to start")
        admin = SandboxAdmin(url)
        tenant = admin.new_organisation("Limits From The Start")
        token = admin.token(tenant)["access_token"]
        assert [_day_calls_left(url, token, tenant) for _ in range(2)] == [4999, 4998]

        admin.faults(day_limit=1)
        admin.post("reset")
        faults = admin.get("faults")
        assert faults["rate_limits"] == "real" and faults["limits"]["day"] == 5000
    finally:
        process.terminate()
        process.wait(timeout=10)

"""Two web processes behind the balancer (as `make run-scaled` runs them), Reflex's state in Redis, data in
PostgreSQL: the one holding a signed-in person's websocket is killed, and their next events are served by the
other, still signed in, with the page where they left it."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

import httpx
import redis

from benchmarks.reflex_socket import SocketClosed, Tab
from benchmarks.web_cluster import ROOT, balancer_url, web_cluster
from myapprentice_app.ui.state.invoices import InvoicesState
from myapprentice_app.ui.state.session import SessionState

REDIS_URL = "redis://127.0.0.1:6379/13"
INVOICES = InvoicesState.get_full_name()
SESSION = SessionState.get_full_name()


def _sign_in(base: str, email: str) -> str:
    response = httpx.post(f"{base}/api/session/sign-in", data={"email": email, "password": "demo-password-1"},
                          headers={"origin": base})
    assert response.status_code == 303, response.text
    return f"ma_session={response.cookies['ma_session']}"


async def _listed(tab: Tab) -> None:
    await tab.wait_for(lambda delta: "rows" in delta.get(INVOICES, {}), timeout=30)


def test_when_the_web_process_holding_a_tab_dies_the_other_serves_it_signed_in_with_its_state(
        tmp_path, postgres_url: str, redis_available: None) -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()
    env = {**os.environ, "DATABASE_URL": postgres_url, "REDIS_URL": REDIS_URL, "APP_URL": balancer_url()}
    for command in ("migrate", "seed-demo"):
        subprocess.run([sys.executable, "-m", "myapprentice_app", command], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    with web_cluster(env, tmp_path, processes=2) as cluster:
        tab = Tab(cluster.url, cookie=_sign_in(cluster.url, "finance@brightspark.test"))

        async def before_the_failover() -> None:
            await tab.open("/invoices", until=lambda delta: "rows" in delta.get(INVOICES, {}))
            await tab.emit(f"{INVOICES}.go_to_page", {"number": 2}, until=lambda delta: INVOICES in delta)

        asyncio.run(before_the_failover())
        assert (tab.var(SESSION, "user_name"), tab.var(INVOICES, "total_count"), tab.var(INVOICES, "page")) == (
            "Fiona Books", 56, 2)
        holding = cluster.holding_connections()
        assert len(holding) == 1, f"one web process holds the tab's websocket, not {holding}"
        cluster.kill(holding[0])
        tab.state.clear()  # what the page shows next comes from the surviving process alone

        async def after_the_failover() -> tuple[str, int, int, int]:
            try:
                await tab.wait_for(lambda delta: False, timeout=10)
            except SocketClosed:
                pass  # the browser sees its socket drop, and reconnects through the same address
            await tab.close()
            await tab.open("/invoices", until=lambda delta: "rows" in delta.get(INVOICES, {}))
            page_after_reconnect = tab.var(INVOICES, "page")
            await tab.emit(f"{INVOICES}.go_to_page", {"number": 3}, until=lambda delta: INVOICES in delta)
            rows_on_page_3 = len(tab.var(INVOICES, "rows"))
            await tab.close()
            return tab.var(SESSION, "user_name"), page_after_reconnect, tab.var(INVOICES, "page"), rows_on_page_3

        user_name, page_after_reconnect, page_now, rows_on_page_3 = asyncio.run(after_the_failover())
        assert user_name == "Fiona Books", "still signed in on the other process"
        assert page_after_reconnect == 2, "the page the tab was on came back from Redis"
        assert (page_now, rows_on_page_3) == (3, 6), "the next event was served: page 3 of 56 invoices, 25 a page"
        survivor = 1 - holding[0]
        assert cluster.web[survivor].poll() is None and cluster.web[holding[0]].poll() is not None

"""50 people using the app at once through 2 web processes behind the balancer, as `make run-scaled` runs it
(PostgreSQL, Reflex state in Redis, a huey worker on Redis, the Xero sandbox), while a Send all runs.

Prints:
  load_users: web_processes=2 users=50 seconds=S events=N p95_event_ms=.. p99_event_ms=.. errors=E
              sign_in_p95_ms=.. events_during_send_all=M p95_during_send_all_ms=..
  web_rss_mb: sessions=50 per_process=A,B
Each user is a tab speaking Reflex's websocket protocol (benchmarks/reflex_socket.py): signs in with the form
post (real argon2id), opens the invoice list of a business with 5,000 invoices, then, with 0.5-1.5 s of think time
between events, pages through it, filters by status, searches, opens an invoice and goes back; every ~25 events it
signs in again (a new page load). An event's time runs from sending it until the delta that answers it arrives.
From second 15, the first business's owner Sends all 5,000 invoices to the sandbox (real limits, 150 ms a call).
RSS is each web process's whole process group (Reflex's launcher, Granian and its worker) after the run.
Skipped, with the reason, without PostgreSQL or Redis.
"""

from __future__ import annotations

import asyncio
import os
import random
import ssl
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import httpx

from benchmarks.load_seed import BUSINESSES, INVOICES_PER_BUSINESS, PASSWORD, SENDER, USERS, seed_businesses
from benchmarks.reflex_socket import ROOT_STATE, SESSION_STATE, Tab
from benchmarks.web_cluster import (
    POSTGRES_ADMIN,
    balancer_url,
    free_port,
    group_cpu_seconds,
    group_rss_mb,
    machine_cpu_seconds,
    missing_services,
    named_cpu_seconds,
    start_process,
    stop,
    wait_until_answers,
    web_cluster,
)

SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
SEND_ALL_AT = 15.0
SIGN_IN_EVERY = 25
REDIS_URL = "redis://127.0.0.1:6379/12"
INVOICES = f"{SESSION_STATE}.myapprentice_app___ui___state___invoices____invoices_state"
DETAIL = f"{SESSION_STATE}.myapprentice_app___ui___state___invoice_detail____invoice_detail_state"
SEARCHES = ["job 12", "harbour", "B1-00", "fitness", "bench client 7", "job 4999", "nothing-matches"]
STATUSES = ["all", "draft", "authorised", "sent", "paid"]


def _listed_after_hydrate(delta: dict) -> bool:
    """The page's rows from its on_load, not the hydrate's copy of the state before it (which carries the root)."""
    return "rows" in delta.get(INVOICES, {}) and ROOT_STATE not in delta


class Recorder:
    def __init__(self) -> None:
        self.events: list[tuple[float, float, str]] = []  # (when, ms, what)
        self.sign_ins: list[float] = []
        self.errors: list[str] = []
        self.loop_lags: list[float] = []  # ms the client's own event loop was late waking up: its own queueing


async def _watch_loop_lag(recorder: Recorder, until: float) -> None:
    while time.monotonic() < until:
        started = time.perf_counter()
        await asyncio.sleep(0.05)
        recorder.loop_lags.append((time.perf_counter() - started - 0.05) * 1000)


async def _sign_in(client: httpx.AsyncClient, base: str, email: str, recorder: Recorder) -> str:
    started = time.perf_counter()
    response = await client.post("/api/session/sign-in", data={"email": email, "password": PASSWORD,
                                                                "next": "/invoices"}, headers={"origin": base})
    recorder.sign_ins.append((time.perf_counter() - started) * 1000)
    if response.status_code != 303 or "ma_session" not in response.cookies:
        raise RuntimeError(f"sign-in of {email} answered {response.status_code} {response.headers.get('location')}")
    return f"ma_session={response.cookies['ma_session']}"


async def _user(base: str, email: str, until: float, recorder: Recorder, seed: int, tls: ssl.SSLContext) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.uniform(0, 5))  # people don't all arrive in the same second
    async with httpx.AsyncClient(base_url=base, timeout=60, verify=tls) as client:
        tab: Tab | None = None
        events = 0
        while time.monotonic() < until:
            try:
                if tab is None or events >= SIGN_IN_EVERY:
                    if tab is not None:
                        await tab.close()
                    tab = Tab(base, cookie=await _sign_in(client, base, email, recorder))
                    events = 0
                    what, ms = "page_load", await tab.open("/invoices", until=_listed_after_hydrate)
                else:
                    what, ms = await _one_action(tab, rng)
                recorder.events.append((time.monotonic(), ms, what))
                events += 1
            except Exception as error:  # noqa: BLE001  (every failure is counted and named, then the user goes on)
                recorder.errors.append(f"{email}: {type(error).__name__}: {error}")
                if tab is not None:
                    await tab.close()
                tab = None
            await asyncio.sleep(rng.uniform(0.5, 1.5))
        if tab is not None:
            await tab.close()


async def _one_action(tab: Tab, rng: random.Random) -> tuple[str, float]:
    if tab.path != "/invoices":
        return "back_to_list", await tab.navigate("/invoices", until=lambda d: "rows" in d.get(INVOICES, {}))
    changed = lambda d: INVOICES in d  # noqa: E731
    action = rng.random()
    if action < 0.45:
        pages = tab.var(INVOICES, "page_count") or 1
        number = rng.randint(1, min(pages, 100))
        return "page", await tab.emit(f"{INVOICES}.go_to_page", {"number": number}, until=changed)
    if action < 0.6:
        return "filter", await tab.emit(f"{INVOICES}.filter_status", {"value": rng.choice(STATUSES)}, until=changed)
    if action < 0.75:
        form = {"search": rng.choice(SEARCHES)}
        return "search", await tab.emit(f"{INVOICES}.run_search", {"form": form}, until=changed)
    rows = tab.var(INVOICES, "rows") or []
    if not rows:
        return "filter", await tab.emit(f"{INVOICES}.clear_filters", until=changed)
    invoice_id = rng.choice(rows)["id"]
    return "open_invoice", await tab.navigate(f"/invoices/{invoice_id}", until=lambda d: DETAIL in d)


async def _run_users(base: str, emails: list[str], recorder: Recorder, send_all) -> float:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    until = started + SECONDS
    # One TLS context for every user's client (the balancer speaks plain HTTP anyway): httpx builds one per client
    # otherwise, ~50 ms of this machine's CPU each, 2.5 s in the minute measured, on the cores the servers use.
    tls = ssl.create_default_context()
    users = [asyncio.create_task(_user(base, email, until, recorder, seed, tls)) for seed, email in enumerate(emails)]
    users.append(asyncio.create_task(_watch_loop_lag(recorder, until)))
    await asyncio.sleep(SEND_ALL_AT)
    send_all_started = time.monotonic()
    await asyncio.to_thread(send_all)
    await asyncio.gather(*users)
    return send_all_started


def _cpu_by_group(groups: dict[str, list[int]]) -> dict[str, float]:
    """CPU seconds so far of each of our process groups, this benchmark's process (the 50 tabs' client and the Send
    all's thread), PostgreSQL, Redis and the whole machine (everyone's, other work on it included)."""
    return {**{name: sum(group_cpu_seconds(pid) for pid in pids) for name, pids in groups.items()},
            "client": time.process_time(), "postgres": named_cpu_seconds("postgres"),
            "redis": named_cpu_seconds("redis-server"), "machine": machine_cpu_seconds()}


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * fraction))] if ordered else float("nan")


def main() -> int:
    if reason := missing_services(REDIS_URL):
        print(f"load_users: skipped ({reason})")
        print(f"web_rss_mb: skipped ({reason})")
        return 0
    import psycopg
    import redis

    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    name = f"bench_load_{uuid.uuid4().hex[:8]}"
    database_url = f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    redis.Redis.from_url(REDIS_URL).flushdb()
    sandbox_port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": REDIS_URL,
           "SECRET_KEY": "benchmark-secret-key-long-enough-for-derivation",
           "XERO_SANDBOX_URL": f"http://127.0.0.1:{sandbox_port}"}
    env.pop("PASSWORD_HASHING", None)  # the real argon2id cost: the sign-ins are part of the load
    os.environ.update({key: env[key] for key in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "XERO_SANDBOX_URL")})
    sandbox = worker = None
    try:
        from myapprentice_app.migrate import upgrade

        upgrade()
        sandbox = start_process([sys.executable, "-m", "myapprentice_app", "sandbox", "xero", "--port",
                                 str(sandbox_port)], env, work / "sandbox.log")
        wait_until_answers(f"http://127.0.0.1:{sandbox_port}/sandbox-admin/organisations")
        admin = f"http://127.0.0.1:{sandbox_port}/sandbox-admin"
        tenant_id = httpx.post(f"{admin}/organisations", json={"name": "Load Org"}).json()["tenantId"]
        httpx.post(f"{admin}/faults", json={"rate_limits": "real", "latency_ms": 150})
        emails = seed_businesses(database_url, tenant_id, f"http://127.0.0.1:{sandbox_port}")
        env["APP_URL"] = balancer_url()  # chosen after the long seeding, so no other process takes the port first
        worker = start_process([sys.executable, "-m", "myapprentice_app", "worker"], env,
                               work / "worker.log")
        recorder = Recorder()
        with web_cluster(env, work, processes=2) as cluster:
            groups = {"web": [process.pid for process in cluster.web], "balancer": [cluster.balancer.pid],
                      "worker": [worker.pid], "sandbox": [sandbox.pid]}
            cpu_before = _cpu_by_group(groups)
            send_all_started = asyncio.run(_run_users(cluster.url, emails, recorder, _send_all))
            cpu_by_group = {name: seconds - cpu_before[name] for name, seconds in _cpu_by_group(groups).items()}
            cpu = cpu_by_group["web"]
            rss = [group_rss_mb(process.pid) for process in cluster.web]
        timings = [ms for _, ms, _ in recorder.events]
        during = [ms for when, ms, _ in recorder.events if when >= send_all_started]
        kinds = [(what, [ms for _, ms, kind in recorder.events if kind == what])
                 for what in sorted({kind for _, _, kind in recorder.events})]
        print(f"load_users: web_processes=2 users={USERS} seconds={SECONDS:.0f} events={len(timings)} "
              f"p95_event_ms={_percentile(timings, 0.95):.0f} p99_event_ms={_percentile(timings, 0.99):.0f} "
              f"errors={len(recorder.errors)} sign_in_p95_ms={_percentile(recorder.sign_ins, 0.95):.0f} "
              f"events_during_send_all={len(during)} p95_during_send_all_ms={_percentile(during, 0.95):.0f}")
        print(f"# load_users: {BUSINESSES} businesses x {INVOICES_PER_BUSINESS} invoices, PostgreSQL + Redis; "
              f"median event {statistics.median(timings) if timings else float('nan'):.0f} ms; "
              f"{len(recorder.sign_ins)} sign-ins; web processes' CPU {cpu * 1000 / max(1, len(timings)):.1f} ms per "
              f"event (sign-ins included); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; "
              f"p95 by kind: {', '.join(f'{what} {_percentile(ms, 0.95):.0f} ms ({len(ms)})' for what, ms in kinds)}; "
              f"first errors: {recorder.errors[:3]}")
        print(f"# load_users: CPU seconds over the run by process group ({os.cpu_count()} cores x {SECONDS:.0f} s): "
              f"{', '.join(f'{name} {seconds:.1f}' for name, seconds in cpu_by_group.items())}; client loop lag "
              f"p95 {_percentile(recorder.loop_lags, 0.95):.0f} ms, max {max(recorder.loop_lags, default=0):.0f} ms")
        print(f"web_rss_mb: sessions={USERS} per_process={','.join(f'{mb:.0f}' for mb in rss)}")
        return 1 if recorder.errors or not timings else 0  # a user refused or nothing measured: the work failed
    finally:
        for process in (worker, sandbox):
            if process is not None:
                stop(process)
        from myapprentice_app.db import get_engine

        get_engine(database_url).dispose()
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _send_all() -> None:
    from sqlmodel import Session

    from myapprentice_app.db import get_engine
    from myapprentice_app.jobs import tasks  # noqa: F401  (registers the task Send all queues)
    from myapprentice_app.services import auth, xero_sync

    with Session(get_engine(), expire_on_commit=False) as session:
        principal = auth.resolve(session, auth.log_in(session, email=SENDER, password=PASSWORD).token)
        assert principal is not None
        xero_sync.send_all(session, principal)


if __name__ == "__main__":
    sys.exit(main())

"""The Invoices page with 50,000 invoices in one business, measured through the page's event handlers: what the
browser waits for, from sending the event over the websocket until the delta with the new rows arrives.

Prints: invoice_list_50k: invoices=50000 events=N sqlite_p50_ms=.. sqlite_p95_ms=.. postgres_p50_ms=..
        postgres_p95_ms=.. target_ms=150
One web process (backend only) per database, one signed-in tab (Finance) cycling through the first page, a page
further on, a status filter, a sync-status filter, a search and clearing the filters. PostgreSQL is skipped, with
the reason, when it is not reachable.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import sys
import tempfile
import uuid
from pathlib import Path

import httpx

from benchmarks.bench_invoice_list import INVOICES, TARGET_MS, _fill
from benchmarks.reflex_socket import ROOT_STATE, SESSION_STATE, Tab
from benchmarks.web_cluster import balancer_url, web_cluster

EVENTS = 60
POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
STATE = f"{SESSION_STATE}.myapprentice_app___ui___state___invoices____invoices_state"


def _prepare(database_url: str) -> None:
    from sqlmodel import Session, select

    from myapprentice_app import demo
    from myapprentice_app.db import get_engine
    from myapprentice_app.migrate import upgrade
    from myapprentice_app.models import Client
    from myapprentice_app.services import auth

    os.environ["DATABASE_URL"] = database_url
    from myapprentice_app.config import get_settings

    get_settings.cache_clear()
    upgrade()
    with Session(get_engine(database_url), expire_on_commit=False) as session:
        demo.seed(session)
        token = auth.log_in(session, email="finance@brightspark.test", password=demo.DEMO_PASSWORD).token
        finance = auth.resolve(session, token)
        assert finance is not None
        client_ids = [client_id or 0 for client_id in session.exec(
            select(Client.id).where(Client.business_id == finance.business_id))]
        _fill(session, finance.business_id, client_ids)
    get_engine(database_url).dispose()


async def _measure(base: str) -> list[float]:
    rng = random.Random(5)
    response = httpx.post(f"{base}/api/session/sign-in", headers={"origin": base},
                          data={"email": "finance@brightspark.test", "password": "demo-password-1"})
    tab = Tab(base, cookie=f"ma_session={response.cookies['ma_session']}")
    await tab.open("/invoices", until=lambda delta: "rows" in delta.get(STATE, {}) and ROOT_STATE not in delta)
    changed = lambda delta: STATE in delta  # noqa: E731
    actions = [
        lambda: tab.emit(f"{STATE}.go_to_page", {"number": 1}, until=changed),
        lambda: tab.emit(f"{STATE}.go_to_page", {"number": rng.randint(2, 400)}, until=changed),
        lambda: tab.emit(f"{STATE}.filter_status", {"value": "paid"}, until=changed),
        lambda: tab.emit(f"{STATE}.filter_sync_status", {"value": "error"}, until=changed),
        lambda: tab.emit(f"{STATE}.run_search", {"form": {"search": "harbourside"}}, until=changed),
        lambda: tab.emit(f"{STATE}.clear_filters", until=changed),
    ]
    timings = [await actions[index % len(actions)]() for index in range(EVENTS)]
    await tab.close()
    return timings


def _run(database_url: str, work: Path) -> list[float]:
    _prepare(database_url)
    env = {**os.environ, "DATABASE_URL": database_url, "APP_URL": balancer_url(),
           "SECRET_KEY": "benchmark-secret-key-long-enough-for-derivation", "PASSWORD_HASHING": "cheap_for_tests"}
    env.pop("REDIS_URL", None)
    with web_cluster(env, work, processes=1) as cluster:
        return asyncio.run(_measure(cluster.url))


def _p95(timings: list[float]) -> float:
    ordered = sorted(timings)
    return ordered[int(len(ordered) * 0.95) - 1]


def main() -> int:
    work = Path(tempfile.mkdtemp(prefix="bench-list-50k-"))
    sqlite = _run(f"sqlite:///{work / 'bench.db'}", work)
    postgres_text, note = "postgres_p50_ms=skipped postgres_p95_ms=skipped", ""
    try:
        import psycopg

        with psycopg.connect(POSTGRES_ADMIN, connect_timeout=3):
            pass
    except Exception as error:  # noqa: BLE001  (any failure to reach it means: skip, saying why)
        note = f"# invoice_list_50k: PostgreSQL skipped ({type(error).__name__}: not reachable at 127.0.0.1:5432)"
    else:
        name = f"bench_list_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
            connection.execute(f'CREATE DATABASE "{name}"')
        try:
            postgres = _run(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", work)
            postgres_text = (f"postgres_p50_ms={statistics.median(postgres):.1f} "
                             f"postgres_p95_ms={_p95(postgres):.1f}")
        finally:
            with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    print(f"invoice_list_50k: invoices={INVOICES} events={EVENTS} sqlite_p50_ms={statistics.median(sqlite):.1f} "
          f"sqlite_p95_ms={_p95(sqlite):.1f} {postgres_text} target_ms={TARGET_MS}", flush=True)
    if note:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())

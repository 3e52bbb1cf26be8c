"""The Invoices page's query with 50,000 invoices in the database: first page, a filter and a search.

Prints: invoice_list_<case>: invoices=N runs=R p50_ms=.. p95_ms=.. target_ms=150 p95_to_target=..
(p95_to_target below 1 means the page is served faster than the target.)
"""

from __future__ import annotations

import datetime as dt
import os
import random
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path

INVOICES = 50_000
RUNS = 60
TARGET_MS = 150

os.environ["DATABASE_URL"] = f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"

from sqlmodel import Session, insert, select  # noqa: E402

from myapprentice_app import demo  # noqa: E402
from myapprentice_app.db import get_engine  # noqa: E402
from myapprentice_app.migrate import upgrade  # noqa: E402
from myapprentice_app.models import Client, Invoice  # noqa: E402
from myapprentice_app.selectors.invoices import InvoiceFilters, list_invoices  # noqa: E402
from myapprentice_app.services import auth  # noqa: E402


def _fill(session: Session, business_id: int, client_ids: list[int]) -> None:
    rng = random.Random(7)
    today = dt.date.today()
    statuses = ["draft", "authorised", "sent", "part_paid", "paid", "voided"]
    rows = []
    for index in range(INVOICES):
        issued = today - dt.timedelta(days=rng.randint(0, 1500))
        total = Decimal(rng.randint(1000, 500000)) / 100
        rows.append({
            "business_id": business_id, "client_id": rng.choice(client_ids), "number": f"BULK-{index:06d}",
            "issue_date": issued, "due_date": issued + dt.timedelta(days=14), "status": rng.choice(statuses),
            "sync_status": rng.choice(["not_synced", "synced", "error", "pending"]), "total": total,
            "subtotal": total, "total_tax": Decimal(0), "reference": f"Job {index}",
        })
    session.execute(insert(Invoice), rows)
    session.commit()


def _measure(session: Session, actor, filters: InvoiceFilters) -> list[float]:  # type: ignore[no-untyped-def]
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        page = list_invoices(session, actor, filters, page=1)
        timings.append((time.perf_counter() - started) * 1000)
        assert page.rows
    return timings


def main() -> None:
    upgrade()
    with Session(get_engine(), expire_on_commit=False) as session:
        demo.seed(session)
        token = auth.log_in(session, email="finance@brightspark.test", password=demo.DEMO_PASSWORD).token
        finance = auth.resolve(session, token)
        assert finance is not None
        client_ids = [client_id or 0 for client_id in session.exec(
            select(Client.id).where(Client.business_id == finance.business_id))]
        _fill(session, finance.business_id, client_ids)
        cases = {
            "first_page": InvoiceFilters(),
            "status_filter": InvoiceFilters(status="paid"),
            "search": InvoiceFilters(search="harbourside"),
        }
        for name, filters in cases.items():
            timings = sorted(_measure(session, finance, filters))
            p50, p95 = statistics.median(timings), timings[int(len(timings) * 0.95) - 1]
            print(f"invoice_list_{name}: invoices={INVOICES} runs={RUNS} p50_ms={p50:.1f} p95_ms={p95:.1f} "
                  f"target_ms={TARGET_MS} p95_to_target={p95 / TARGET_MS:.2f}", flush=True)


if __name__ == "__main__":
    main()

"""The same code on PostgreSQL: only DATABASE_URL changes."""

from __future__ import annotations

from sqlmodel import Session, func, select

from myapprentice_app import demo
from myapprentice_app.db import get_engine
from myapprentice_app.migrate import upgrade
from myapprentice_app.models import Invoice, User
from myapprentice_app.selectors.invoices import InvoiceFilters, list_invoices
from myapprentice_app.services import auth


def test_migrations_seed_and_the_invoice_list_work_on_postgresql(postgres_url: str) -> None:
    upgrade(postgres_url)
    with Session(get_engine(postgres_url), expire_on_commit=False) as session:
        assert demo.seed(session)
        assert not demo.seed(session)  # idempotent
        assert session.exec(select(func.count()).select_from(Invoice)).one() == 64
        token = auth.log_in(session, email="finance@brightspark.test", password=demo.DEMO_PASSWORD).token
        finance = auth.resolve(session, token)
        assert finance is not None
        page = list_invoices(session, finance, InvoiceFilters(status="paid", search="inv"))
        assert page.total_count > 0 and all(row.status == "paid" for row in page.rows)
        assert session.exec(select(User).where(User.email == "finance@brightspark.test")).one().created_at.tzinfo

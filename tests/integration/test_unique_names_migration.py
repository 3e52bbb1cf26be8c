"""The migrations that make quote numbers and client names unique keep every row of a database that already holds
duplicates: the later ones are renamed to the first free suffix, cut to fit, on SQLite and on PostgreSQL."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command

from myapprentice_app.migrate import alembic_config

BEFORE = "b2d4f6a8c0e1"  # the revision before quote numbers and client names became unique


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'old.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")


def test_duplicate_quote_numbers_and_client_names_are_renamed_and_then_refused(database_url: str) -> None:
    config = alembic_config(database_url)
    command.upgrade(config, BEFORE)
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO business (id, name, invoice_prefix, next_invoice_number, currency, "
                                   "country, payment_terms_days, created_at) VALUES (1, 'Bright Spark Electrical', "
                                   "'INV-', 1, 'AUD', 'AU', 14, CURRENT_TIMESTAMP)"))
        for name in ["Cafe", "cafe", "Cafe (2)", "L" * 200, "l" * 200]:
            connection.execute(sa.text("INSERT INTO client (business_id, name, created_at) "
                                       "VALUES (1, :name, CURRENT_TIMESTAMP)"), {"name": name})
        for number in ["Q-0001", "Q-0001", "Q-0001-2"]:
            connection.execute(sa.text("INSERT INTO quote (business_id, client_id, number, title, status, "
                                       "amounts_are, created_at) VALUES (1, 1, :number, 'Rewire', 'draft', "
                                       "'exclusive', CURRENT_TIMESTAMP)"), {"number": number})

    command.upgrade(config, "head")

    with engine.begin() as connection:
        names = connection.execute(sa.text("SELECT name FROM client ORDER BY id")).scalars().all()
        numbers = connection.execute(sa.text("SELECT number FROM quote ORDER BY id")).scalars().all()
    assert names == ["Cafe", "cafe (2)", "Cafe (2) (2)", "L" * 200, "l" * 196 + " (2)"]
    assert numbers == ["Q-0001", "Q-0001-2", "Q-0001-2-2"]
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as connection:
        connection.execute(sa.text("INSERT INTO client (business_id, name, created_at) "
                                   "VALUES (1, 'CAFE', CURRENT_TIMESTAMP)"))
    engine.dispose()

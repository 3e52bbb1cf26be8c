"""A PostgreSQL database of its own for a test, on the server this machine runs (`make test` starts it when stopped).
Any tier may ask for `postgres_url`, for `app_on_postgres` to point the app itself at it, or for `app_database` to
run on both."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator

import psycopg
import pytest

from myapprentice_app.config import get_settings
from myapprentice_app.db import get_engine
from myapprentice_app.migrate import upgrade

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _skip_unless_postgres_is_installed() -> None:
    """Installed but unreachable is a failure (`make test` starts it); only a machine without it skips."""
    try:
        with psycopg.connect(POSTGRES_ADMIN, connect_timeout=3):
            return
    except psycopg.Error:
        if shutil.which("pg_ctlcluster") is None and shutil.which("postgres") is None:
            pytest.skip(reason="PostgreSQL (postgres) is not installed on this machine")
        raise


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A new, empty PostgreSQL database for one test, dropped afterwards."""
    _skip_unless_postgres_is_installed()
    name = f"myapprentice_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f'CREATE DATABASE "{name}"')
    yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    get_engine(f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}").dispose()
    with psycopg.connect(POSTGRES_ADMIN, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def app_on_postgres(postgres_url: str) -> Iterator[str]:
    """The app's own engine and settings pointed at a new PostgreSQL database, migrated."""
    upgrade(postgres_url)
    before = os.environ["DATABASE_URL"]
    os.environ["DATABASE_URL"] = postgres_url
    get_settings.cache_clear()
    get_engine.cache_clear()
    yield postgres_url
    get_engine().dispose()
    os.environ["DATABASE_URL"] = before
    get_settings.cache_clear()
    get_engine.cache_clear()


@pytest.fixture(params=["sqlite", "postgresql"])
def app_database(request: pytest.FixtureRequest) -> None:
    """The app's engine on the test database (SQLite, emptied) or on a new PostgreSQL one: a test using it runs
    on both."""
    request.getfixturevalue("session" if request.param == "sqlite" else "app_on_postgres")

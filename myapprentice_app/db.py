"""Engine, sessions and the column types every model shares."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from decimal import Decimal
from functools import lru_cache
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, create_engine, select

from myapprentice_app.config import get_settings
from myapprentice_app.domain.stored_text import UnstorableText, storable


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.TypeDecorator[dt.datetime]):
    """Timezone-aware UTC in, timezone-aware UTC out, on SQLite (which drops zones) as on PostgreSQL."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; use timezone-aware UTC")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: sa.Dialect) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class ExactDecimal(sa.TypeDecorator[Decimal]):
    """Decimal stored as a scaled integer: exact on SQLite, whose NUMERIC is a float underneath."""

    impl = sa.BigInteger
    cache_ok = True
    SCALE = 10_000  # four places, Xero's unitdp=4

    def process_bind_param(self, value: Decimal | int | str | None, dialect: sa.Dialect) -> int | None:
        if value is None:
            return None
        scaled = Decimal(value) * self.SCALE
        if scaled != scaled.to_integral_value():
            raise ValueError(f"{value} has more than four decimal places")
        return int(scaled)

    def process_result_value(self, value: int | None, dialect: sa.Dialect) -> Decimal | None:
        if value is None:
            return None
        return (Decimal(value) / self.SCALE).quantize(Decimal("0.0001"))


@lru_cache
def get_engine(url: str | None = None) -> Engine:
    url = url or get_settings().database_url
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = _postgres_engine(url)
    event.listen(engine, "before_cursor_execute", _refuse_unstorable_text)
    return engine


def _postgres_engine(url: str) -> Engine:
    # A transaction left open by a process that stopped (SIGSTOP, a frozen VM) would hold its row locks, and
    # so the sync run it was writing about, for as long as it stays stopped: the server ends it instead. Each
    # session is named after its process, so the worker taking a run over can end its stalled owner's sessions
    # (one stopped halfway through sending a statement is not "idle" to the server).
    name = f"{os.uname().nodename[:30]}:{os.getpid()}"
    most = get_settings().database_connections or 20
    return create_engine(url, pool_pre_ping=True, pool_size=most // 2, max_overflow=most - most // 2, connect_args={
        "options": "-c idle_in_transaction_session_timeout=10000", "application_name": name})


def _refuse_unstorable_text(_connection, _cursor, _statement, parameters, _context, _executemany) -> None:  # type: ignore[no-untyped-def]
    """Every statement's text parameters checked in one place, whichever form or route they came from: a NUL
    byte or a lone surrogate gets the typist a message (`UnstorableText`), not a database error."""
    if not all(storable(text) for text in _texts(parameters)):
        raise UnstorableText()


def _texts(parameters: Any) -> Iterator[str]:
    """The strings among a statement's parameters: one row or many, by position or by name."""
    for value in parameters.values() if isinstance(parameters, dict) else parameters or ():
        if isinstance(value, dict | list | tuple):
            yield from _texts(value)
        elif isinstance(value, str):
            yield value


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session for one unit of work; the caller commits."""
    with Session(get_engine(), expire_on_commit=False) as session:
        yield session


T = TypeVar("T")


async def in_session_thread(work: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    """`work(session, *args, **kwargs)` in a worker thread with a session of its own, for an async event handler:
    the queries (and any call out, to SMTP or Stripe) wait there, and the event loop serves every other tab."""
    return await asyncio.to_thread(_in_session, work, *args, **kwargs)


def _in_session(work: Callable[..., T], /, *args: object, **kwargs: object) -> T:
    with session_scope() as session:
        return work(session, *args, **kwargs)


M = TypeVar("M", bound=SQLModel)


def locked(session: Session, model: type[M], key: Any) -> M | None:
    """The row read afresh and locked until the transaction ends, for a read-then-write such as adding a payment
    to what an invoice has been paid: two writers of one row take turns, so the second adds to the first's sum
    instead of overwriting it with a sum from before. PostgreSQL locks the row (SELECT … FOR NO KEY UPDATE); SQLite has
    no row locks, so the transaction takes the database's one write lock before it reads."""
    rows = locked_rows(session, model, [key])
    return rows[0] if rows else None


def locked_rows(session: Session, model: type[M], keys: Iterable[Any]) -> list[M]:
    """As `locked`, for several rows, locked in key order: two writers of the same rows never wait on each other
    in a circle."""
    if session.get_bind().dialect.name == "sqlite":
        driver = session.connection().connection.driver_connection
        if driver is not None and not driver.in_transaction:
            # sqlite3 opens a transaction only at the first write, so what was read before it may be stale
            driver.execute("BEGIN IMMEDIATE")
    primary_key = sa.inspect(model).primary_key[0]
    # FOR NO KEY UPDATE: it still makes writers of the row take turns, but lets another transaction add a row
    # that refers to it (an audit row of the business, say). FOR UPDATE would block that insert, and a change
    # holding the referring side's lock while it waits for ours would deadlock.
    return list(session.exec(select(model).where(primary_key.in_(set(keys))).order_by(primary_key)
                             .with_for_update(key_share=True).execution_options(populate_existing=True)))


_sqlite_writer = threading.RLock()


@contextmanager
def write_scope() -> Iterator[Session]:
    """A session for one short write transaction (no network calls inside); the caller commits.

    SQLite has one writer at a time, and a connection that finds the write lock taken waits in its busy
    handler, which sleeps in growing steps (up to 100 ms) rather than waking when the lock frees. The threads
    of one process therefore take turns on a lock here instead; other processes still meet the busy handler.
    PostgreSQL locks rows, so there this is just `session_scope`.
    """
    engine = get_engine()
    with _sqlite_writer if engine.dialect.name == "sqlite" else nullcontext():
        with Session(engine, expire_on_commit=False) as session:
            yield session

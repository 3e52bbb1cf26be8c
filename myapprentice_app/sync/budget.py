"""One rate-limit budget per Xero organisation, shared by every worker through the database.

Xero allows 60 calls a minute, 5 at a time and a daily quota per organisation. Each call first leases one of
5 slots (a lease, so a killed worker's slot frees itself) and then one call from the current minute window.
A 429 blocks every worker until its Retry-After has passed.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from myapprentice_app.db import session_scope
from myapprentice_app.models import XeroBudget, XeroCallSlot

MINUTE_LIMIT = 60
CONCURRENT = 5
# Xero's window starts when its first call arrives, a moment after ours left: a slightly longer window on
# our side keeps us from running into the start of Xero's next-to-last second.
WINDOW_SECONDS = 61.0
SLOT_LEASE_SECONDS = 90.0

_budget = XeroBudget.__table__  # type: ignore[attr-defined]
_slots = XeroCallSlot.__table__  # type: ignore[attr-defined]


def _holder() -> str:
    return f"{os.uname().nodename[:30]}:{os.getpid()}:{threading.get_ident() % 100000}"


def ensure_rows(tenant_id: str) -> None:
    with session_scope() as session:
        if session.get(XeroBudget, tenant_id) is not None:
            return
        try:
            session.add(XeroBudget(tenant_id=tenant_id))
            for slot in range(CONCURRENT):
                session.add(XeroCallSlot(tenant_id=tenant_id, slot=slot))
            session.commit()
        except IntegrityError:
            session.rollback()


@contextmanager
def call_slot(tenant_id: str) -> Iterator[None]:
    """Hold one of the organisation's concurrent slots and one call of its minute budget."""
    holder = _holder()
    slot = _acquire(tenant_id, holder)
    try:
        yield
    finally:
        with session_scope() as session:
            session.execute(sa.update(_slots).where(_slots.c.tenant_id == tenant_id, _slots.c.slot == slot)
                            .values(held_until=0.0, holder=None))
            session.commit()


def _acquire(tenant_id: str, holder: str) -> int:
    while True:
        now = time.time()
        wait = _must_wait(tenant_id, now)
        if wait > 0:
            time.sleep(min(wait, 2.0))
            continue
        slot = _take_slot(tenant_id, holder, now)
        if slot is None:
            time.sleep(0.01)
            continue
        wait = _take_minute_call(tenant_id, now)
        if wait == 0:
            return slot
        _free(tenant_id, slot)
        time.sleep(min(wait, 2.0))


def _must_wait(tenant_id: str, now: float) -> float:
    with session_scope() as session:
        blocked_until = session.execute(sa.select(_budget.c.blocked_until)
                                        .where(_budget.c.tenant_id == tenant_id)).scalar_one_or_none()
    if blocked_until is None:
        ensure_rows(tenant_id)
        return 0.0
    return max(0.0, blocked_until - now)


def _take_slot(tenant_id: str, holder: str, now: float) -> int | None:
    with session_scope() as session:
        for slot in range(CONCURRENT):
            result = session.execute(
                sa.update(_slots)
                .where(_slots.c.tenant_id == tenant_id, _slots.c.slot == slot, _slots.c.held_until < now)
                .values(held_until=now + SLOT_LEASE_SECONDS, holder=holder))
            if result.rowcount == 1:  # type: ignore[attr-defined]
                session.commit()
                return slot
        session.rollback()
    return None


def _free(tenant_id: str, slot: int) -> None:
    with session_scope() as session:
        session.execute(sa.update(_slots).where(_slots.c.tenant_id == tenant_id, _slots.c.slot == slot)
                        .values(held_until=0.0, holder=None))
        session.commit()


def _take_minute_call(tenant_id: str, now: float) -> float:
    """0 when a call was counted in the current window, else the seconds until the window resets."""
    with session_scope() as session:
        counted = session.execute(
            sa.update(_budget)
            .where(_budget.c.tenant_id == tenant_id, _budget.c.window_started_at > now - WINDOW_SECONDS,
                   _budget.c.window_calls < MINUTE_LIMIT)
            .values(window_calls=_budget.c.window_calls + 1))
        if counted.rowcount == 0:  # type: ignore[attr-defined]
            counted = session.execute(
                sa.update(_budget)
                .where(_budget.c.tenant_id == tenant_id, _budget.c.window_started_at <= now - WINDOW_SECONDS)
                .values(window_started_at=now, window_calls=1))
        session.commit()
        if counted.rowcount == 1:  # type: ignore[attr-defined]
            return 0.0
        started = session.execute(sa.select(_budget.c.window_started_at)
                                  .where(_budget.c.tenant_id == tenant_id)).scalar_one()
    return max(0.01, started + WINDOW_SECONDS - now)


def block(tenant_id: str, seconds: float) -> None:
    """Everyone waits: Xero said 429 with this Retry-After."""
    until = time.time() + seconds
    with session_scope() as session:
        session.execute(sa.update(_budget).where(_budget.c.tenant_id == tenant_id, _budget.c.blocked_until < until)
                        .values(blocked_until=until))
        session.commit()


def note_remaining(tenant_id: str, day: int | None, minute: int | None) -> None:
    """Keep Xero's own view of the quota (X-DayLimit-Remaining, X-MinLimit-Remaining) for the board."""
    if day is None and minute is None:
        return
    values: dict[str, int] = {}
    if day is not None:
        values["day_remaining"] = day
    if minute is not None:
        values["minute_remaining"] = minute
    with session_scope() as session:
        session.execute(sa.update(_budget).where(_budget.c.tenant_id == tenant_id).values(**values))
        session.commit()


def remaining(tenant_id: str) -> tuple[int | None, int | None]:
    with session_scope() as session:
        row = session.get(XeroBudget, tenant_id)
    return (row.day_remaining, row.minute_remaining) if row else (None, None)

"""The minute window and the daily quota of an organisation's rate-limit budget, shared by every worker through
the database: each call is counted in the current window (or taken from calls reserved ahead); a 429 blocks
everyone until its Retry-After has passed."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from myapprentice_app.db import session_scope, write_scope
from myapprentice_app.domain.xero_limits import CONCURRENT, MINUTE_LIMIT
from myapprentice_app.models import XeroBudget, XeroCallSlot

# Xero's window starts when its first call arrives, a moment after ours left: a slightly longer window on
# our side keeps us from running into the start of Xero's next-to-last second.
WINDOW_SECONDS = 61.0

_budget = XeroBudget.__table__  # type: ignore[attr-defined]


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


def count_call(session: Session, tenant_id: str, now: float, remaining: dict[str, int]) -> float:
    """Count one call in the current minute window (in the caller's transaction): 0, or seconds to wait."""
    counted = session.execute(
        sa.update(_budget)
        .where(_budget.c.tenant_id == tenant_id, _budget.c.blocked_until <= now,
               _budget.c.window_started_at > now - WINDOW_SECONDS, _budget.c.window_calls < MINUTE_LIMIT)
        .values(window_calls=_budget.c.window_calls + 1, **remaining))
    if counted.rowcount == 0:  # type: ignore[attr-defined]
        counted = session.execute(
            sa.update(_budget)
            .where(_budget.c.tenant_id == tenant_id, _budget.c.blocked_until <= now,
                   _budget.c.window_started_at <= now - WINDOW_SECONDS)
            .values(window_started_at=now, window_calls=1, **remaining))
    if counted.rowcount == 1:  # type: ignore[attr-defined]
        return 0.0
    started, blocked_until = session.execute(
        sa.select(_budget.c.window_started_at, _budget.c.blocked_until)
        .where(_budget.c.tenant_id == tenant_id)).one()
    if blocked_until > now:
        return blocked_until - now
    return max(0.01, started + WINDOW_SECONDS - now)


def remaining_values(day: int | None, minute: int | None) -> dict[str, int]:
    values: dict[str, int] = {}
    if day is not None:
        values["day_remaining"] = day
    if minute is not None:
        values["minute_remaining"] = minute
    return values


class Reservation:
    """Calls of one minute window counted ahead, in one transaction, for this process's next calls."""

    def __init__(self, tenant_id: str, window_started_at: float, count: int) -> None:
        self.tenant_id = tenant_id
        self.window_started_at = window_started_at
        self.count = count

    def usable(self, now: float) -> bool:
        # Only inside the window they were counted in (with a margin: Xero's window starts a moment later).
        return self.count > 0 and now < self.window_started_at + WINDOW_SECONDS - 2.0


_reservations: dict[str, list[Reservation]] = {}


_reservations_lock = threading.Lock()


@contextmanager
def reserve(tenant_id: str, calls: int) -> Iterator[None]:
    """Count up to `calls` calls of the current minute window now, for the calls a job is about to make.

    A sender keeping its slot then makes those calls without a write each. What is left unused at the end
    is given back to the window it came from; a worker that dies holding some just leaves that window
    shorter by them. A 429 (`block`) drops every reservation, so the calls after it wait their turn.
    """
    reservation = _reserve(tenant_id, calls) if calls > 1 else None
    if reservation is not None:
        with _reservations_lock:
            _reservations.setdefault(tenant_id, []).append(reservation)
    try:
        yield
    finally:
        if reservation is not None:
            with _reservations_lock:
                held = _reservations.get(tenant_id, [])
                if reservation in held:
                    held.remove(reservation)
            _give_back(reservation)


def _reserve(tenant_id: str, calls: int) -> Reservation | None:
    ensure_rows(tenant_id)
    now = time.time()
    with write_scope() as session:
        row = session.execute(sa.select(_budget.c.window_started_at, _budget.c.window_calls, _budget.c.blocked_until)
                              .where(_budget.c.tenant_id == tenant_id)).one()
        started, used, blocked_until = row
        if blocked_until > now:
            return None
        if started <= now - WINDOW_SECONDS:
            started, used, values = now, 0, {"window_started_at": now}
        else:
            values = {}
        take = min(calls, MINUTE_LIMIT - used)
        if take <= 0:
            return None
        # Only if no other worker counted a call since we looked (else each call is counted as it goes).
        taken = session.execute(sa.update(_budget).where(
            _budget.c.tenant_id == tenant_id, _budget.c.window_started_at == row[0], _budget.c.window_calls == row[1])
            .values(window_calls=used + take, **values))
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        session.commit()
    return Reservation(tenant_id, started, take)


def take_reserved(tenant_id: str) -> bool:
    now = time.time()
    with _reservations_lock:
        for reservation in _reservations.get(tenant_id, []):
            if reservation.usable(now):
                reservation.count -= 1
                return True
    return False


def _give_back(reservation: Reservation) -> None:
    with _reservations_lock:
        count, reservation.count = reservation.count, 0
    if count <= 0:
        return
    with write_scope() as session:
        session.execute(sa.update(_budget).where(
            _budget.c.tenant_id == reservation.tenant_id, _budget.c.window_started_at == reservation.window_started_at,
            _budget.c.window_calls >= count)
            .values(window_calls=_budget.c.window_calls - count))
        session.commit()


def block(tenant_id: str, seconds: float) -> None:
    """Everyone waits: Xero said 429 with this Retry-After."""
    with _reservations_lock:
        unused = [reservation for reservation in _reservations.get(tenant_id, []) if reservation.count > 0]
    for reservation in unused:
        _give_back(reservation)  # the calls after the wait are counted one by one again
    until = time.time() + seconds
    with write_scope() as session:
        session.execute(sa.update(_budget).where(_budget.c.tenant_id == tenant_id, _budget.c.blocked_until < until)
                        .values(blocked_until=until))
        session.commit()

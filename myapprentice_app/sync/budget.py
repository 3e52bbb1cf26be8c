"""One rate-limit budget per Xero organisation, shared by every worker through the database.

Xero allows 60 calls a minute, 5 at a time and a daily quota per organisation. Each call first leases one of
5 slots (a lease, so a killed worker's slot frees itself) and then one call from the current minute window.
A 429 blocks every worker until its Retry-After has passed.

A call takes its slot and its call of the minute in one transaction and frees the slot in another. A sender
with a queue of requests (`keep_slot`) keeps its slot from one request to the next instead: each further call
is then one transaction (count the call, renew the lease, store Xero's remaining-quota headers).
"""

from __future__ import annotations

import os
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

__all__ = ["CONCURRENT", "MINUTE_LIMIT", "block", "call_slot", "keep_slot", "reserve"]
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


# Threads of one process queue here for the organisation's slots instead of polling the database: only
# the cross-process part (other workers) is settled through the shared rows.
_gates: dict[str, threading.BoundedSemaphore] = {}
_gates_lock = threading.Lock()
_kept = threading.local()  # tenant id -> the Lease this thread keeps between calls (see keep_slot)


def _gate(tenant_id: str) -> threading.BoundedSemaphore:
    with _gates_lock:
        gate = _gates.get(tenant_id)
        if gate is None:
            gate = _gates[tenant_id] = threading.BoundedSemaphore(CONCURRENT)
        return gate


class Lease:
    """A held slot, and Xero's remaining-quota headers from its last answer (stored with the next write)."""

    def __init__(self, slot: int, holder: str) -> None:
        self.slot = slot
        self.holder = holder
        self.renewed_at = time.time()
        self.day: int | None = None
        self.minute: int | None = None

    def note(self, day: int | None, minute: int | None) -> None:
        self.day, self.minute = day, minute


def _kept_leases() -> dict[str, Lease | None]:
    if not hasattr(_kept, "leases"):
        _kept.leases = {}
    leases: dict[str, Lease | None] = _kept.leases
    return leases


@contextmanager
def keep_slot(tenant_id: str) -> Iterator[None]:
    """For a sender with several requests to make: keep one slot from one call to the next.

    The slot is taken with the first call and given back when the block ends (or when a call fails, so a
    sender pausing before a retry doesn't sit on it). Every call still counts against the minute budget.
    A sender waiting for its first request holds no slot: the call it waits on (the contacts) may need one.
    """
    leases = _kept_leases()
    if tenant_id in leases:
        yield  # already keeping one
        return
    gate = _gate(tenant_id)
    leases[tenant_id] = None
    try:
        yield
    finally:
        lease = leases.pop(tenant_id, None)
        if lease is not None:
            _release(tenant_id, lease)
            gate.release()


@contextmanager
def call_slot(tenant_id: str) -> Iterator[Lease]:
    """Hold one of the organisation's concurrent slots and one call of its minute budget."""
    leases = _kept_leases()
    if tenant_id in leases:
        yield from _kept_call(tenant_id, leases)
        return
    gate = _gate(tenant_id)
    gate.acquire()
    try:
        lease = _acquire(tenant_id, _holder())
        try:
            yield lease
        finally:
            _release(tenant_id, lease)
    finally:
        gate.release()


def _kept_call(tenant_id: str, leases: dict[str, Lease | None]) -> Iterator[Lease]:
    """A call of a sender keeping its slot: the process's gate and the slot's lease are held together."""
    lease = leases[tenant_id]
    if lease is None:
        gate = _gate(tenant_id)
        gate.acquire()
        try:
            lease = leases[tenant_id] = _acquire(tenant_id, _holder())
        except BaseException:
            gate.release()
            raise
    elif time.time() - lease.renewed_at < SLOT_LEASE_SECONDS / 3 and _take_reserved(tenant_id):
        pass  # the slot is ours and this call was counted ahead (see `reserve`): nothing to write
    elif not _count_kept_call(tenant_id, lease):
        lease = leases[tenant_id] = _acquire(tenant_id, _holder())  # the lease lapsed: take a slot afresh
    try:
        yield lease
    except BaseException:
        leases[tenant_id] = None
        _release(tenant_id, lease)
        _gate(tenant_id).release()
        raise


def _acquire(tenant_id: str, holder: str) -> Lease:
    while True:
        now = time.time()
        slot, wait = _try_acquire(tenant_id, holder, now)
        if slot is not None:
            return Lease(slot, holder)
        time.sleep(min(wait, 2.0))


def _try_acquire(tenant_id: str, holder: str, now: float) -> tuple[int | None, float]:
    """One transaction: not blocked by a 429, a free slot, and a call left in the minute window.

    Returns (slot, 0) or (None, seconds to wait). When the minute is spent the slot taken is rolled back.
    """
    with write_scope() as session:
        blocked_until = session.execute(sa.select(_budget.c.blocked_until)
                                        .where(_budget.c.tenant_id == tenant_id)).scalar_one_or_none()
        if blocked_until is None:
            session.rollback()
            ensure_rows(tenant_id)
            return None, 0.0
        if blocked_until > now:
            return None, blocked_until - now
        slot = None
        for candidate in range(CONCURRENT):
            taken = session.execute(
                sa.update(_slots)
                .where(_slots.c.tenant_id == tenant_id, _slots.c.slot == candidate, _slots.c.held_until < now)
                .values(held_until=now + SLOT_LEASE_SECONDS, holder=holder))
            if taken.rowcount == 1:  # type: ignore[attr-defined]
                slot = candidate
                break
        if slot is None:
            session.rollback()
            if _reclaim_from_dead_workers(session, tenant_id):
                return None, 0.0
            return None, 0.01  # another worker holds them all
        wait = 0.0 if _take_reserved(tenant_id) else _count_call(session, tenant_id, now, {})
        if wait == 0:
            session.commit()
            return slot, 0.0
        session.rollback()  # gives the slot back with the rest
    return None, wait


def _reclaim_from_dead_workers(session: Session, tenant_id: str) -> bool:
    """Free slots whose holder was a process on this machine that is gone (killed mid-run).

    Their leases would free them anyway, but only after SLOT_LEASE_SECONDS; a worker restarted after a
    crash shouldn't sit that long behind its dead predecessor. Holders on other machines wait for the lease.
    """
    here = os.uname().nodename[:30]
    dead = []
    for slot, holder in session.execute(sa.select(_slots.c.slot, _slots.c.holder)
                                        .where(_slots.c.tenant_id == tenant_id, _slots.c.holder.is_not(None))):
        node, _, rest = holder.partition(":")
        pid = rest.partition(":")[0]
        if node == here and pid.isdigit() and not _alive(int(pid)):
            dead.append((slot, holder))
    for slot, holder in dead:
        session.execute(sa.update(_slots).where(_slots.c.tenant_id == tenant_id, _slots.c.slot == slot,
                                                _slots.c.holder == holder).values(held_until=0.0, holder=None))
    session.commit()
    return bool(dead)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _count_kept_call(tenant_id: str, lease: Lease) -> bool:
    """One transaction per further call of a kept slot; False when the lease was lost (take a slot afresh)."""
    while True:
        now = time.time()
        with write_scope() as session:
            renewed = session.execute(
                sa.update(_slots)
                .where(_slots.c.tenant_id == tenant_id, _slots.c.slot == lease.slot, _slots.c.holder == lease.holder)
                .values(held_until=now + SLOT_LEASE_SECONDS))
            if renewed.rowcount != 1:  # type: ignore[attr-defined]
                return False
            if _take_reserved(tenant_id):
                wait = 0.0
                if lease.day is not None or lease.minute is not None:
                    session.execute(sa.update(_budget).where(_budget.c.tenant_id == tenant_id)
                                    .values(**_remaining_values(lease.day, lease.minute)))
            else:
                wait = _count_call(session, tenant_id, now, _remaining_values(lease.day, lease.minute))
            if wait == 0:
                session.commit()
                lease.renewed_at = now
                return True
            session.rollback()
        time.sleep(min(wait, 2.0))  # a 429 or a spent minute holds everyone up: keeping the slot costs nothing


def _count_call(session: Session, tenant_id: str, now: float, remaining: dict[str, int]) -> float:
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


def _release(tenant_id: str, lease: Lease) -> None:
    """Free the slot, and keep Xero's own view of the quota (X-DayLimit-Remaining, X-MinLimit-Remaining)."""
    with write_scope() as session:
        session.execute(sa.update(_slots).where(_slots.c.tenant_id == tenant_id, _slots.c.slot == lease.slot,
                                                _slots.c.holder == lease.holder)
                        .values(held_until=0.0, holder=None))
        values = _remaining_values(lease.day, lease.minute)
        if values:
            session.execute(sa.update(_budget).where(_budget.c.tenant_id == tenant_id).values(**values))
        session.commit()


def _remaining_values(day: int | None, minute: int | None) -> dict[str, int]:
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


def _take_reserved(tenant_id: str) -> bool:
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

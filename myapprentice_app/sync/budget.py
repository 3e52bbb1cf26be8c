"""One rate-limit budget per Xero organisation, shared by every worker through the database.

Xero allows 60 calls a minute, 5 at a time and a daily quota per organisation. Each call first leases one of
5 slots (a lease, so a killed worker's slot frees itself) and then one call from the current minute window.
A 429 blocks every worker until its Retry-After has passed.

A call takes its slot and its call of the minute in one transaction and frees the slot in another. A sender
with a queue of requests (`keep_slot`) keeps its slot from one request to the next instead: each further call
is then one transaction (count the call, renew the lease, store Xero's remaining-quota headers).

This module holds the slots; `minute_window` counts the calls (and reserves them ahead, and blocks on a 429).
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlmodel import Session

from myapprentice_app.db import write_scope
from myapprentice_app.domain.xero_limits import CONCURRENT, MINUTE_LIMIT
from myapprentice_app.models import XeroBudget, XeroCallSlot
from myapprentice_app.sync.minute_window import (
    block,
    count_call,
    ensure_rows,
    remaining_values,
    reserve,
    take_reserved,
)

__all__ = ["CONCURRENT", "MINUTE_LIMIT", "block", "call_slot", "keep_slot", "reserve"]
SLOT_LEASE_SECONDS = 90.0

_budget = XeroBudget.__table__  # type: ignore[attr-defined]
_slots = XeroCallSlot.__table__  # type: ignore[attr-defined]


def _holder() -> str:
    return f"{os.uname().nodename[:30]}:{os.getpid()}:{threading.get_ident() % 100000}"


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
    elif time.time() - lease.renewed_at < SLOT_LEASE_SECONDS / 3 and take_reserved(tenant_id):
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
        wait = 0.0 if take_reserved(tenant_id) else count_call(session, tenant_id, now, {})
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
            if take_reserved(tenant_id):
                wait = 0.0
                if lease.day is not None or lease.minute is not None:
                    session.execute(sa.update(_budget).where(_budget.c.tenant_id == tenant_id)
                                    .values(**remaining_values(lease.day, lease.minute)))
            else:
                wait = count_call(session, tenant_id, now, remaining_values(lease.day, lease.minute))
            if wait == 0:
                session.commit()
                lease.renewed_at = now
                return True
            session.rollback()
        time.sleep(min(wait, 2.0))  # a 429 or a spent minute holds everyone up: keeping the slot costs nothing


def _release(tenant_id: str, lease: Lease) -> None:
    """Free the slot, and keep Xero's own view of the quota (X-DayLimit-Remaining, X-MinLimit-Remaining)."""
    with write_scope() as session:
        session.execute(sa.update(_slots).where(_slots.c.tenant_id == tenant_id, _slots.c.slot == lease.slot,
                                                _slots.c.holder == lease.holder)
                        .values(held_until=0.0, holder=None))
        values = remaining_values(lease.day, lease.minute)
        if values:
            session.execute(sa.update(_budget).where(_budget.c.tenant_id == tenant_id).values(**values))
        session.commit()



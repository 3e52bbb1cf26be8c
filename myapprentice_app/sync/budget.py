"""One organisation's Xero allowance, shared by every worker through the database: `RateBudget`.

Xero allows an organisation 5 calls at a time, 60 a minute and a daily quota. Taking a call takes, in one
transaction, one of 5 slots (a short lease, so a dead or stopped worker's slot frees itself in seconds) and one
call of the current minute window; giving it back frees the slot and keeps Xero's remaining-quota headers.
The caller's own write about the call (`then`: the batch as it leaves, Xero's answer as it comes) goes in the
same transaction, so a call costs two commits; it comes first in both, so every transaction locks rows in the
same order (the caller's run, the budget, a slot) and none waits on another in a circle (PostgreSQL).
A 429 holds every worker until its Retry-After has passed. Nobody waits long: past `longest_wait` the caller
gets `WaitForXero` and leaves the work for later.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from myapprentice_app.config import get_settings
from myapprentice_app.db import session_scope, write_scope
from myapprentice_app.domain.xero_limits import CONCURRENT, MINUTE_LIMIT
from myapprentice_app.integrations.xero.errors import RateLimited
from myapprentice_app.models import XeroBudget, XeroCallSlot

SLOT_LEASE_SECONDS = 8.0
SHORT_WAIT = 5.0  # longer than this, a caller leaves the work for later instead of holding a worker
# Xero's window starts when our first call arrives, a moment after it left: ours is a little longer.
WINDOW_SECONDS = 61.0


def window_seconds() -> float:
    """The minute window, shortened like the sandbox's when it runs time-scaled (XERO_TIME_SCALE)."""
    return WINDOW_SECONDS / get_settings().xero_minute_scale

_budget = XeroBudget.__table__  # type: ignore[attr-defined]
_slots = XeroCallSlot.__table__  # type: ignore[attr-defined]
_tenant: sa.BindParameter[str] = sa.bindparam("b_tenant", type_=sa.String)

# Built once, not per call: SQLAlchemy spends more CPU building and keying a statement than SQLite spends running
# it, and every Xero call runs these.
_LOOK = sa.select(_budget.c.window_started_at, _budget.c.window_calls, _budget.c.blocked_until,
                  _budget.c.blocked_problem).where(_budget.c.tenant_id == _tenant)
_COUNT = (sa.update(_budget)  # a call of the window, only if no other worker counted one since we looked
          .where(_budget.c.tenant_id == _tenant, _budget.c.window_started_at == sa.bindparam("b_started"),
                 _budget.c.window_calls == sa.bindparam("b_used"))
          .values(window_calls=sa.bindparam("b_calls"), window_started_at=sa.bindparam("b_window"),
                  minute_remaining=sa.func.coalesce(sa.bindparam("b_minute", type_=sa.Integer),
                                                    _budget.c.minute_remaining)))
_FREE_SLOT = sa.select(sa.func.min(_slots.c.slot)).where(_slots.c.tenant_id == _tenant,
                                                         _slots.c.held_until < sa.bindparam("b_now"))
_TAKE_SLOT = (sa.update(_slots)
              .where(_slots.c.tenant_id == _tenant, _slots.c.slot == sa.bindparam("b_slot"),
                     _slots.c.held_until < sa.bindparam("b_now"))
              .values(held_until=sa.bindparam("b_until"), holder=sa.bindparam("b_holder")))
_GIVE_SLOT = (sa.update(_slots)
              .where(_slots.c.tenant_id == _tenant, _slots.c.slot == sa.bindparam("b_slot"),
                     _slots.c.holder == sa.bindparam("b_holder"))
              .values(held_until=0.0, holder=None))
_DAY_LEFT = (sa.update(_budget)  # an answer arriving after a day-limit 429 doesn't undo it
             .where(_budget.c.tenant_id == _tenant,
                    sa.or_(sa.func.coalesce(_budget.c.blocked_problem, "") != "day",
                           _budget.c.blocked_until < sa.bindparam("b_now")))
             .values(day_remaining=sa.bindparam("b_day"), day_remaining_at=sa.bindparam("b_now")))


class WaitForXero(RateLimited):
    """Xero can't take the call for longer than the caller may wait: try again at `until` (epoch seconds).

    A `RateLimited`, so code that leaves the work for later on a 429 does the same here."""

    def __init__(self, until: float, problem: str) -> None:
        super().__init__(max(0.0, until - time.time()), problem)
        self.until = until
        if problem == "unavailable":  # not a rate limit: Xero failed or didn't answer, again and again
            self.args = (f"Xero failed or didn't answer several times in a row; trying again in "
                         f"{self.retry_after:.0f}s",)


Write = Callable[[Session], None]  # the caller's part of a budget transaction


@dataclass(frozen=True)
class Slot:
    number: int
    holder: str


# The threads of one process queue here for the organisation's slots instead of polling the database.
_gates: dict[str, threading.BoundedSemaphore] = {}
_lock = threading.Lock()


class RateBudget:
    def __init__(self, tenant_id: str) -> None:
        self.tenant_id = tenant_id
        with _lock:
            self._gate = _gates.setdefault(tenant_id, threading.BoundedSemaphore(CONCURRENT))
        self._minute_remaining: int | None = None  # Xero's last X-MinLimit-Remaining, stored with the next take
        _ensure_rows(tenant_id)

    def take(self, longest_wait: float, then: Write | None = None) -> Slot:
        """A slot and a call of the minute, waiting up to `longest_wait` seconds for them; `then` writes in the
        transaction that takes them (if it raises, nothing is taken)."""
        give_up = time.time() + longest_wait
        holder = f"{os.uname().nodename[:30]}:{os.getpid()}:{threading.get_ident() % 100000}"
        if not self._gate.acquire(timeout=longest_wait):  # this process's own calls hold every slot
            raise WaitForXero(time.time() + 0.1, "concurrent")
        try:
            while True:
                now = time.time()
                slot, wait, problem = self._try_take(now, holder, then)
                if slot is not None:
                    return slot
                if now + wait > give_up:
                    raise WaitForXero(now + wait, problem)
                time.sleep(min(wait, 1.0))
        except BaseException:
            self._gate.release()
            raise

    def give_back(self, slot: Slot, day_remaining: int | None = None, minute_remaining: int | None = None,
                  then: Write | None = None) -> None:
        """Free the slot, and keep Xero's own view of the quota (X-DayLimit-Remaining, X-MinLimit-Remaining):
        the day's is written at once, for the board and the Xero tab; the minute's with the next take. `then`
        writes in the same transaction; if it raises, the slot is freed without it and the error goes on."""
        if minute_remaining is not None:
            self._minute_remaining = minute_remaining
        try:
            with write_scope() as session:
                if then is not None:
                    try:
                        then(session)
                    except BaseException:
                        session.rollback()
                        self._free(session, slot, day_remaining)
                        session.commit()
                        raise
                self._free(session, slot, day_remaining)
                session.commit()
        finally:
            self._gate.release()

    def _free(self, session: Session, slot: Slot, day_remaining: int | None) -> None:
        if day_remaining is not None:
            session.execute(_DAY_LEFT, {"b_tenant": self.tenant_id, "b_day": day_remaining, "b_now": time.time()})
        session.execute(_GIVE_SLOT, {"b_tenant": self.tenant_id, "b_slot": slot.number, "b_holder": slot.holder})

    def refused(self, retry_after: float, problem: str) -> None:
        """Xero said 429: every worker waits until Retry-After has passed."""
        until = time.time() + retry_after
        spent = {"day_remaining": 0, "day_remaining_at": time.time()} if problem == "day" else {}
        with write_scope() as session:
            session.execute(sa.update(_budget).where(_budget.c.tenant_id == self.tenant_id,
                                                     _budget.c.blocked_until < until)
                            .values(blocked_until=until, blocked_problem=problem, **spent))
            session.commit()

    def calls_left_today(self) -> int | None:
        """Xero's last word on the day's remaining calls, or None when it has said nothing within a day."""
        with session_scope() as session:
            row = session.get(XeroBudget, self.tenant_id)
            return None if row is None else row.calls_left_today()

    def calls_left_this_minute(self) -> int:
        with session_scope() as session:
            row = session.execute(sa.select(_budget.c.window_started_at, _budget.c.window_calls)
                                  .where(_budget.c.tenant_id == self.tenant_id)).one_or_none()
        if row is None or time.time() >= row.window_started_at + window_seconds():
            return MINUTE_LIMIT
        return MINUTE_LIMIT - int(row.window_calls)

    def _try_take(self, now: float, holder: str, then: Write | None) -> tuple[Slot | None, float, str]:
        """One transaction: not held by a 429, a call left in the minute, a free slot. Else how long to wait."""
        with write_scope() as session:
            if then is not None:  # first, as in give_back: rows are locked run, budget, slot, so none deadlock
                then(session)
            row = session.execute(_LOOK, {"b_tenant": self.tenant_id}).one_or_none()
            if row is None:  # removed since (a test emptying the database)
                _ensure_rows(self.tenant_id)
                return None, 0.0, "minute"
            started, used, blocked_until, problem = row
            if blocked_until > now:
                return None, blocked_until - now, problem or "minute"
            window = window_seconds()
            in_window = started > now - window
            if in_window and used >= MINUTE_LIMIT:
                return None, started + window - now, "minute"
            counted = session.execute(_COUNT, {
                "b_tenant": self.tenant_id, "b_started": started, "b_used": used,
                "b_calls": used + 1 if in_window else 1, "b_window": started if in_window else now,
                "b_minute": self._minute_remaining})
            if counted.rowcount != 1:  # type: ignore[attr-defined]
                return None, 0.0, "minute"  # another worker counted one: look again
            free = session.execute(_FREE_SLOT, {"b_tenant": self.tenant_id, "b_now": now}).scalar_one_or_none()
            if free is not None:
                taken = session.execute(_TAKE_SLOT, {"b_tenant": self.tenant_id, "b_slot": free, "b_now": now,
                                                     "b_until": now + SLOT_LEASE_SECONDS, "b_holder": holder})
                if taken.rowcount == 1:  # type: ignore[attr-defined]
                    session.commit()
                    return Slot(int(free), holder), 0.0, ""
            session.rollback()  # every slot is another worker's: the call counted above is given back
        return None, 0.02 if free is None else 0.0, "concurrent"


def _ensure_rows(tenant_id: str) -> None:
    with session_scope() as session:
        if session.get(XeroBudget, tenant_id) is None:
            try:
                session.add(XeroBudget(tenant_id=tenant_id))
                session.add_all([XeroCallSlot(tenant_id=tenant_id, slot=slot) for slot in range(CONCURRENT)])
                session.commit()
            except IntegrityError:
                session.rollback()  # another worker made them first

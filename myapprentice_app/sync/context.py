"""What one sync run carries around: the organisation, its Xero client, the run's fencing token, and the one
way to call Xero (a slot from the organisation's `RateBudget`; a 401 refreshes the token once)."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from myapprentice_app.db import utcnow, write_scope
from myapprentice_app.integrations.xero import tokens
from myapprentice_app.integrations.xero.client import Reply, XeroClient
from myapprentice_app.integrations.xero.errors import ConnectionRevoked, RateLimited, TokenRejected
from myapprentice_app.models import SyncRun, XeroSettings
from myapprentice_app.sync.budget import SHORT_WAIT, RateBudget, Write

_runs = SyncRun.__table__  # type: ignore[attr-defined]
_HOLD = (sa.update(_runs)  # built once: every write about a run starts with it
         .where(_runs.c.id == sa.bindparam("b_run"), _runs.c.generation == sa.bindparam("b_generation"))
         .values(heartbeat_at=sa.bindparam("b_now")))


class Superseded(Exception):  # noqa: N818 - not a failure: another worker holds the run now
    """Another worker claimed the run since this one did: its writes are refused, and it stops quietly."""


@dataclass
class OrgContext:
    business_id: int
    tenant_id: str
    settings: XeroSettings
    run_id: int | None = None
    user_id: int | None = None
    generation: int = 0  # the run's fencing token, from this worker's claim
    owner: str = ""
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self._token: dict[str, Any] | None = None
        self.client = XeroClient(self.tenant_id, self._valid_token)
        self.budget = RateBudget(self.tenant_id)

    @contextmanager
    def writing(self) -> Iterator[Session]:
        """One write transaction about the run, committed at the end: compare-and-set on the run's token first,
        so a worker that lost the run (paused past its lease, say) writes nothing and gets `Superseded`."""
        with write_scope() as session:
            self._hold(session)
            yield session
            session.commit()

    def call(self, action: Callable[[XeroClient], Reply], longest_wait: float = SHORT_WAIT,
             before: Write | None = None, after: Callable[[Reply], Write] | None = None) -> Reply:
        """One Xero call in a slot of the organisation's budget; a 429 makes every worker wait. `before` writes
        (fenced) in the transaction that takes the slot; `after` reads the answer and gives what to write
        (fenced) in the one that frees it."""
        slot = self.budget.take(longest_wait, then=self._fenced(before))
        with self._lock:
            self.calls += 1
        reply: Reply | None = None
        answer: Write | None = None
        try:
            reply = self._answered(action)
            answer = after(reply) if after is not None else None
        except RateLimited as limited:
            self.budget.refused(limited.retry_after, limited.problem)
            raise
        finally:
            self.budget.give_back(slot, reply.day_remaining if reply else None,
                                  reply.minute_remaining if reply else None, then=self._fenced(answer))
        return reply

    def _fenced(self, write: Write | None) -> Write | None:
        if write is None:
            return None

        def fenced(session: Session) -> None:
            self._hold(session)
            write(session)
        return fenced

    def _hold(self, session: Session) -> None:
        """The compare-and-set on the run's token (no run: nothing to hold)."""
        if self.run_id is None:
            return
        held = session.execute(_HOLD, {"b_run": self.run_id, "b_generation": self.generation, "b_now": utcnow()})
        if held.rowcount != 1:  # type: ignore[attr-defined]
            session.rollback()
            raise Superseded(f"run {self.run_id} was claimed by another worker")

    def _answered(self, action: Callable[[XeroClient], Reply]) -> Reply:
        used = self._valid_token()
        try:
            return action(self.client)
        except TokenRejected:
            self._token = tokens.after_rejection(self.business_id, used)
        try:
            return action(self.client)
        except TokenRejected as again:  # the organisation no longer lets this app in: only reconnecting helps
            raise ConnectionRevoked(f"Xero refused a freshly refreshed token: {again}") from again

    def _valid_token(self) -> dict[str, Any]:
        """The token for every request of the run: read (and decrypted) again only when it nears expiry."""
        token = self._token
        if token is None or not tokens.fresh(token):
            token = self._token = tokens.valid_token(self.business_id)
        return token

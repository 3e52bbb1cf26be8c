"""What one sync run carries around: the organisation, its Xero client and the rate-limited call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from myapprentice_app.integrations.xero import tokens
from myapprentice_app.integrations.xero.client import Reply, XeroClient
from myapprentice_app.integrations.xero.errors import OutcomeUnknown, RateLimited, Unavailable
from myapprentice_app.models import XeroSettings
from myapprentice_app.sync import budget


@dataclass
class OrgContext:
    business_id: int
    tenant_id: str
    settings: XeroSettings
    run_id: int | None = None
    user_id: int | None = None
    client: XeroClient = field(init=False)
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _counted: threading.Condition = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._counted = threading.Condition(self._lock)
        self._token: dict[str, Any] | None = None
        self.client = XeroClient(self.tenant_id, self._valid_token)

    def _valid_token(self) -> dict[str, Any]:
        """The token for every request of the run: read (and decrypted) again only when it nears expiry."""
        token = self._token
        if token is None or not tokens.fresh(token):
            token = self._token = tokens.valid_token(self.business_id)
        return token

    def read(self, action: Callable[[XeroClient], Reply], attempts: int = 8) -> Reply:
        """A read: safe to repeat, so 429s, 5xx and lost answers are retried here (with backoff)."""
        for attempt in range(attempts):
            try:
                return self.call(action)
            except RateLimited:
                continue
            except (Unavailable, OutcomeUnknown):
                if attempt == attempts - 1:
                    raise
                time.sleep(min(0.2 * 2 ** attempt, 10.0))
        return self.call(action)

    def wait_for_call(self, work: Future, made: int) -> None:
        """Until `work` has started a call beyond the run's first `made`, or has finished without one."""
        work.add_done_callback(lambda _: self._wake())
        with self._counted:
            self._counted.wait_for(lambda: self.calls > made or work.done())

    def _wake(self) -> None:
        with self._counted:
            self._counted.notify_all()

    def call(self, action: Callable[[XeroClient], Reply]) -> Reply:
        """One Xero call inside the organisation's shared budget; a 429 makes every worker wait."""
        with budget.call_slot(self.tenant_id) as lease:
            with self._counted:
                self.calls += 1
                self._counted.notify_all()
            try:
                reply = action(self.client)
            except RateLimited as limited:
                budget.block(self.tenant_id, limited.retry_after)
                raise
            lease.note(reply.day_remaining, reply.minute_remaining)
        return reply

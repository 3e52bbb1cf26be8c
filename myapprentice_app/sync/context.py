"""What one sync run carries around: the organisation, its Xero client and the rate-limited call."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

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

    def __post_init__(self) -> None:
        business_id = self.business_id
        self.client = XeroClient(self.tenant_id, lambda: tokens.valid_token(business_id))

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

    def call(self, action: Callable[[XeroClient], Reply]) -> Reply:
        """One Xero call inside the organisation's shared budget; a 429 makes every worker wait."""
        with budget.call_slot(self.tenant_id) as lease:
            with self._lock:
                self.calls += 1
            try:
                reply = action(self.client)
            except RateLimited as limited:
                budget.block(self.tenant_id, limited.retry_after)
                raise
            lease.note(reply.day_remaining, reply.minute_remaining)
        return reply

"""The one object every handler reaches through `request.app.state.sandbox`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .faults import Faults
from .idempotency import IdempotencyStore
from .ratelimit import RateLimiter
from .store import Store
from .webhooks import Webhooks


@dataclass
class Sandbox:
    store: Store
    faults: Faults = field(default_factory=Faults)
    limiter: RateLimiter = field(default_factory=RateLimiter)
    idempotency: IdempotencyStore = field(default_factory=IdempotencyStore)
    webhooks: Webhooks = field(default_factory=Webhooks)
    rate_limits: str = "off"  # what the faults' rate_limits start as, and return to on a reset

    @classmethod
    def create(cls, state_file: str | None, webhook_url: str | None, webhook_key: str | None,
               rate_limits: str = "off") -> Sandbox:
        sandbox = cls(store=Store(state_file), faults=Faults(rate_limits=rate_limits), rate_limits=rate_limits)
        sandbox.webhooks.url = webhook_url or os.environ.get("XERO_SANDBOX_WEBHOOK_URL") or None
        sandbox.webhooks.key = webhook_key or os.environ.get("XERO_SANDBOX_WEBHOOK_KEY") or None
        window = os.environ.get("XERO_SANDBOX_IDEMPOTENCY_WINDOW_SECONDS")
        if window:
            sandbox.idempotency.window_seconds = int(window)
        return sandbox

    def reset(self) -> None:
        self.store.reset()
        self.faults = Faults(rate_limits=self.rate_limits)
        self.limiter.reset()
        self.idempotency.clear()
        self.webhooks.pending.clear()
        self.webhooks.deliveries.clear()

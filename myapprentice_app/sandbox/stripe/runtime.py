"""The one object every handler reaches through `request.app.state.sandbox`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from .idempotency import IdempotencyStore
from .store import Store
from .webhooks import Webhooks


@dataclass
class Sandbox:
    store: Store
    webhooks: Webhooks = field(default_factory=Webhooks)
    idempotency: IdempotencyStore = field(default_factory=IdempotencyStore)
    # An endpoint from the environment (the Procfile's app), registered again after every reset.
    startup_endpoint: tuple[str, str] | None = None
    # Faults for the next API POSTs, oldest first: "drop" (done, then the answer is cut off: a timeout as the
    # client sees it) or "rate_limit" (Stripe's 429 before anything is done). Set with /sandbox-admin/config.
    failures: list[str] = field(default_factory=list)
    latency: float = 0.0  # seconds every API call takes before it is answered (latency_ms in /sandbox-admin/config)

    @classmethod
    def create(cls, state_file: str | None = None) -> Sandbox:
        sandbox = cls(store=Store(state_file))
        url = os.environ.get("STRIPE_SANDBOX_WEBHOOK_URL")
        secret = os.environ.get("STRIPE_SANDBOX_WEBHOOK_SECRET")
        if url and secret:
            sandbox.startup_endpoint = (url, secret)
            sandbox.register_startup_endpoint()
        return sandbox

    def register_startup_endpoint(self) -> None:
        from .events import register_endpoint

        if self.startup_endpoint is None:
            return
        url, secret = self.startup_endpoint
        known = {(e["url"], e["secret"]) for e in self.store.state["endpoints"].values() if e["connect"]}
        if (url, secret) not in known:
            register_endpoint(self, url, ["*"], True, secret, "From STRIPE_SANDBOX_WEBHOOK_URL")

    async def reset(self) -> None:
        await self.webhooks.reset()
        self.store.reset()
        self.idempotency.clear()
        self.failures.clear()
        self.latency = 0.0
        self.register_startup_endpoint()

"""Idempotency-Key: the same key with the same request replays the first answer for 24 hours; the same key
with different parameters is Stripe's `idempotency_error`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from .errors import StripeError

KEEP_SECONDS = 24 * 3600
SAVED_STATUSES = (200, 402)  # results of requests that started executing; validation failures are not kept


@dataclass
class IdempotencyStore:
    saved: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)

    def replay(self, account: str, key: str, fingerprint: str) -> tuple[int, dict[str, Any]] | None:
        entry = self.saved.get((account, key))
        if entry is None or entry["at"] < time.time() - KEEP_SECONDS:
            return None
        if entry["fingerprint"] != fingerprint:
            raise StripeError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they were first used "
                f"with. Try using a key other than '{key}' if you meant to execute a different request.",
                type="idempotency_error",
            )
        return entry["status"], entry["body"]

    def save(self, account: str, key: str, fingerprint: str, status: int, body: dict[str, Any]) -> None:
        if status in SAVED_STATUSES:
            self.saved[(account, key)] = {"fingerprint": fingerprint, "status": status, "body": body, "at": time.time()}

    def clear(self) -> None:
        self.saved.clear()

"""Signed webhook deliveries with Stripe's scheme and retry-with-back-off, plus the test knobs: hold and
release in any order, replay, duplicate.

Signature: `Stripe-Signature: t=<unix time of the attempt>,v1=<hex HMAC-SHA256(secret, f"{t}.{raw body}")>`.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from .store import random_part

log = logging.getLogger(__name__)
# Stripe does not publish exact intervals: live mode retries with exponential back-off for up to three days,
# test mode three times over a few hours. The default here is test mode's: after 5 min, 30 min and 2 h.
DEFAULT_RETRY_DELAYS_SECONDS: tuple[float, ...] = (300.0, 1800.0, 7200.0)
RESPONSE_DEADLINE_SECONDS = 10.0


def signature_header(body: bytes, secret: str, timestamp: int) -> str:
    signed = f"{timestamp}.".encode() + body
    return f"t={timestamp},v1={hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()}"


@dataclass
class Webhooks:
    retry_delays: tuple[float, ...] = DEFAULT_RETRY_DELAYS_SECONDS
    hold: bool = False
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    payloads: dict[str, tuple[bytes, str]] = field(default_factory=dict)  # delivery id -> (body, secret)
    tasks: set[asyncio.Task] = field(default_factory=set)

    # -- queueing ----------------------------------------------------------------------------------

    def send(self, event: dict[str, Any], body: bytes, endpoint: dict[str, Any], copy_of: str | None = None) -> dict:
        delivery = {
            "id": f"whd_{random_part(20)}",
            "event": event["id"],
            "type": event["type"],
            "account": event.get("account"),
            "endpoint": endpoint["id"],
            "url": endpoint["url"],
            "state": "held" if self.hold else "pending",
            "attempts": [],
            "next_attempt_at": None,
            "copy_of": copy_of,
        }
        self.deliveries.append(delivery)
        self.payloads[delivery["id"]] = (body, endpoint["secret"])
        if not self.hold:
            self._start(delivery, first_attempt_done=False)
        return delivery

    def find(self, delivery_id: str) -> dict[str, Any] | None:
        return next((d for d in self.deliveries if d["id"] == delivery_id), None)

    def copy(self, delivery: dict[str, Any], hold: bool = False) -> dict[str, Any]:
        body, secret = self.payloads[delivery["id"]]
        event = {"id": delivery["event"], "type": delivery["type"], "account": delivery["account"]}
        endpoint = {"id": delivery["endpoint"], "url": delivery["url"], "secret": secret}
        was_holding, self.hold = self.hold, hold
        try:
            return self.send(event, body, endpoint, copy_of=delivery["id"])
        finally:
            self.hold = was_holding

    async def duplicate(self, delivery: dict[str, Any], times: int) -> list[dict[str, Any]]:
        """The same event sent `times` more times at once (Stripe delivers at least once)."""
        copies = [self.copy(delivery, hold=True) for _ in range(times)]
        await asyncio.gather(*(self._deliver_then_retry(copy) for copy in copies))
        return copies

    async def release(self, order: list[str] | None = None, reverse: bool = False) -> list[dict[str, Any]]:
        """Send the held deliveries one after another: in `order` (ids), reversed, or as they were held."""
        held = [d for d in self.deliveries if d["state"] == "held"]
        if order:
            by_id = {d["id"]: d for d in held}
            held = [by_id[i] for i in order if i in by_id] + [d for d in held if d["id"] not in order]
        if reverse:
            held.reverse()
        for delivery in held:
            await self._deliver_then_retry(delivery)
        return held

    # -- sending -----------------------------------------------------------------------------------

    def _start(self, delivery: dict[str, Any], first_attempt_done: bool) -> None:
        task = asyncio.get_running_loop().create_task(self._run(delivery, first_attempt_done))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _deliver_then_retry(self, delivery: dict[str, Any]) -> None:
        if not await self.attempt(delivery):
            self._start(delivery, first_attempt_done=True)

    async def _run(self, delivery: dict[str, Any], first_attempt_done: bool) -> None:
        if not first_attempt_done and await self.attempt(delivery):
            return
        for delay in self.retry_delays:
            delivery["state"] = "retrying"
            delivery["next_attempt_at"] = time.time() + delay
            await asyncio.sleep(delay)
            if await self.attempt(delivery):
                return
        delivery["state"] = "failed"
        delivery["next_attempt_at"] = None
        log.info(
            "webhook %s to %s gave up after %d attempts", delivery["event"], delivery["url"], len(delivery["attempts"])
        )

    async def attempt(self, delivery: dict[str, Any]) -> bool:
        body, secret = self.payloads[delivery["id"]]
        timestamp = int(time.time())
        header = signature_header(body, secret, timestamp)
        try:
            async with httpx.AsyncClient(timeout=RESPONSE_DEADLINE_SECONDS) as client:
                response = await client.post(
                    delivery["url"],
                    content=body,
                    headers={
                        "Content-Type": "application/json; charset=utf-8",
                        "Stripe-Signature": header,
                        "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                    },
                )
            status = response.status_code
        except httpx.HTTPError as exc:
            log.info("webhook POST to %s failed: %s", delivery["url"], exc)
            status = 0
        delivered = 200 <= status < 300
        delivery["attempts"].append({"at": timestamp, "status": status})
        delivery["state"] = "succeeded" if delivered else "failing"
        delivery["next_attempt_at"] = None
        return delivered

    async def stop(self) -> None:
        for task in list(self.tasks):
            task.cancel()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.tasks.clear()

    async def reset(self) -> None:
        await self.stop()
        self.deliveries.clear()
        self.payloads.clear()
        self.hold = False
        self.retry_delays = DEFAULT_RETRY_DELAYS_SECONDS

"""Signed webhook deliveries (INVOICE / CONTACT events) and Xero's Intent-to-Receive check."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import logging
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

log = logging.getLogger(__name__)
RESPONSE_DEADLINE_SECONDS = 5.0
RETRY_DELAYS_SECONDS = (0.5, 2.0, 5.0)


def sign(body: bytes, key: str) -> str:
    return base64.b64encode(hmac.new(key.encode("utf-8"), body, hashlib.sha256).digest()).decode()


def entropy() -> str:
    return secrets.token_urlsafe(15)


@dataclass
class Webhooks:
    url: str | None = None
    key: str | None = None
    sequence: int = 0
    pending: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[dict[str, Any]] = field(default_factory=list)
    wakeup: asyncio.Event | None = None
    worker: asyncio.Task | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.url and self.key)

    def emit(self, category: str, event_type: str, tenant_id: str, resource_id: str, base_url: str) -> None:
        if not self.enabled:
            return
        plural = "Invoices" if category == "INVOICE" else "Contacts"
        self.pending.append(
            {
                "resourceUrl": f"{base_url.rstrip('/')}/api.xro/2.0/{plural}/{resource_id}",
                "resourceId": resource_id,
                "eventDateUtc": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3],
                "eventType": event_type,
                "eventCategory": category,
                "tenantId": tenant_id,
                "tenantType": "ORGANISATION",
            }
        )
        self._ensure_worker()
        assert self.wakeup is not None
        self.wakeup.set()

    def _ensure_worker(self) -> None:
        if self.worker is None or self.worker.done():
            self.wakeup = asyncio.Event()
            self.worker = asyncio.get_running_loop().create_task(self._run())

    async def _run(self) -> None:
        assert self.wakeup is not None
        while True:
            await self.wakeup.wait()
            self.wakeup.clear()
            await asyncio.sleep(0.05)  # gather the events of one request (or a few) into one delivery
            events, self.pending = self.pending, []
            if events and self.enabled:
                await self.deliver(events)

    async def deliver(self, events: list[dict[str, Any]]) -> None:
        first = self.sequence + 1
        self.sequence += len(events)
        payload = {
            "events": events,
            "firstEventSequence": first,
            "lastEventSequence": self.sequence,
            "entropy": entropy(),
        }
        body = json.dumps(payload, separators=(",", ":")).encode()
        for attempt, delay in enumerate((0.0, *RETRY_DELAYS_SECONDS), start=1):
            await asyncio.sleep(delay)
            status = await self._post(body, sign(body, self.key or ""))
            self.deliveries.append(
                {
                    "attempt": attempt,
                    "status": status,
                    "events": len(events),
                    "firstEventSequence": first,
                    "lastEventSequence": self.sequence,
                }
            )
            if status == 200:
                return
        log.warning("webhook delivery of %d events gave up after %d attempts", len(events), attempt)

    async def _post(self, body: bytes, signature: str) -> int:
        assert self.url
        try:
            async with httpx.AsyncClient(timeout=RESPONSE_DEADLINE_SECONDS) as client:
                response = await client.post(
                    self.url,
                    content=body,
                    headers={
                        "Content-Type": "application/json",
                        "x-xero-signature": signature,
                        "User-Agent": "Xero-Webhooks-Sandbox",
                    },
                )
            return response.status_code
        except httpx.HTTPError as exc:
            log.info("webhook POST to %s failed: %s", self.url, exc)
            return 0

    async def intent_to_receive(self, rounds: int = 2) -> dict[str, Any]:
        """Xero's check: 200 for every correctly signed empty payload, 401 for every wrongly signed one."""
        results = []
        for index in range(rounds * 2):
            correctly_signed = index % 2 == 0
            body = json.dumps(
                {"events": [], "lastEventSequence": 0, "firstEventSequence": 0, "entropy": entropy()},
                separators=(",", ":"),
            ).encode()
            signature = sign(body, self.key or "") if correctly_signed else sign(body, secrets.token_hex(16))
            status = await self._post(body, signature)
            expected = 200 if correctly_signed else 401
            results.append(
                {
                    "correctlySigned": correctly_signed,
                    "status": status,
                    "expected": expected,
                    "passed": status == expected,
                }
            )
        return {"url": self.url, "passed": all(result["passed"] for result in results), "results": results}

    async def stop(self) -> None:
        if self.worker is not None:
            self.worker.cancel()
            try:
                await self.worker
            except (asyncio.CancelledError, Exception):
                pass
            self.worker = None

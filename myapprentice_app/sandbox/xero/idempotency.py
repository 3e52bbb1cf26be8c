"""Idempotency-Key memory: exact replay of the first response, 400 when the key is reused differently."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import dataclass, field

DEFAULT_WINDOW_SECONDS = 360


@dataclass
class Remembered:
    fingerprint: str
    expires_ms: int
    done: asyncio.Event = field(default_factory=asyncio.Event)
    status: int = 0
    body: bytes = b""
    media_type: str = "application/json; charset=utf-8"
    headers: list[tuple[bytes, bytes]] = field(default_factory=list)


@dataclass
class IdempotencyStore:
    window_seconds: int = DEFAULT_WINDOW_SECONDS
    entries: dict[tuple[str, str, str], Remembered] = field(default_factory=dict)

    @staticmethod
    def fingerprint(method: str, path_and_query: str, body: bytes) -> str:
        return hashlib.sha256(f"{method} {path_and_query}\n".encode() + body).hexdigest()

    def lookup(self, key: tuple[str, str, str], now_ms: int) -> Remembered | None:
        entry = self.entries.get(key)
        if entry is not None and entry.expires_ms <= now_ms:
            del self.entries[key]
            return None
        return entry

    def reserve(self, key: tuple[str, str, str], fingerprint: str, now_ms: int) -> Remembered:
        if len(self.entries) > 50_000:
            self.entries = {k: v for k, v in self.entries.items() if v.expires_ms > now_ms}
        entry = Remembered(fingerprint=fingerprint, expires_ms=now_ms + self.window_seconds * 1000)
        self.entries[key] = entry
        return entry

    def clear(self) -> None:
        self.entries.clear()

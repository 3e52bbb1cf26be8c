"""Xero's rate limits: per organisation 60/min, 5,000/day, 5 concurrent; per app 10,000/min.

`time_scale` K shortens every window K times (a "minute" lasts 60/K s, a "day" 86,400/K s) and Retry-After with
it, so a month-end's worth of limited calls can be simulated in seconds; the counts stay Xero's.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field

MINUTE_MS = 60_000
DAY_MS = 86_400_000
PROBLEMS = ("minute", "day", "concurrent", "appminute")
# The remaining-count header a breach empties (a concurrent breach empties none: it is about calls in flight).
EMPTIED_BY = {
    "minute": "X-MinLimit-Remaining",
    "day": "X-DayLimit-Remaining",
    "appminute": "X-AppMinLimit-Remaining",
}


@dataclass
class Limits:
    minute: int = 60
    day: int = 5000
    concurrent: int = 5
    app_minute: int = 10_000


@dataclass
class Window:
    started_ms: int = 0
    count: int = 0

    def current(self, now_ms: int, length_ms: float) -> Window:
        if now_ms - self.started_ms >= length_ms:
            self.started_ms, self.count = now_ms, 0
        return self

    def retry_after(self, now_ms: int, length_ms: float, time_scale: float) -> float:
        """Whole seconds of Xero's clock (at least 1, as Xero says), in real seconds."""
        return max(1, math.ceil((self.started_ms + length_ms - now_ms) * time_scale / 1000)) / time_scale


@dataclass
class Denial:
    problem: str
    retry_after: float


@dataclass
class RateLimiter:
    limits: Limits = field(default_factory=Limits)
    minute: dict[str, Window] = field(default_factory=lambda: defaultdict(Window))
    day: dict[str, Window] = field(default_factory=lambda: defaultdict(Window))
    app_minute: dict[str, Window] = field(default_factory=lambda: defaultdict(Window))
    in_flight: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    time_scale: float = 1.0

    def rescale(self, time_scale: float) -> None:
        """Windows of the new length start afresh."""
        if time_scale != self.time_scale:
            self.time_scale = time_scale
            self.minute.clear()
            self.day.clear()
            self.app_minute.clear()

    @property
    def minute_ms(self) -> float:
        return MINUTE_MS / self.time_scale

    @property
    def day_ms(self) -> float:
        return DAY_MS / self.time_scale

    def reset(self) -> None:
        self.limits = Limits()
        self.time_scale = 1.0
        self.minute.clear()
        self.day.clear()
        self.app_minute.clear()
        self.in_flight.clear()

    def admit(self, tenant_id: str, app_id: str, now_ms: int) -> Denial | None:
        """Count one call, or say which limit it breaks (a refused call is not counted)."""
        app = self.app_minute[app_id].current(now_ms, self.minute_ms)
        minute = self.minute[tenant_id].current(now_ms, self.minute_ms)
        day = self.day[tenant_id].current(now_ms, self.day_ms)
        if app.count >= self.limits.app_minute:
            return Denial("appminute", app.retry_after(now_ms, self.minute_ms, self.time_scale))
        if day.count >= self.limits.day:
            return Denial("day", day.retry_after(now_ms, self.day_ms, self.time_scale))
        if minute.count >= self.limits.minute:
            return Denial("minute", minute.retry_after(now_ms, self.minute_ms, self.time_scale))
        if self.in_flight[tenant_id] >= self.limits.concurrent:
            return Denial("concurrent", 1 / self.time_scale)
        app.count += 1
        minute.count += 1
        day.count += 1
        return None

    def headers(self, tenant_id: str, app_id: str, now_ms: int) -> dict[str, str]:
        return {
            "X-DayLimit-Remaining": str(
                max(0, self.limits.day - self.day[tenant_id].current(now_ms, self.day_ms).count)
            ),
            "X-MinLimit-Remaining": str(
                max(0, self.limits.minute - self.minute[tenant_id].current(now_ms, self.minute_ms).count)
            ),
            "X-AppMinLimit-Remaining": self.app_headers(app_id, now_ms)["X-AppMinLimit-Remaining"],
        }

    def full_headers(self) -> dict[str, str]:
        """What an uncounted call (rate_limits off) reports: every allowance untouched."""
        return {
            "X-DayLimit-Remaining": str(self.limits.day),
            "X-MinLimit-Remaining": str(self.limits.minute),
            "X-AppMinLimit-Remaining": str(self.limits.app_minute),
        }

    def breach_headers(self, denial: Denial, counted: dict[str, str]) -> dict[str, str]:
        """A 429's headers agree with the problem it names: a minute breach shows 0 minute calls left."""
        headers = dict(counted)
        if denial.problem in EMPTIED_BY:
            headers[EMPTIED_BY[denial.problem]] = "0"
        headers.update({"Retry-After": seconds(denial.retry_after), "X-Rate-Limit-Problem": denial.problem})
        return headers

    def app_headers(self, app_id: str, now_ms: int) -> dict[str, str]:
        used = self.app_minute[app_id].current(now_ms, self.minute_ms).count
        return {"X-AppMinLimit-Remaining": str(max(0, self.limits.app_minute - used))}


def seconds(value: float) -> str:
    """Retry-After: whole seconds at Xero's pace; to the millisecond when time is scaled."""
    return str(int(value)) if value == int(value) else f"{math.ceil(value * 1000) / 1000:.3f}".rstrip("0")

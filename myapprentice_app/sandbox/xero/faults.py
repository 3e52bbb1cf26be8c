"""Fault-injection knobs set through the admin API: latency, forced errors, dropped responses."""

from __future__ import annotations

import random
from dataclasses import asdict, dataclass, field
from typing import Any

from .ratelimit import PROBLEMS

ANSWER_ELEMENTS = ("as_sent", "reversed", "drop_last")
PROBABILITIES = ("p_429", "p_500", "p_503", "p_drop_after_commit", "p_cut_after_commit", "p_late_commit")


class FaultError(ValueError):
    pass


@dataclass
class Faults:
    latency_ms: int = 0
    rate_limits: str = "off"
    rate_limit_problem: str = "minute"  # which limit a forced 429 (p_429) reports as breached
    p_429: float = 0.0
    p_500: float = 0.0
    p_503: float = 0.0
    p_drop_after_commit: float = 0.0
    p_cut_after_commit: float = 0.0  # the answer ends half-way, cleanly: a 200 whose JSON is cut off
    # A keyed write whose client gave up (a timeout) while Xero still worked on it: the connection drops at once,
    # the write is committed late_commit_ms later, and a repeat under its key waits for that answer.
    p_late_commit: float = 0.0
    late_commit_ms: int = 1000
    time_scale: float = 1.0  # rate-limit windows K times shorter (ratelimit.py); latency stays real
    # Off: a second invoice may take a number another one has (Xero's own check no longer stops duplicates).
    unique_numbers: bool = True
    # On: every API call gets 401 AuthorizationUnsuccessful, though tokens still refresh (the organisation no
    # longer lets the app in).
    refuse_access: bool = False
    # On: writes are answered as if summarizeErrors were left out (a 400 listing only the failed elements; the
    # valid ones are created all the same), as when a proxy drops the query string.
    ignore_summarize_errors: bool = False
    # How a write's answer lists its elements: "as_sent" (Xero's way), "reversed", or "drop_last" (one missing).
    answer_elements: str = "as_sent"
    rng: random.Random = field(default_factory=random.Random, repr=False)

    def update(self, body: dict[str, Any]) -> None:
        if "latency_ms" in body:
            latency = body["latency_ms"]
            if not isinstance(latency, int | float) or isinstance(latency, bool) or latency < 0:
                raise FaultError("latency_ms must be a non-negative number")
            self.latency_ms = int(latency)
        if "late_commit_ms" in body:
            late = body["late_commit_ms"]
            if not isinstance(late, int | float) or isinstance(late, bool) or not 0 <= late <= 600_000:
                raise FaultError("late_commit_ms must be a number of milliseconds from 0 to 600000")
            self.late_commit_ms = int(late)
        if "rate_limits" in body:
            if body["rate_limits"] not in ("off", "real"):
                raise FaultError("rate_limits must be 'off' or 'real'")
            self.rate_limits = body["rate_limits"]
        if "rate_limit_problem" in body:
            if body["rate_limit_problem"] not in PROBLEMS:
                raise FaultError(f"rate_limit_problem must be one of {', '.join(PROBLEMS)}")
            self.rate_limit_problem = body["rate_limit_problem"]
        if "time_scale" in body:
            scale = body["time_scale"]
            if not isinstance(scale, int | float) or isinstance(scale, bool) or not 1 <= scale <= 1_000_000:
                raise FaultError("time_scale must be a number from 1 (Xero's own pace) to 1000000")
            self.time_scale = float(scale)
        if "answer_elements" in body:
            if body["answer_elements"] not in ANSWER_ELEMENTS:
                raise FaultError(f"answer_elements must be one of {', '.join(ANSWER_ELEMENTS)}")
            self.answer_elements = body["answer_elements"]
        for name in ("unique_numbers", "refuse_access", "ignore_summarize_errors"):
            if name in body:
                if not isinstance(body[name], bool):
                    raise FaultError(f"{name} must be true or false")
                setattr(self, name, body[name])
        for name in PROBABILITIES:
            if name in body:
                value = body[name]
                if not isinstance(value, int | float) or isinstance(value, bool) or not 0 <= value <= 1:
                    raise FaultError(f"{name} must be a probability between 0 and 1")
                setattr(self, name, float(value))
        if "seed" in body:
            self.rng.seed(body["seed"])

    def roll(self, name: str) -> bool:
        probability = getattr(self, name)
        return probability > 0 and self.rng.random() < probability

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values.pop("rng")
        return values

"""CPU seconds from /proc (Linux): what a benchmark's processes spent, and how busy the whole machine was, so a
reader sees whether the latency floor or the machine's cores set the time."""

from __future__ import annotations

import os
from dataclasses import dataclass

TICK = os.sysconf("SC_CLK_TCK")


def process_seconds(pids: list[int]) -> float:
    """User + system CPU seconds the processes have spent so far (0 for one that is gone)."""
    total = 0.0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICK  # utime, stime
    return total


@dataclass(frozen=True)
class Machine:
    busy: float  # CPU seconds spent by every process on the machine (ours, PostgreSQL's, anyone's)
    cores: int


def machine() -> Machine:
    with open("/proc/stat") as stat:
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in stat.readline().split()[1:9])
    return Machine((user + nice + system + irq + softirq + steal) / TICK, os.cpu_count() or 1)

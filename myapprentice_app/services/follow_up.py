"""Work a service hands to the worker once its transaction has committed (a run to send, a token to revoke).

jobs/tasks.py imports the services, so a service can't import the tasks back without a cycle: each task
registers itself here by name when jobs/tasks.py is imported (the composition root and every worker do),
and a service queues it by that name, right after its `session.commit()`.
"""

from __future__ import annotations

from collections.abc import Callable

_tasks: dict[str, Callable[..., object]] = {}


def register(name: str, task: Callable[..., object]) -> None:
    _tasks[name] = task


def enqueue(name: str, *args: object) -> None:
    """Queue the task `name` with `args`. Call it after the commit: a rolled-back request queues nothing."""
    task = _tasks.get(name)
    if task is None:
        raise LookupError(f"No task {name!r} is registered: import myapprentice_app.jobs.tasks first.")
    task(*args)

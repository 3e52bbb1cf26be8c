"""The task queue: a SQLite file by default, Redis when REDIS_URL is set. Workers run `huey_consumer`."""

from __future__ import annotations

from huey import Huey, PriorityRedisHuey, SqliteHuey

from myapprentice_app.config import get_settings


def _make_huey() -> Huey:
    settings = get_settings()
    if settings.redis_url:
        # Priorities (the low-priority history notes) need the priority queue: plain RedisHuey refuses them.
        return PriorityRedisHuey(settings.huey_name, url=settings.redis_url)
    if settings.huey_queue_file:
        return SqliteHuey(settings.huey_name, filename=settings.huey_queue_file)
    settings.instance_dir.mkdir(parents=True, exist_ok=True)
    return SqliteHuey(settings.huey_name, filename=str(settings.instance_dir / "queue.db"))


huey = _make_huey()

import myapprentice_app.jobs.tasks  # noqa: E402,F401  (registers the tasks with the consumer)

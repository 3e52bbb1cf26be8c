"""A counter of changes to who is signed in as what, so an open tab re-checks its session when one happens.

Every commit that changes a session (signed out, revoked, business picked, second factor given), a membership
(removed, role changed, added), a user (name, two-step sign-in) or a business (name) bumps it, in Redis when web
processes share it, in this process's memory otherwise. Those changes are all made by web processes. A tab
compares the counter with the one it saw at its last check; reading it costs a Redis GET, not a database query.
"""

from __future__ import annotations

import threading
from functools import lru_cache

import redis
import redis.asyncio
from sqlalchemy import event
from sqlmodel import Session

from myapprentice_app.config import get_settings
from myapprentice_app.models import AuthSession, Business, Membership, User

KEY = "myapprentice:principal-changes"
_WATCHED = (Membership, User, Business)
_local = 0
_local_lock = threading.Lock()
_watching = False


async def current() -> int:
    if get_settings().redis_url:
        return int(await _async_redis().get(KEY) or 0)
    return _local


def _bump() -> None:
    global _local
    if get_settings().redis_url:
        _sync_redis().incr(KEY)
        return
    with _local_lock:
        _local += 1


@lru_cache
def _async_redis() -> redis.asyncio.Redis:
    return redis.asyncio.Redis.from_url(get_settings().redis_url or "")


@lru_cache
def _sync_redis() -> redis.Redis:
    return redis.Redis.from_url(get_settings().redis_url or "")


def _changes_principals(session: Session) -> bool:
    # A new session (a sign-in) changes nobody else's; a changed or deleted one may be this tab's.
    return any(isinstance(row, AuthSession) for row in (*session.dirty, *session.deleted)) or any(
        isinstance(row, _WATCHED) for row in (*session.new, *session.dirty, *session.deleted))


def watch() -> None:
    """Listen to every ORM session of this process (once; ui/state/session.py calls it at import)."""
    global _watching
    if _watching:
        return
    _watching = True

    @event.listens_for(Session, "before_flush")
    def _note(session: Session, flush_context, instances) -> None:  # type: ignore[no-untyped-def]
        if _changes_principals(session):
            session.info["principals_changed"] = True

    @event.listens_for(Session, "after_commit")
    def _announce(session: Session) -> None:
        if session.info.pop("principals_changed", False):
            _bump()

    @event.listens_for(Session, "after_rollback")
    def _forget(session: Session) -> None:
        session.info.pop("principals_changed", None)

"""Tokens at rest (encrypted) and their refresh, one refresh at a time per organisation.

Xero's refresh tokens are single use: two workers refreshing the same token at once would leave one of them
holding a dead token, and the connection lost. A lease on the connection row serialises refreshes across
processes and machines; whoever waits re-reads the token the winner stored.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from myapprentice_app.db import session_scope, utcnow
from myapprentice_app.domain.sync_states import ConnectionStatus
from myapprentice_app.integrations.xero import oauth
from myapprentice_app.integrations.xero.errors import ConnectionRevoked, OutcomeUnknown
from myapprentice_app.models import XeroConnection
from myapprentice_app.security import decrypt, encrypt

PURPOSE = "xero-oauth-token"
REFRESH_AHEAD_SECONDS = 300
LEASE_SECONDS = 30
WAIT_SECONDS = 40


def store(connection: XeroConnection, token: dict[str, Any]) -> None:
    connection.token_enc = encrypt(json.dumps(token), PURPOSE)
    connection.access_expires_at = dt.datetime.fromtimestamp(float(token["expires_at"]), dt.UTC)


def read(connection: XeroConnection) -> dict[str, Any]:
    return decrypt_token(connection.token_enc)


def decrypt_token(token_enc: str) -> dict[str, Any]:
    return json.loads(decrypt(token_enc, PURPOSE))


def fresh(token: dict[str, Any]) -> bool:
    return float(token.get("expires_at", 0)) > time.time() + REFRESH_AHEAD_SECONDS


def _load(session: Session, business_id: int) -> XeroConnection:
    connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == business_id)).first()
    if connection is None or connection.status != ConnectionStatus.CONNECTED:
        raise ConnectionRevoked("Xero is not connected")
    return connection


def valid_token(business_id: int) -> dict[str, Any]:
    """A token good for the next few minutes, refreshing it (once, under the lease) when it isn't."""
    with session_scope() as session:
        token = read(_load(session, business_id))
    if fresh(token):
        return token
    return _refresh_under_lease(business_id)


def after_rejection(business_id: int, rejected: dict[str, Any]) -> dict[str, Any]:
    """Xero answered 401 to `rejected` (expired early, say): refresh once, under the lease, unless another
    worker already has. Only a refused refresh (invalid_grant) marks the connection for reconnecting."""
    return _refresh_under_lease(business_id, rejected.get("access_token"))


def _usable(token: dict[str, Any], rejected: str | None) -> bool:
    return fresh(token) and token.get("access_token") != rejected


def _refresh_under_lease(business_id: int, rejected: str | None = None) -> dict[str, Any]:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if _take_lease(business_id):
            try:
                return _refresh_holding_lease(business_id, rejected)
            finally:
                _release_lease(business_id)
        time.sleep(0.05)
        with session_scope() as session:
            token = read(_load(session, business_id))
        if _usable(token, rejected):
            return token
    raise OutcomeUnknown("timed out waiting for another worker's token refresh")


def _refresh_holding_lease(business_id: int, rejected: str | None) -> dict[str, Any]:
    with session_scope() as session:
        connection = _load(session, business_id)
        token = read(connection)
        if _usable(token, rejected):
            return token  # another worker refreshed while we queued for the lease
        try:
            refreshed = oauth.refresh(token)
        except ConnectionRevoked as revoked:
            mark_needs_reconnect(session, connection, "Xero refused the refresh token (invalid_grant).")
            session.commit()
            raise revoked
        store(connection, refreshed)
        connection.refresh_count += 1
        session.commit()
        return refreshed


def _take_lease(business_id: int) -> bool:
    now = utcnow()
    table = XeroConnection.__table__  # type: ignore[attr-defined]
    with session_scope() as session:
        result = session.execute(
            sa.update(table)
            .where(table.c.business_id == business_id)
            .where(sa.or_(table.c.refresh_lock_until.is_(None), table.c.refresh_lock_until < now))
            .values(refresh_lock_until=now + dt.timedelta(seconds=LEASE_SECONDS))
        )
        session.commit()
        return result.rowcount == 1  # type: ignore[attr-defined]


def _release_lease(business_id: int) -> None:
    table = XeroConnection.__table__  # type: ignore[attr-defined]
    with session_scope() as session:
        session.execute(sa.update(table).where(table.c.business_id == business_id).values(refresh_lock_until=None))
        session.commit()


def mark_needs_reconnect(session: Session, connection: XeroConnection, problem: str) -> None:
    connection.status = ConnectionStatus.NEEDS_RECONNECT
    connection.problem = problem

"""Disconnect forgets the connection at once; a worker then revokes the token at Xero."""

from __future__ import annotations

import logging

import httpx
from sqlmodel import select

from myapprentice_app.integrations.xero import tokens
from myapprentice_app.jobs import tasks
from myapprentice_app.models import AuditEvent, XeroConnection
from myapprentice_app.services import xero_connection


def test_disconnect_removes_the_connection_and_the_token_stops_working_at_xero(session, connected, sandbox_url):
    connection = session.exec(select(XeroConnection)).one()
    access_token = tokens.read(connection)["access_token"]
    bearer = {"Authorization": f"Bearer {access_token}"}
    assert httpx.get(f"{sandbox_url}/connections", headers=bearer).status_code == 200

    token_enc = xero_connection.disconnect(session, connected)  # queues the revoking; huey runs it at once here
    assert token_enc and session.exec(select(XeroConnection)).first() is None

    assert httpx.get(f"{sandbox_url}/connections", headers=bearer).status_code == 401
    assert xero_connection.connection_view(session, connected).label == "Not connected"
    assert session.exec(select(AuditEvent).where(AuditEvent.action == "xero.disconnected")).first()


def test_revoking_a_token_xero_already_forgot_is_quietly_done(session, connected, admin, caplog):
    token_enc = xero_connection.disconnect(session, connected)  # its revoking task: Xero forgets the token
    assert token_enc

    with caplog.at_level(logging.INFO):
        second = tasks.revoke_xero_token(token_enc)  # a retried or duplicated job asks again

    assert second.get() is None  # the task finished; one that raised would raise TaskException here
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
    assert admin.get("stats")["calls"]["POST /connect/revocation"] == {"200": 2}  # Xero said OK both times

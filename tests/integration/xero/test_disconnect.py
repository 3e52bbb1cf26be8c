"""Disconnect forgets the connection at once; a worker then removes the organisation's connection at Xero, and
revokes the token when it reaches no other organisation."""

from __future__ import annotations

import logging

import httpx
from sqlmodel import select

from myapprentice_app.integrations.xero import tokens
from myapprentice_app.jobs import tasks
from myapprentice_app.models import AuditEvent, XeroConnection
from myapprentice_app.services import xero_connection

from .conftest import consent, other_business_owner


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


def test_disconnecting_again_after_xero_forgot_the_token_is_quietly_done(session, connected, tenant, admin, caplog):
    token_enc = xero_connection.disconnect(session, connected)  # its task: Xero forgets the token
    assert token_enc

    with caplog.at_level(logging.INFO):
        second = tasks.disconnect_at_xero(token_enc, tenant)  # a retried or duplicated job asks again

    assert second.get() is None  # the task finished; one that raised would raise TaskException here
    assert [record.getMessage() for record in caplog.records if record.levelno >= logging.ERROR] == []
    assert admin.get("stats")["calls"]["POST /connect/revocation"] == {"200": 1}


def test_disconnecting_one_business_leaves_another_connected_by_the_same_xero_login(session, connected, admin,
                                                                                    sandbox_url):
    second_tenant = admin.new_organisation("Solo Plumbing (Test)")
    other = other_business_owner(session, "Solo Plumbing")
    back = consent(admin, xero_connection.start_connect(session, other), [second_tenant])  # the same Xero login
    assert xero_connection.finish_connect(session, other, state=back["state"], code=back["code"], error=None) \
        == "connected"
    theirs = session.exec(select(XeroConnection).where(XeroConnection.business_id == other.business_id)).one()
    bearer = {"Authorization": f"Bearer {tokens.read(theirs)['access_token']}"}

    xero_connection.disconnect(session, connected)

    reached = httpx.get(f"{sandbox_url}/connections", headers=bearer)
    assert reached.status_code == 200 and [c["tenantId"] for c in reached.json()] == [second_tenant]
    assert admin.get("stats")["calls"]["DELETE /connections/{id}"] == {"204": 1}
    assert xero_connection.connection_view(session, other).label.startswith("Connected")

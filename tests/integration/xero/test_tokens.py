"""Issue point 2: tokens encrypted at rest, one refresh under the lock, invalid_grant turns into reconnect."""

from __future__ import annotations

import datetime as dt
import json
import threading

import pytest
from sqlmodel import select

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.integrations.xero import tokens
from myapprentice_app.integrations.xero.errors import ConnectionRevoked
from myapprentice_app.models import Invoice, XeroConnection
from myapprentice_app.services import xero_sync

from .conftest import make_invoices


def expire_stored_token(session, business_id: int) -> None:
    connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == business_id)).one()
    token = tokens.read(connection)
    token["expires_at"] = dt.datetime.now(dt.UTC).timestamp() - 10
    tokens.store(connection, token)
    session.commit()


def test_tokens_are_encrypted_at_rest(session, connected):
    connection = session.exec(select(XeroConnection)).one()
    assert "refresh_token" not in connection.token_enc
    assert tokens.read(connection)["refresh_token"] not in connection.token_enc
    with pytest.raises(json.JSONDecodeError):
        json.loads(connection.token_enc)


def test_five_workers_needing_a_refresh_at_once_make_exactly_one_refresh_call(session, connected, admin):
    expire_stored_token(session, connected.business_id)
    refreshes_before = admin.calls("POST /connect/token")
    results, failures = [], []
    barrier = threading.Barrier(5)

    def worker() -> None:
        barrier.wait(timeout=10)
        try:
            results.append(tokens.valid_token(connected.business_id)["access_token"])
        except Exception as error:  # noqa: BLE001 - the assertion below reports it
            failures.append(error)

    threads = [threading.Thread(target=worker) for _ in range(5)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert not any(thread.is_alive() for thread in threads), "a worker was still refreshing after 60 s"
    assert not failures
    assert admin.calls("POST /connect/token") - refreshes_before == 1
    assert len(set(results)) == 1
    session.expire_all()
    connection = session.exec(select(XeroConnection)).one()
    assert connection.status == "connected" and connection.refresh_count == 1
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    xero_sync.push_invoice(session, connected, invoice_id)
    session.expire_all()
    assert session.get(Invoice, invoice_id).sync_status == SyncStatus.SYNCED


def test_invalid_grant_marks_the_connection_needs_reconnecting_and_pending_invoices_error_with_that_fix(
        session, connected, admin, tenant):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    expire_stored_token(session, connected.business_id)
    connection = session.exec(select(XeroConnection)).one()
    admin.post("faults", {"revoke_tenant": tenant})
    from myapprentice_app.integrations.xero import oauth
    oauth.revoke(tokens.read(connection))  # Xero's side: the user removed the app

    xero_sync.push_invoice(session, connected, invoice_id)

    session.expire_all()
    connection = session.exec(select(XeroConnection)).one()
    assert connection.status == "needs_reconnect"
    invoice = session.get(Invoice, invoice_id)
    assert invoice.sync_status == SyncStatus.ERROR and invoice.sync_error_code == "needs_reconnect"
    with pytest.raises(ConnectionRevoked):
        tokens.valid_token(connected.business_id)

"""Issue #10: no duplicates by the engine's own design (the sandbox's number check is off), a 401 cured by one
refresh, a revoked connection with lost answers that re-sends nothing Xero has, and 429s that are bounded."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import func, select

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.jobs import tasks
from myapprentice_app.models import Client, Invoice, LineItem, SyncRun, TaxRate, XeroBudget, XeroConnection
from myapprentice_app.services import invoices, xero_connection, xero_sync
from myapprentice_app.services.invoices import InvoiceDraft, LineDraft
from myapprentice_app.sync import runs
from tests.support.waiting import wait_until

from .conftest import consent, make_invoices


def statuses(session, business_id: int) -> dict[str, int]:
    session.expire_all()
    rows = session.exec(select(Invoice.sync_status, func.count()).where(Invoice.business_id == business_id)
                        .group_by(Invoice.sync_status)).all()
    return {status: count for status, count in rows}


def copies_per_number(admin, tenant: str, prefix: str) -> dict[str, int]:
    return {number: len(found) for number, found in admin.invoices_numbered(tenant).items()
            if number.startswith(prefix)}


def invoice_writes(admin) -> int:
    return admin.calls("PUT /Invoices") + admin.calls("POST /Invoices")


def test_with_unique_numbers_off_the_sandbox_takes_a_second_invoice_with_a_number_it_already_has(admin, tenant):
    token = admin.token(tenant)["access_token"]
    contact = admin.stored(tenant, "contacts")[0]["ContactID"]
    invoice = {"Type": "ACCREC", "Contact": {"ContactID": contact}, "InvoiceNumber": "TWICE-1",
               "LineItems": [{"Description": "Work", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}]}

    def create() -> dict:
        return admin.http.put("/api.xro/2.0/Invoices", params={"summarizeErrors": "false"},
                              json={"Invoices": [invoice]},
                              headers={"Authorization": f"Bearer {token}", "xero-tenant-id": tenant}).json()

    assert create()["Invoices"][0]["StatusAttributeString"] == "OK"
    assert create()["Invoices"][0]["ValidationErrors"][0]["Message"] == "Invoice # must be unique."
    admin.faults(unique_numbers=False)
    assert create()["Invoices"][0]["StatusAttributeString"] == "OK"

    assert copies_per_number(admin, tenant, "TWICE-") == {"TWICE-1": 2}


def test_an_access_token_xero_expired_early_is_refreshed_once_and_the_run_finishes_synced(
        session, connected, admin, tenant):
    make_invoices(session, connected.business_id, 120, clients=6, prefix="TOK-")
    admin.faults(unique_numbers=False, expire_tokens=True)  # our copy still looks fresh: Xero answers 401
    refreshes_before = admin.calls("POST /connect/token")

    xero_sync.send_all(session, connected)

    assert statuses(session, connected.business_id) == {SyncStatus.SYNCED: 120}
    assert admin.calls("POST /connect/token") - refreshes_before == 1
    connection = session.exec(select(XeroConnection)).one()
    assert connection.status == "connected" and connection.refresh_count == 1
    assert set(copies_per_number(admin, tenant, "TOK-").values()) == {1}


def test_a_403_on_the_organisation_asks_for_reconnecting(session, connected, admin, tenant):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    admin.post("faults", {"revoke_tenant": tenant})  # the token is still good; the organisation is gone

    xero_sync.push_invoice(session, connected, invoice_id)

    session.expire_all()
    assert session.exec(select(XeroConnection)).one().status == "needs_reconnect"
    assert session.get(Invoice, invoice_id).sync_error_code == "needs_reconnect"


def test_a_401_that_a_fresh_token_does_not_cure_asks_for_reconnecting_instead_of_waiting_forever(
        session, connected, admin, tenant):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    admin.faults(refuse_access=True)  # tokens still refresh; the organisation no longer lets the app in

    xero_sync.push_invoice(session, connected, invoice_id)

    session.expire_all()
    assert session.exec(select(XeroConnection)).one().status == "needs_reconnect"
    assert session.get(Invoice, invoice_id).sync_error_code == "needs_reconnect"


def test_revoked_while_every_answer_was_lost_then_reconnected_sends_nothing_xero_already_has(
        session, connected, owner, admin, tenant):
    make_invoices(session, connected.business_id, 250, clients=10, prefix="LOST-")
    # Every write is committed by Xero and its answer dropped; answers take long enough for the revocation
    # below to land before the engine looks the numbers up.
    admin.faults(unique_numbers=False, p_drop_after_commit=1.0, latency_ms=1500)

    def revoke_once_xero_has_them() -> None:
        wait_until(lambda: len(copies_per_number(admin, tenant, "LOST-")) == 250, seconds=60,
                   waiting_for="Xero to commit the 250 invoices", every=0.02)
        admin.post("faults", {"revoke_tenant": tenant})

    revoker = threading.Thread(target=revoke_once_xero_has_them, daemon=True)
    revoker.start()
    xero_sync.send_all(session, connected)
    revoker.join(timeout=60)
    assert statuses(session, connected.business_id) == {SyncStatus.ERROR: 250}  # "Reconnect Xero"
    admin.faults(p_drop_after_commit=0, latency_ms=0)
    writes_before = invoice_writes(admin)

    back = consent(admin, xero_connection.start_connect(session, owner), [tenant])
    xero_connection.finish_connect(session, owner, state=back["state"], code=back["code"], error=None)

    assert statuses(session, connected.business_id) == {SyncStatus.SYNCED: 250}
    assert invoice_writes(admin) == writes_before  # 0 re-sent: all 250 were found by number
    assert set(copies_per_number(admin, tenant, "LOST-").values()) == {1}


EDITS = {  # what changes on a draft while Xero has it and its answer is lost
    "lines": lambda invoice, session: {"lines": [LineDraft("Switchboard upgrade", "3", "120.00", "labour",
                                                           tax_rate(session, invoice).id)]},
    "number": lambda invoice, session: {"number": "EDIT-00001B"},
    "client": lambda invoice, session: {"client_id": another_client(session, invoice).id},
}


def tax_rate(session, invoice: Invoice) -> TaxRate:
    return session.exec(select(TaxRate).where(TaxRate.business_id == invoice.business_id)).one()


def another_client(session, invoice: Invoice) -> Client:
    client = Client(business_id=invoice.business_id, name="Another Client", email="another@example.test")
    session.add(client)
    session.commit()
    return client


@pytest.mark.parametrize("edit", EDITS)
def test_a_draft_edited_after_xero_took_it_while_the_answer_was_lost_is_linked_then_updated_never_sent_twice(
        session, connected, owner, admin, tenant, edit):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1, status="draft", prefix="EDIT-")
    admin.faults(unique_numbers=False, p_drop_after_commit=1.0, latency_ms=1500)

    def revoke_once_xero_has_it() -> None:
        wait_until(lambda: copies_per_number(admin, tenant, "EDIT-"), seconds=30,
                   waiting_for="Xero to commit the invoice", every=0.02)
        admin.post("faults", {"revoke_tenant": tenant})

    revoker = threading.Thread(target=revoke_once_xero_has_it, daemon=True)
    revoker.start()
    xero_sync.push_invoice(session, connected, invoice_id)
    revoker.join(timeout=30)
    admin.faults(p_drop_after_commit=0, latency_ms=0)
    invoice = session.get(Invoice, invoice_id)
    lines = [LineDraft(line.description, str(line.quantity), str(line.unit_amount), line.category, line.tax_rate_id)
             for line in session.exec(select(LineItem).where(LineItem.invoice_id == invoice_id))]
    invoices.update_invoice(session, connected, invoice_id, InvoiceDraft(**{
        "client_id": invoice.client_id, "issue_date": invoice.issue_date, "due_date": invoice.due_date,
        "number": invoice.number, "lines": lines, **EDITS[edit](invoice, session)}))

    back = consent(admin, xero_connection.start_connect(session, owner), [tenant])
    xero_connection.finish_connect(session, owner, state=back["state"], code=back["code"], error=None)

    [in_xero] = admin.invoices_numbered(tenant)["EDIT-00001"]
    session.refresh(invoice)
    assert invoice.xero_invoice_id == in_xero["InvoiceID"]  # found by number, as it was sent
    assert invoice.sync_status == SyncStatus.NOT_SYNCED  # the edit is not in Xero yet
    xero_sync.push_invoice(session, connected, invoice_id)
    session.refresh(invoice)
    assert invoice.sync_status == SyncStatus.SYNCED
    [(number, [in_xero])] = [(n, copies) for n, copies in admin.invoices_numbered(tenant).items()
                             if n.startswith("EDIT-")]  # one invoice in Xero, as it is here now
    assert (number, in_xero["InvoiceID"], Decimal(str(in_xero["Total"]))) == (
        invoice.number, invoice.xero_invoice_id, invoice.total)
    assert in_xero["Contact"]["Name"] == session.get(Client, invoice.client_id).name


def test_a_steady_stream_of_429s_leaves_the_invoices_pending_with_the_next_try_then_they_go(
        session, connected, admin, tenant):
    make_invoices(session, connected.business_id, 60, clients=3, prefix="BUSY-")
    admin.faults(unique_numbers=False, p_429=1.0)
    calls_before = admin.calls("PUT /Contacts")

    run_id, _ = xero_sync.send_all(session, connected)

    run = session.get(SyncRun, run_id)
    session.refresh(run)
    assert run.state == "waiting" and run.next_try_at is not None
    assert admin.calls("PUT /Contacts") - calls_before <= 5  # bounded: not retried forever
    invoice = session.exec(select(Invoice).where(Invoice.number == "BUSY-00001")).one()
    assert invoice.sync_status == SyncStatus.PENDING
    assert invoice.sync_error_message == f"Waiting for Xero — next try at {run.next_try_at:%H:%M} UTC."

    admin.faults(p_429=0)
    wait_until(lambda: run_due(session, run_id), seconds=10, waiting_for="the run's next try")
    tasks.recover()

    assert statuses(session, connected.business_id) == {SyncStatus.SYNCED: 60}
    assert set(copies_per_number(admin, tenant, "BUSY-").values()) == {1}


def run_due(session, run_id: int) -> bool:
    session.expire_all()
    next_try = session.get(SyncRun, run_id).next_try_at
    return next_try is not None and next_try <= dt.datetime.now(dt.UTC)


def test_when_the_days_quota_is_spent_the_invoices_say_so_and_go_after_xeros_reset_without_retrying(
        session, connected, admin, tenant):
    make_invoices(session, connected.business_id, 150, clients=3, prefix="DAY-")
    admin.faults(unique_numbers=False, rate_limits="real", day_limit=2)  # the contacts and one batch today

    run_id, _ = xero_sync.send_all(session, connected)

    assert statuses(session, connected.business_id) == {SyncStatus.SYNCED: 50, SyncStatus.PENDING: 100}
    run = session.get(SyncRun, run_id)
    session.refresh(run)
    assert run.state == "waiting" and run.next_try_at > dt.datetime.now(dt.UTC) + dt.timedelta(hours=23)
    waiting = session.exec(select(Invoice).where(Invoice.sync_status == SyncStatus.PENDING)).first()
    assert waiting.sync_error_message.startswith("Waiting for Xero (the organisation's daily limit is used up)")
    calls_before = admin.calls("PUT /Invoices")
    tasks.recover()  # the minute's recovery, and the lease watcher below, leave it be until Xero's reset
    assert run_id not in runs.overdue_runs()
    assert admin.calls("PUT /Invoices") == calls_before

    admin.post("clock", {"advance_seconds": 86_400})  # Xero's day is over...
    run.next_try_at = dt.datetime.now(dt.UTC)  # ...and ours: the wait Xero named has passed
    session.get(XeroBudget, tenant).blocked_until = 0.0
    session.commit()
    tasks.recover()

    assert statuses(session, connected.business_id) == {SyncStatus.SYNCED: 150}
    assert set(copies_per_number(admin, tenant, "DAY-").values()) == {1}


def test_a_run_stopped_by_an_unexpected_error_waits_saying_so_instead_of_being_taken_over_again_and_again(
        session, connected):
    refusing = sa.text("CREATE TRIGGER refuse_pulls BEFORE UPDATE OF last_pulled_at ON xeroconnection "
                       "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END")
    session.execute(refusing)  # the database refuses what the pull writes: an error nothing in the app foresaw
    session.commit()

    run_id = xero_sync.sync_all(session, connected)

    session.expire_all()
    run = session.get(SyncRun, run_id)
    assert run.state == "waiting" and "unexpected error" in run.message
    assert run.next_try_at > dt.datetime.now(dt.UTC) + dt.timedelta(seconds=20)
    session.execute(sa.text("DROP TRIGGER refuse_pulls"))
    run.next_try_at = dt.datetime.now(dt.UTC)
    session.commit()
    tasks.recover()  # the next try, once the cause is gone, finishes it
    session.refresh(run)
    assert run.state == "done"

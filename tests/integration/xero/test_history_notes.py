"""Every push leaves "Pushed from MyApprentice by <name>" in the invoice's History and Notes in Xero."""

import time

import httpx
from sqlmodel import select

from myapprentice_app.models import Invoice, User, XeroBudget
from myapprentice_app.services import xero_sync
from myapprentice_app.sync import budget, history_notes

from .conftest import make_invoices

HISTORY = "PUT /Invoices/{InvoiceID}/History"


def notes_in_xero(admin, sandbox_url: str, tenant: str, xero_invoice_id: str) -> list[str]:
    token = admin.post("tokens", {"tenantIds": [tenant]})["access_token"]
    answer = httpx.get(f"{sandbox_url}/api.xro/2.0/Invoices/{xero_invoice_id}/History",
                       headers={"Authorization": f"Bearer {token}", "xero-tenant-id": tenant})
    assert answer.status_code == 200, answer.text
    return [entry["Details"] for entry in answer.json()["HistoryRecords"] if entry["Changes"] == "Note"]


def test_a_push_writes_a_note_naming_who_pushed(session, connected, admin, tenant, sandbox_url):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    xero_sync.push_invoice(session, connected, invoice_id)  # queues the run; huey runs it at once here
    session.expire_all()
    name = session.get(User, connected.user_id).name
    xero_id = session.get(Invoice, invoice_id).xero_invoice_id
    assert notes_in_xero(admin, sandbox_url, tenant, xero_id) == [f"Pushed from MyApprentice by {name}"]
    assert admin.calls(HISTORY) == 1


def test_send_all_writes_its_notes_from_spare_budget(session, connected, admin, tenant, sandbox_url):
    ids = make_invoices(session, connected.business_id, 3, clients=1)
    xero_sync.send_all(session, connected)  # immediate mode: the low-priority notes task runs straight after
    session.expire_all()
    name = session.get(User, connected.user_id).name
    for invoice_id in ids:
        xero_id = session.get(Invoice, invoice_id).xero_invoice_id
        assert notes_in_xero(admin, sandbox_url, tenant, xero_id) == [f"Pushed from MyApprentice by {name}"]
    assert admin.calls(HISTORY) == 3


def test_send_all_notes_wait_while_the_minute_is_nearly_spent(session, connected, admin, tenant):
    make_invoices(session, connected.business_id, 2, clients=1)
    run_id, _ = xero_sync.send_all(session, connected)  # queues the run; huey runs it at once here
    owed = history_notes.notes_for(run_id)
    assert owed is not None and owed.deferred and len(owed.notes) == 2
    calls_before = admin.calls(HISTORY)
    row = session.exec(select(XeroBudget).where(XeroBudget.tenant_id == tenant)).one()
    row.window_calls = budget.MINUTE_LIMIT - history_notes.RESERVE  # the pushes have used the rest
    row.window_started_at = time.time()
    session.commit()
    assert history_notes.write(connected.business_id, owed.notes, spare_only=True) == owed.notes
    assert admin.calls(HISTORY) == calls_before  # nothing spent from the reserve


def test_send_all_notes_leave_the_rest_of_a_starter_day_to_payments_and_pushes(session, connected, admin, tenant):
    make_invoices(session, connected.business_id, 2, clients=1)
    run_id, _ = xero_sync.send_all(session, connected)
    owed = history_notes.notes_for(run_id)
    assert owed is not None and len(owed.notes) == 2
    calls_before = admin.calls(HISTORY)
    row = session.exec(select(XeroBudget).where(XeroBudget.tenant_id == tenant)).one()
    row.day_remaining, row.day_remaining_at = history_notes.DAY_RESERVE, time.time()  # Xero's last word on today
    session.commit()

    assert history_notes.write(connected.business_id, owed.notes, spare_only=True) == owed.notes
    assert admin.calls(HISTORY) == calls_before

    row.day_remaining_at = time.time() - 86_401  # that was yesterday: Xero's day has reset since
    session.commit()
    assert history_notes.write(connected.business_id, owed.notes, spare_only=True) == []
    assert admin.calls(HISTORY) == calls_before + 2

from decimal import Decimal

from sqlmodel import select

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.models import Invoice, SyncAttempt
from myapprentice_app.services import xero_sync

from .conftest import make_invoices, worker_busy


def test_pushing_one_invoice_makes_it_synced_and_it_exists_in_xero(session, connected, admin, tenant):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)

    with worker_busy():
        xero_sync.push_invoice(session, connected, invoice_id)
        assert session.get(Invoice, invoice_id).sync_status == SyncStatus.PENDING

    session.expire_all()
    invoice = session.get(Invoice, invoice_id)
    assert invoice.sync_status == SyncStatus.SYNCED, invoice.sync_error_message
    in_xero = [i for i in admin.stored(tenant, "invoices") if i["InvoiceNumber"] == invoice.number]
    assert len(in_xero) == 1 and in_xero[0]["InvoiceID"] == invoice.xero_invoice_id
    assert in_xero[0]["Status"] == "AUTHORISED" and Decimal(str(in_xero[0]["Total"])) == invoice.total
    history = session.exec(select(SyncAttempt).where(SyncAttempt.invoice_id == invoice_id)).all()
    assert [h.outcome for h in history] == ["synced"] and history[0].idempotency_key

"""The Xero online-invoice link, fetched by the worker through xero-python from the sandbox over HTTP."""

import httpx
from sqlmodel import select

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.integrations.xero.client import XeroClient
from myapprentice_app.integrations.xero.online_invoice import online_invoice_url
from myapprentice_app.jobs import tasks
from myapprentice_app.models import Invoice, XeroSettings
from myapprentice_app.services import xero_sync

from .conftest import make_invoices


def _token(admin, tenant):  # type: ignore[no-untyped-def]
    token = admin.post("tokens", {"tenantIds": [tenant]})
    return lambda: {**token, "scope": token["scope"].split(), "expires_at": 4102444800}


def test_an_authorised_invoice_pushed_to_xero_gets_its_online_invoice_link(session, connected, admin, tenant):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)

    xero_sync.push_invoice(session, connected, invoice_id)

    session.expire_all()
    invoice = session.get(Invoice, invoice_id)
    assert invoice.sync_status == SyncStatus.SYNCED, invoice.sync_error_message
    assert admin.calls("GET /Invoices/{InvoiceID}/OnlineInvoice") == 1
    assert invoice.xero_online_invoice_url == online_invoice_url(XeroClient(tenant, _token(admin, tenant)),
                                                                 invoice.xero_invoice_id)
    assert invoice.xero_online_invoice_url.endswith(invoice.xero_invoice_id)
    page = httpx.get(invoice.xero_online_invoice_url)
    assert page.status_code == 200 and invoice.number in page.text  # the client's billing page


def test_a_draft_in_xero_has_no_online_invoice_and_that_is_not_an_error(session, connected, admin, tenant):
    session.get(XeroSettings, connected.business_id).push_as = "draft"
    session.commit()
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1, status="draft")

    xero_sync.push_invoice(session, connected, invoice_id)

    session.expire_all()
    invoice = session.get(Invoice, invoice_id)
    assert invoice.sync_status == SyncStatus.SYNCED, invoice.sync_error_message
    assert invoice.xero_online_invoice_url is None
    assert admin.calls("GET /Invoices/{InvoiceID}/OnlineInvoice") == 0  # Xero has none for a draft: not asked
    assert online_invoice_url(XeroClient(tenant, _token(admin, tenant)), invoice.xero_invoice_id) is None


def test_send_all_leaves_links_to_an_on_demand_task_so_the_rate_limit_budget_goes_to_pushing(
        session, connected, admin, tenant):
    ids = make_invoices(session, connected.business_id, 3, clients=1)
    xero_sync.send_all(session, connected)
    session.expire_all()
    assert all(session.get(Invoice, i).sync_status == SyncStatus.SYNCED for i in ids)
    assert all(session.get(Invoice, i).xero_online_invoice_url is None for i in ids)
    assert admin.calls("GET /Invoices/{InvoiceID}/OnlineInvoice") == 0

    tasks.fetch_online_invoice_links(connected.business_id, ids[:2])  # e.g. two invoices opened in the app

    session.expire_all()
    links = session.exec(select(Invoice.xero_online_invoice_url).where(Invoice.id.in_(ids[:2]))).all()
    assert len(set(links)) == 2 and all(links)
    assert session.get(Invoice, ids[2]).xero_online_invoice_url is None
    assert admin.calls("GET /Invoices/{InvoiceID}/OnlineInvoice") == 2

"""Voiding an invoice here takes it back in Xero too: the accountant's books must not keep it as owed."""

from decimal import Decimal

import pytest

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.models import Invoice, XeroSettings
from myapprentice_app.selectors import invoice_detail
from myapprentice_app.selectors.sync import xero_panel
from myapprentice_app.services import invoices, xero_sync
from myapprentice_app.services.errors import ActionRefused

from .conftest import make_invoices


def _in_xero(admin, tenant: str, invoice: Invoice) -> dict:
    [held] = [i for i in admin.stored(tenant, "invoices") if i["InvoiceID"] == invoice.xero_invoice_id]
    return held


def _pushed_then_voided(session, owner, count: int = 1) -> list[Invoice]:
    ids = make_invoices(session, owner.business_id, count, clients=1)
    for invoice_id in ids:
        xero_sync.push_invoice(session, owner, invoice_id)
    for invoice_id in ids:
        invoices.void_invoice(session, owner, invoice_id)
    session.expire_all()
    return [session.get(Invoice, invoice_id) for invoice_id in ids]


def _pushed(session, actor, invoice_id: int) -> Invoice:
    xero_sync.push_invoice(session, actor, invoice_id)
    session.expire_all()
    return session.get(Invoice, invoice_id)


def test_pushing_an_invoice_voided_here_voids_it_in_xero(session, connected, admin, tenant):
    [invoice] = _pushed_then_voided(session, connected)
    assert invoice.sync_status == SyncStatus.NOT_SYNCED

    invoice = _pushed(session, connected, invoice.id)

    assert invoice.sync_status == SyncStatus.SYNCED, invoice.sync_error_message
    assert _in_xero(admin, tenant, invoice)["Status"] == "VOIDED"


def test_send_all_carries_a_void_to_xero(session, connected, admin, tenant):
    [voided] = _pushed_then_voided(session, connected)

    _, started = xero_sync.send_all(session, connected)

    session.expire_all()
    assert started and session.get(Invoice, voided.id).sync_status == SyncStatus.SYNCED
    assert _in_xero(admin, tenant, voided)["Status"] == "VOIDED"


def test_an_invoice_xero_holds_as_a_draft_is_deleted_there_when_voided_here(session, connected, admin, tenant):
    settings = session.get(XeroSettings, connected.business_id)
    settings.push_as = "draft"
    session.commit()

    [invoice] = _pushed_then_voided(session, connected)
    invoice = _pushed(session, connected, invoice.id)

    assert invoice.sync_status == SyncStatus.SYNCED, invoice.sync_error_message
    assert _in_xero(admin, tenant, invoice)["Status"] == "DELETED"


def test_a_void_xero_already_has_is_not_offered_or_sent_again(session, connected, admin, tenant):
    [invoice] = _pushed_then_voided(session, connected)
    _pushed(session, connected, invoice.id)

    assert not xero_panel(session, connected, invoice.id).can_push
    with pytest.raises(ActionRefused, match="Xero already has this invoice voided"):
        xero_sync.push_invoice(session, connected, invoice.id)
    assert xero_sync.send_all(session, connected)[0] is not None
    session.expire_all()
    assert session.get(Invoice, invoice.id).sync_status == SyncStatus.SYNCED
    assert _in_xero(admin, tenant, invoice)["Status"] == "VOIDED"


def test_an_invoice_voided_before_reaching_xero_offers_no_push_and_owes_nothing(session, connected):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    invoices.void_invoice(session, connected, invoice_id)

    assert not xero_panel(session, connected, invoice_id).can_push
    detail = invoice_detail.invoice_detail(session, connected, invoice_id)
    assert detail.amount_due_plain == "0.00" and Decimal(detail.amount_due_plain) == 0
    with pytest.raises(ActionRefused, match="never reached Xero"):
        xero_sync.push_invoice(session, connected, invoice_id)


def test_an_authorised_invoice_can_always_be_pushed_again(session, connected):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    _pushed(session, connected, invoice_id)

    assert xero_panel(session, connected, invoice_id).can_push

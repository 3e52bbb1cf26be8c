"""Fix once for all (issue 12, point 7): errors grouped by cause, a cause fixed once re-queues every invoice in
Error for it, and pre-flight lists every problem of an invoice at once."""

from __future__ import annotations

import pytest
from sqlmodel import select

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.roles import PermissionDenied, Role
from myapprentice_app.domain.sync_errors import Fix
from myapprentice_app.models import Invoice, SyncProblem, TaxRate, XeroSettings
from myapprentice_app.selectors.error_causes import error_causes
from myapprentice_app.selectors.sync import xero_panel
from myapprentice_app.services import sync_causes, xero_sync

from .conftest import make_invoices


def statuses(session, ids: list[int]) -> list[str]:
    session.expire_all()
    return [session.get(Invoice, invoice_id).sync_status for invoice_id in ids]


def writes(admin) -> int:
    return admin.calls("PUT /Invoices") + admin.calls("POST /Invoices")


def unmap_labour(session, business_id: int) -> None:
    session.get(XeroSettings, business_id).labour_account = None
    session.commit()


def summaries(session, actor) -> list[str]:
    return [group.summary for group in error_causes(session, actor).groups]


def test_pre_flight_lists_every_problem_of_an_invoice_in_one_push(session, connected, admin):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1, prefix="ALL-")
    settings = session.get(XeroSettings, connected.business_id)
    settings.labour_account, settings.contact_policy = None, "require_match"
    session.exec(select(TaxRate)).one().xero_tax_type = None
    session.commit()
    before = writes(admin)

    xero_sync.push_invoice(session, connected, invoice_id)

    problems = {p.message for p in session.exec(select(SyncProblem).where(SyncProblem.invoice_id == invoice_id))}
    assert problems == {"No Xero account is chosen for Labour lines.", "GST 10% has no Xero tax type.",
                        "No active Xero contact is named 'Client ALL-0000', and contacts must match."}
    invoice = session.get(Invoice, invoice_id)
    assert invoice.sync_status == SyncStatus.ERROR and writes(admin) == before  # caught before any write
    assert all(message in invoice.sync_error_message for message in problems)
    panel = xero_panel(session, connected, invoice_id)  # every problem's fix, on the invoice's page
    assert {"pick_account", "map_tax_rate", "create_contact", "link_contact"} <= {f.value for f in panel.fixes}
    assert {option.value.partition(":")[0] for option in panel.accounts} == {"labour"}


def test_errors_are_grouped_by_cause_with_how_many_invoices_share_it(session, connected):
    unmap_labour(session, connected.business_id)
    make_invoices(session, connected.business_id, 5, clients=2)
    xero_sync.send_all(session, connected)

    assert summaries(session, connected) == ["5 invoices: No Xero account is chosen for Labour lines."]
    [group] = error_causes(session, connected).groups
    assert group.fix == "pick_account" and len(group.invoices) == 5
    assert "200" in {option.value for option in error_causes(session, connected).accounts}


def test_picking_the_account_once_sends_every_invoice_in_error_for_it_again(session, connected, admin, tenant):
    unmap_labour(session, connected.business_id)
    ids = make_invoices(session, connected.business_id, 5, clients=2, prefix="GRP-")
    xero_sync.send_all(session, connected)
    assert statuses(session, ids) == [SyncStatus.ERROR] * 5

    sync_causes.fix_cause(session, connected, "account:labour", Fix.PICK_ACCOUNT, "200")

    assert statuses(session, ids) == [SyncStatus.SYNCED] * 5
    assert sorted(admin.invoices_numbered(tenant)) == ["GRP-00001", "GRP-00002", "GRP-00003", "GRP-00004",
                                                       "GRP-00005", "INV-0001"]
    assert summaries(session, connected) == []


def test_fixing_the_cause_from_one_invoice_page_retries_the_others_with_that_cause(session, connected):
    unmap_labour(session, connected.business_id)
    ids = make_invoices(session, connected.business_id, 3, clients=1, prefix="ONE-")
    xero_sync.send_all(session, connected)

    xero_sync.fix(session, connected, ids[1], Fix.PICK_ACCOUNT, "labour:200",
                  shown=xero_panel(session, connected, ids[1]).stamp)

    assert statuses(session, ids) == [SyncStatus.SYNCED] * 3


def test_mapping_a_tax_rate_once_retries_every_invoice_that_waited_for_it(session, connected):
    rate = session.exec(select(TaxRate)).one()
    rate.xero_tax_type = None
    session.commit()
    ids = make_invoices(session, connected.business_id, 4, clients=2, prefix="TAX-")
    xero_sync.send_all(session, connected)
    assert summaries(session, connected) == ["4 invoices: GST 10% has no Xero tax type."]

    sync_causes.fix_cause(session, connected, f"tax:{rate.id}", Fix.MAP_TAX_RATE, "OUTPUT")

    assert statuses(session, ids) == [SyncStatus.SYNCED] * 4


def test_creating_a_clients_contact_once_retries_all_its_invoices_and_no_other_clients(
        session, connected, admin, tenant):
    session.get(XeroSettings, connected.business_id).contact_policy = "require_match"
    session.commit()
    ids = make_invoices(session, connected.business_id, 4, clients=2, prefix="CON-")  # clients 0 and 1, alternating
    xero_sync.send_all(session, connected)
    groups = error_causes(session, connected).groups
    assert sorted(group.summary for group in groups) == [
        "2 invoices: No active Xero contact is named 'Client CON-0000', and contacts must match.",
        "2 invoices: No active Xero contact is named 'Client CON-0001', and contacts must match."]
    first_client = next(group for group in groups if "CON-0000" in group.summary)

    sync_causes.fix_cause(session, connected, first_client.cause, Fix.CREATE_CONTACT)

    assert statuses(session, ids) == [SyncStatus.ERROR, SyncStatus.SYNCED, SyncStatus.ERROR, SyncStatus.SYNCED]
    names = [contact["Name"] for contact in admin.stored(tenant, "contacts")]
    assert names.count("Client CON-0000") == 1 and "Client CON-0001" not in names
    assert summaries(session, connected) == [
        "2 invoices: No active Xero contact is named 'Client CON-0001', and contacts must match."]


def test_an_invoice_with_two_causes_stays_in_error_for_the_one_not_yet_fixed(session, connected):
    unmap_labour(session, connected.business_id)
    rate = session.exec(select(TaxRate)).one()
    rate.xero_tax_type = None
    session.commit()
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1, prefix="TWO-")
    xero_sync.send_all(session, connected)
    assert sorted(summaries(session, connected)) == ["1 invoice: GST 10% has no Xero tax type.",
                                                     "1 invoice: No Xero account is chosen for Labour lines."]

    sync_causes.fix_cause(session, connected, "account:labour", Fix.PICK_ACCOUNT, "200")

    assert statuses(session, [invoice_id]) == [SyncStatus.ERROR]
    assert summaries(session, connected) == ["1 invoice: GST 10% has no Xero tax type."]


def test_a_supervisor_sees_the_causes_and_may_retry_them_but_not_change_the_mapping(session, connected, make_actor):
    unmap_labour(session, connected.business_id)
    make_invoices(session, connected.business_id, 2, clients=1)
    xero_sync.send_all(session, connected)
    supervisor = make_actor(Role.SUPERVISOR)

    view = error_causes(session, supervisor)
    assert [g.summary for g in view.groups] == ["2 invoices: No Xero account is chosen for Labour lines."]
    assert view.can_retry and not view.can_resolve and view.accounts == []
    with pytest.raises(PermissionDenied):
        sync_causes.fix_cause(session, supervisor, "account:labour", Fix.PICK_ACCOUNT, "200")
    assert session.get(XeroSettings, connected.business_id).labour_account is None

"""Issue point 5: every error in SPEC.md's table, its plain words, and its fix working against the sandbox."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from myapprentice_app.db import get_engine, locked
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.roles import Role
from myapprentice_app.domain.sync_errors import Fix
from myapprentice_app.models import (
    AuditEvent,
    Client,
    Invoice,
    TaxRate,
    XeroBatch,
    XeroConnection,
    XeroContact,
    XeroSettings,
)
from myapprentice_app.selectors.sync import xero_panel
from myapprentice_app.services import xero_sync
from myapprentice_app.services.errors import ActionRefused
from tests.support.concurrently import while_held

from .conftest import make_invoices


def push(session, actor, invoice_id: int) -> Invoice:
    xero_sync.push_invoice(session, actor, invoice_id)
    session.expire_all()
    return session.get(Invoice, invoice_id)


def apply(session, actor, invoice_id: int, fix: Fix, value: str = "") -> Invoice:
    """Press a fix on the invoice's panel as the panel shows it now."""
    xero_sync.fix(session, actor, invoice_id, fix, value, shown=xero_panel(session, actor, invoice_id).stamp)
    session.expire_all()
    return session.get(Invoice, invoice_id)


def writes(admin) -> int:
    return admin.calls("PUT /Invoices") + admin.calls("POST /Invoices")


def test_an_invalid_account_is_caught_before_any_write_and_picking_an_account_retries_it(session, connected, admin):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    settings = session.get(XeroSettings, connected.business_id)
    settings.labour_account = "280"  # archived in Xero since the mapping was saved
    session.commit()
    before = writes(admin)

    invoice = push(session, connected, invoice_id)

    assert invoice.sync_status == SyncStatus.ERROR and invoice.sync_error_code == "invalid_account"
    assert "archived" in invoice.sync_error_message and writes(admin) == before
    panel = xero_panel(session, connected, invoice_id)
    assert panel.error_title == "Invalid account code" and panel.offer_pick_account
    assert "labour:200" in {option.value for option in panel.accounts}  # for the lines whose account is wrong
    assert apply(session, connected, invoice_id, Fix.PICK_ACCOUNT, "labour:200").sync_status == SyncStatus.SYNCED


def test_a_missing_tax_mapping_is_caught_before_any_write_and_mapping_it_retries_it(session, connected, admin):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    rate = session.exec(select(TaxRate)).one()
    rate.xero_tax_type = None
    session.commit()

    invoice = push(session, connected, invoice_id)

    assert invoice.sync_error_code == "missing_tax_mapping" and "no Xero tax type" in invoice.sync_error_message
    invoice = apply(session, connected, invoice_id, Fix.MAP_TAX_RATE, f"{rate.id}:OUTPUT")
    assert invoice.sync_status == SyncStatus.SYNCED


def test_a_number_conflict_with_another_client_is_fixed_by_renumbering(session, connected, admin, tenant):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1, prefix="INV-", start=1)
    assert session.get(Invoice, invoice_id).number == "INV-00001"
    session.get(Invoice, invoice_id).number = "INV-0001"  # the sandbox's own first invoice has this number
    session.commit()

    invoice = push(session, connected, invoice_id)

    assert invoice.sync_error_code == "number_conflict"
    assert "INV-0001" in invoice.sync_error_message
    panel = xero_panel(session, connected, invoice_id)
    assert not panel.can_link and {"link_invoice", "renumber"} <= {f.value for f in panel.fixes}
    invoice = apply(session, connected, invoice_id, Fix.RENUMBER)
    assert invoice.sync_status == SyncStatus.SYNCED and invoice.number != "INV-0001"
    numbers = [i["InvoiceNumber"] for i in admin.stored(tenant, "invoices")]
    assert numbers.count("INV-0001") == 1 and invoice.number in numbers


def test_a_number_conflict_with_the_same_client_and_total_is_fixed_by_linking(session, connected, admin, tenant):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    first = push(session, connected, invoice_id)
    xero_id = first.xero_invoice_id
    first.xero_invoice_id, first.synced_version, first.sync_status = None, None, "not_synced"  # link lost
    session.commit()

    invoice = push(session, connected, invoice_id)
    assert invoice.sync_error_code == "number_conflict"
    assert xero_panel(session, connected, invoice_id).can_link

    invoice = apply(session, connected, invoice_id, Fix.LINK_INVOICE)
    assert invoice.sync_status == SyncStatus.SYNCED and invoice.xero_invoice_id == xero_id
    assert [i["InvoiceNumber"] for i in admin.stored(tenant, "invoices")].count(invoice.number) == 1


def test_a_number_conflict_with_xeros_invoice_in_other_letter_case_is_fixed_by_linking_too(
        session, connected, admin, tenant):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    first = push(session, connected, invoice_id)
    xero_id = first.xero_invoice_id
    first.xero_invoice_id, first.synced_version, first.sync_status = None, None, "not_synced"  # link lost
    first.number = first.number.lower()  # "ma-00001" here, "MA-00001" in Xero
    session.commit()

    assert push(session, connected, invoice_id).sync_error_code == "number_conflict"
    assert xero_panel(session, connected, invoice_id).can_link

    invoice = apply(session, connected, invoice_id, Fix.LINK_INVOICE)
    assert invoice.sync_status == SyncStatus.SYNCED and invoice.xero_invoice_id == xero_id


def test_client_not_found_under_require_a_match_is_fixed_by_creating_the_contact(session, connected, admin, tenant):
    session.get(XeroSettings, connected.business_id).contact_policy = "require_match"
    session.commit()
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1, prefix="CN-")

    invoice = push(session, connected, invoice_id)

    assert invoice.sync_error_code == "contact_not_found"
    assert xero_panel(session, connected, invoice_id).error_title == "Client not found in Xero"
    invoice = apply(session, connected, invoice_id, Fix.CREATE_CONTACT)
    assert invoice.sync_status == SyncStatus.SYNCED
    assert "Client CN-0000" in [c["Name"] for c in admin.stored(tenant, "contacts")]


def test_client_not_found_is_fixed_by_linking_a_suggested_contact(session, connected, admin, tenant):
    session.get(XeroSettings, connected.business_id).contact_policy = "require_match"
    session.commit()
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1, prefix="LK-")
    client = session.get(Client, session.get(Invoice, invoice_id).client_id)
    client.name, client.email = "Jones Family", "pat.jones@example.com"
    session.commit()

    assert push(session, connected, invoice_id).sync_error_code == "contact_not_found"
    suggestions = xero_panel(session, connected, invoice_id).contact_suggestions
    assert [s.label for s in suggestions] == ["Jones Family Trust"]

    invoice = apply(session, connected, invoice_id, Fix.LINK_CONTACT, suggestions[0].value)
    assert invoice.sync_status == SyncStatus.SYNCED
    in_xero = next(i for i in admin.stored(tenant, "invoices") if i["InvoiceID"] == invoice.xero_invoice_id)
    assert in_xero["Contact"]["Name"] == "Jones Family Trust"


def test_an_archived_contact_is_reported_as_client_not_found(session, connected):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    archived = session.exec(select(XeroContact).where(XeroContact.status == "ARCHIVED")).first()
    session.get(Client, session.get(Invoice, invoice_id).client_id).xero_contact_id = archived.contact_id
    session.commit()

    invoice = push(session, connected, invoice_id)

    assert invoice.sync_error_code == "contact_not_found" and "archived" in invoice.sync_error_message


def test_xeros_own_validation_text_stays_under_details(session, connected, admin):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    session.get(Invoice, invoice_id).currency = "EUR"
    session.commit()

    invoice = push(session, connected, invoice_id)

    assert invoice.sync_status == SyncStatus.ERROR
    panel = xero_panel(session, connected, invoice_id)
    assert panel.error_message == "Xero didn't accept this invoice. Its reason is under Details."
    assert panel.error_detail == "Organisation is not subscribed to currency EUR"
    assert [row.outcome for row in panel.history] == ["error"] and "EUR" in panel.history[0].sent


def test_a_client_xero_refuses_as_a_contact_leaves_only_its_invoice_in_error(session, connected, admin, tenant):
    ids = make_invoices(session, connected.business_id, 3, clients=3, prefix="RF-")
    refused = session.get(Invoice, ids[0])
    session.get(Client, refused.client_id).name = "   "  # Xero: "The contact name must be specified"
    session.commit()

    xero_sync.send_all(session, connected)[0]

    session.expire_all()
    assert session.get(Invoice, ids[0]).sync_error_code == "contact_not_found"
    assert [session.get(Invoice, i).sync_status for i in ids[1:]] == [SyncStatus.SYNCED] * 2
    assert sorted(i["InvoiceNumber"] for i in admin.stored(tenant, "invoices")
                  if i["InvoiceNumber"].startswith("RF-")) == ["RF-00002", "RF-00003"]
    # A batch is stored right before it is sent, with the invoices whose contact exists: nothing to reconcile.
    assert session.exec(select(XeroBatch).where(XeroBatch.state == "sending")).all() == []


def test_a_fix_shown_for_an_earlier_state_of_the_invoice_is_refused_and_changes_nothing(session, connected, admin):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    rate = session.exec(select(TaxRate)).one()
    rate.xero_tax_type = None
    session.commit()
    assert push(session, connected, invoice_id).sync_error_code == "missing_tax_mapping"
    shown_then = xero_panel(session, connected, invoice_id).stamp
    rate.xero_tax_type = "OUTPUT"  # someone fixed it in another tab: the invoice is Synced now
    session.commit()
    assert apply(session, connected, invoice_id, Fix.RETRY).sync_status == SyncStatus.SYNCED
    before = writes(admin)

    with pytest.raises(ActionRefused, match="has changed since this page showed it"):
        xero_sync.fix(session, connected, invoice_id, Fix.MAP_TAX_RATE, f"{rate.id}:EXEMPTOUTPUT", shown=shown_then)

    session.expire_all()
    assert session.get(TaxRate, rate.id).xero_tax_type == "OUTPUT" and writes(admin) == before
    assert session.get(Invoice, invoice_id).sync_status == SyncStatus.SYNCED


@pytest.mark.parametrize("fix", [Fix.RENUMBER, Fix.LINK_INVOICE, Fix.CREATE_CONTACT, Fix.LINK_CONTACT])
def test_a_fix_for_an_error_the_invoice_does_not_have_is_refused_and_changes_nothing(session, connected, admin,
                                                                                       fix: Fix):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1, status="sent")
    synced = push(session, connected, invoice_id)
    assert synced.sync_status == SyncStatus.SYNCED
    before = writes(admin), synced.number, synced.version

    with pytest.raises(ActionRefused, match="has no sync error that this fix is for"):
        xero_sync.fix(session, connected, invoice_id, fix, shown=synced.sync_stamp)  # a crafted event

    session.expire_all()
    after = session.get(Invoice, invoice_id)
    assert (writes(admin), after.number, after.version) == before and after.sync_status == SyncStatus.SYNCED


def test_a_supervisor_is_offered_only_retry_and_told_whom_to_ask_for_the_fix(session, connected, make_actor):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    session.exec(select(TaxRate)).one().xero_tax_type = None
    session.commit()
    assert push(session, connected, invoice_id).sync_error_code == "missing_tax_mapping"

    panel = xero_panel(session, make_actor(Role.SUPERVISOR), invoice_id)

    assert [fix.value for fix in panel.fixes] == ["retry"]
    assert panel.ask_for_fixes == ("To fix the cause (map the tax rate and retry), ask your Business Owner, "
                                   "Office Admin or Finance.")
    assert xero_panel(session, connected, invoice_id).ask_for_fixes == ""


def test_finance_is_not_offered_reconnect_which_lives_on_a_tab_it_cannot_open(session, connected, make_actor):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    invoice = session.get(Invoice, invoice_id)
    invoice.sync_status, invoice.sync_error_code = SyncStatus.ERROR, "needs_reconnect"
    session.commit()

    finance = xero_panel(session, make_actor(Role.FINANCE), invoice_id)

    assert finance.fixes == []
    assert finance.ask_for_fixes == "To fix the cause (reconnect xero), ask your Business Owner or Office Admin."
    assert [fix.value for fix in xero_panel(session, connected, invoice_id).fixes] == ["reconnect"]


def test_pushing_before_xero_is_connected_tells_each_role_what_it_can_do(session, make_actor):
    owner, supervisor = make_actor(Role.OWNER), make_actor(Role.SUPERVISOR)
    [invoice_id] = make_invoices(session, owner.business_id, 1, clients=1)

    with pytest.raises(ActionRefused, match=r"^Connect Xero first \(Business Settings → Integrations\)\.$"):
        xero_sync.push_invoice(session, owner, invoice_id)
    with pytest.raises(ActionRefused) as refused:
        xero_sync.push_invoice(session, supervisor, invoice_id)
    assert str(refused.value) == "Xero isn't connected yet. Ask your Business Owner or Admin to connect it."


def test_a_fix_pressed_after_the_connection_needs_reconnecting_is_refused_and_changes_nothing(
        session, connected, admin, tenant):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1, prefix="INV-", start=1)
    session.get(Invoice, invoice_id).number = "INV-0001"  # the sandbox's own first invoice has this number
    session.commit()
    assert push(session, connected, invoice_id).sync_error_code == "number_conflict"
    shown = xero_panel(session, connected, invoice_id).stamp
    connection = session.exec(select(XeroConnection)).one()
    connection.status = "needs_reconnect"  # Xero revoked the connection meanwhile
    session.commit()

    with pytest.raises(ActionRefused, match="reconnect"):
        xero_sync.fix(session, connected, invoice_id, Fix.RENUMBER, shown=shown)

    session.expire_all()
    invoice = session.get(Invoice, invoice_id)
    assert invoice.number == "INV-0001" and invoice.sync_status == SyncStatus.ERROR


def test_a_fix_pressed_twice_at_the_same_moment_is_applied_once(session, connected, admin, tenant):
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1, prefix="INV-", start=1)
    session.get(Invoice, invoice_id).number = "INV-0001"  # the sandbox's own first invoice has this number
    session.commit()
    push(session, connected, invoice_id)
    shown = xero_panel(session, connected, invoice_id).stamp

    def press() -> int | None:
        with Session(get_engine(), expire_on_commit=False) as own:
            return xero_sync.fix(own, connected, invoice_id, Fix.RENUMBER, shown=shown)

    outcomes = while_held(lambda held: locked(held, Invoice, invoice_id), press, press)

    refused = [outcome for outcome in outcomes if isinstance(outcome, ActionRefused)]
    assert len(refused) == 1 and "has changed since this page showed it" in str(refused[0]), outcomes
    renumbered = session.exec(select(AuditEvent).where(AuditEvent.action == "xero.invoice_renumbered")).all()
    assert [event.detail for event in renumbered] == ["was INV-0001"]

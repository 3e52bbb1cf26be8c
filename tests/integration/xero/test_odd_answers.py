"""Xero lists a write's elements in the order they were sent; an answer that doesn't (reordered, or one element
missing) never gives an invoice, contact or payment another one's outcome, and never leaves one Pending. Text
Xero holds that no database can store (a NUL byte) is made storable, not a crash."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlmodel import select

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.jobs import tasks
from myapprentice_app.models import Client, Invoice, Payment, SyncRun, XeroInvoiceRef
from myapprentice_app.services import invoices, xero_sync
from myapprentice_app.sync.invoice_answers import UNANSWERED_CHANGE

from .conftest import make_invoices


def xero_ids_by_number(admin, tenant: str, prefix: str) -> dict[str, list[str]]:
    return {number: [found["InvoiceID"] for found in copies]
            for number, copies in admin.invoices_numbered(tenant).items() if number.startswith(prefix)}


def ours_by_number(session, business_id: int) -> dict[str, Invoice]:
    session.expire_all()
    return {i.number: i for i in session.exec(select(Invoice).where(Invoice.business_id == business_id))}


def someone_elses_invoice_numbered(admin, tenant: str, number: str) -> None:
    token = admin.token(tenant)["access_token"]
    someone_elses = {"Type": "ACCREC", "Contact": {"ContactID": admin.stored(tenant, "contacts")[0]["ContactID"]},
                     "InvoiceNumber": number,
                     "LineItems": [{"Description": "Someone else's", "Quantity": 1, "UnitAmount": 5,
                                    "AccountCode": "200"}]}
    admin.http.put("/api.xro/2.0/Invoices", json={"Invoices": [someone_elses]},
                   headers={"Authorization": f"Bearer {token}", "xero-tenant-id": tenant}).raise_for_status()


def clients_linked(session) -> dict[str, str | None]:
    session.expire_all()
    return {client.name: client.xero_contact_id for client in session.exec(select(Client))}


def test_an_answer_listing_the_invoices_in_reverse_links_each_invoice_to_its_own_copy_in_xero(
        session, connected, admin, tenant):
    make_invoices(session, connected.business_id, 6, clients=3, prefix="REV-")
    admin.faults(answer_elements="reversed")

    xero_sync.send_all(session, connected)

    in_xero = xero_ids_by_number(admin, tenant, "REV-")
    ours = ours_by_number(session, connected.business_id)
    assert {number: invoice.sync_status for number, invoice in ours.items()} == dict.fromkeys(in_xero, "synced")
    assert {number: [invoice.xero_invoice_id] for number, invoice in ours.items()} == in_xero


def test_a_refused_invoice_in_a_reordered_answer_gets_its_own_reason_and_the_others_are_synced(
        session, connected, admin, tenant):
    ids = make_invoices(session, connected.business_id, 4, clients=2, prefix="MIX-")
    someone_elses_invoice_numbered(admin, tenant, session.get(Invoice, ids[1]).number)
    admin.faults(answer_elements="reversed")

    xero_sync.send_all(session, connected)

    ours = ours_by_number(session, connected.business_id)
    assert {number: invoice.sync_status for number, invoice in ours.items()} == {
        "MIX-00001": "synced", "MIX-00002": "error", "MIX-00003": "synced", "MIX-00004": "synced"}
    assert ours["MIX-00002"].sync_error_code == "number_conflict" and ours["MIX-00002"].xero_invoice_id is None


def test_an_invoice_missing_from_the_answer_is_found_in_xero_by_its_number_and_synced_once(
        session, connected, admin, tenant):
    make_invoices(session, connected.business_id, 3, clients=1, prefix="GAP-")
    admin.faults(answer_elements="drop_last", unique_numbers=False)

    xero_sync.send_all(session, connected)

    in_xero = xero_ids_by_number(admin, tenant, "GAP-")
    ours = ours_by_number(session, connected.business_id)
    assert {number: invoice.sync_status for number, invoice in ours.items()} == dict.fromkeys(in_xero, "synced")
    assert {number: [invoice.xero_invoice_id] for number, invoice in ours.items()} == in_xero  # one copy each


def test_an_update_missing_from_the_answer_is_in_error_for_retry_not_pending(session, connected, admin, tenant):
    ids = make_invoices(session, connected.business_id, 2, clients=1, prefix="UPD-")
    xero_sync.send_all(session, connected)
    for invoice in session.exec(select(Invoice).where(Invoice.id.in_(ids))):  # type: ignore[union-attr]
        invoice.sync_status, invoice.version = SyncStatus.NOT_SYNCED, invoice.version + 1  # edited
    session.commit()
    admin.faults(answer_elements="drop_last")

    xero_sync.send_all(session, connected)

    ours = ours_by_number(session, connected.business_id)
    assert ours["UPD-00001"].sync_status == "synced"
    assert ours["UPD-00002"].sync_status == "error" and ours["UPD-00002"].sync_error_message == UNANSWERED_CHANGE
    admin.faults(answer_elements="as_sent")
    xero_sync.push_invoice(session, connected, ids[1], retry=True)
    assert ours_by_number(session, connected.business_id)["UPD-00002"].sync_status == "synced"


def test_clients_in_a_reordered_answer_are_each_linked_to_the_contact_with_their_own_name(
        session, connected, admin, tenant):
    make_invoices(session, connected.business_id, 4, clients=4, prefix="CON-")
    admin.faults(answer_elements="reversed")

    xero_sync.send_all(session, connected)

    contacts = {c["Name"]: c["ContactID"] for c in admin.stored(tenant, "contacts")
                if c["Name"].startswith("Client CON-")}
    assert clients_linked(session) == contacts and len(contacts) == 4


def test_a_client_missing_from_the_answer_is_found_in_xero_by_name_and_created_once(session, connected, admin, tenant):
    make_invoices(session, connected.business_id, 3, clients=3, prefix="ONE-")
    admin.faults(answer_elements="drop_last")

    xero_sync.send_all(session, connected)

    contacts = [c for c in admin.stored(tenant, "contacts") if c["Name"].startswith("Client ONE-")]
    assert clients_linked(session) == {c["Name"]: c["ContactID"] for c in contacts} and len(contacts) == 3
    assert set(ours_by_number(session, connected.business_id)[n].sync_status
               for n in ("ONE-00001", "ONE-00002", "ONE-00003")) == {"synced"}


def payments_recorded(session, actor, amounts: list[str]) -> list[Payment]:
    ids = make_invoices(session, actor.business_id, len(amounts), clients=1, prefix="PAY-")
    xero_sync.send_all(session, actor)
    for invoice_id, amount in zip(ids, amounts, strict=True):
        invoices.record_payment(session, actor, invoice_id, amount=amount, paid_on=dt.date.today(),
                                method="bank_transfer")
    return list(session.exec(select(Payment).order_by(Payment.id)))


def test_payments_in_a_reordered_answer_are_each_linked_to_their_own_payment_in_xero(
        session, connected, admin, tenant):
    payments_recorded(session, connected, ["10.00", "20.00", "30.00"])
    admin.faults(answer_elements="reversed")

    tasks.recover()

    session.expire_all()
    in_xero = {Decimal(str(p["Amount"])): p["PaymentID"] for p in admin.stored(tenant, "payments")}
    ours = {p.amount: p.xero_payment_id for p in session.exec(select(Payment))}
    assert ours == in_xero and len(in_xero) == 3


def test_a_payment_missing_from_the_answer_is_found_in_xero_by_its_reference_and_sent_once(
        session, connected, admin, tenant):
    payments_recorded(session, connected, ["10.00", "20.00"])
    admin.faults(answer_elements="drop_last")

    tasks.recover()
    tasks.recover()  # a second cycle sends nothing again

    session.expire_all()
    in_xero = {Decimal(str(p["Amount"])): p["PaymentID"] for p in admin.stored(tenant, "payments")}
    ours = {p.amount: (p.sync_status, p.xero_payment_id) for p in session.exec(select(Payment))}
    assert ours == {amount: ("synced", payment_id) for amount, payment_id in in_xero.items()} and len(in_xero) == 2


def test_a_400_naming_one_invoice_puts_only_that_one_in_error_and_the_others_xero_created_are_synced_once(
        session, connected, admin, tenant):
    ids = make_invoices(session, connected.business_id, 3, clients=1, prefix="SUM-")
    someone_elses_invoice_numbered(admin, tenant, session.get(Invoice, ids[2]).number)
    admin.faults(ignore_summarize_errors=True)  # a 400 listing only the failed element; Xero made the others

    xero_sync.send_all(session, connected)

    in_xero = xero_ids_by_number(admin, tenant, "SUM-")
    ours = ours_by_number(session, connected.business_id)
    assert {number: invoice.sync_status for number, invoice in ours.items()} == {
        "SUM-00001": "synced", "SUM-00002": "synced", "SUM-00003": "error"}
    assert ours["SUM-00003"].sync_error_code == "number_conflict"
    assert [ours["SUM-00001"].xero_invoice_id] == in_xero["SUM-00001"]  # one copy each
    assert [ours["SUM-00002"].xero_invoice_id] == in_xero["SUM-00002"]


def test_a_400_naming_one_payment_puts_only_that_one_in_error_and_the_other_xero_made_is_linked_once(
        session, connected, admin, tenant):
    first, second = payments_recorded(session, connected, ["10.00", "20.00"])
    second.amount = Decimal("999.00")  # more than the invoice owes: Xero refuses it
    session.commit()
    admin.faults(ignore_summarize_errors=True)  # a 400 listing only the failed element; Xero made the other

    tasks.recover()

    session.expire_all()
    [in_xero] = admin.stored(tenant, "payments")
    first, second = session.get(Payment, first.id), session.get(Payment, second.id)
    assert (first.sync_status, first.xero_payment_id) == ("synced", in_xero["PaymentID"])
    assert second.sync_status == "error" and "exceeds" in second.sync_error_message


def test_sync_all_takes_invoices_and_contacts_whose_text_in_xero_holds_a_nul_byte(session, connected, admin, tenant):
    token = admin.token(tenant)["access_token"]
    made_in_xero = {"Type": "ACCREC", "InvoiceNumber": "NUL\u0000-1", "Reference": "a\u0000b",
                    "Contact": {"Name": "Acme\u0000 Ltd"},
                    "LineItems": [{"Description": "Work", "Quantity": 1, "UnitAmount": 5, "AccountCode": "200"}]}
    admin.http.put("/api.xro/2.0/Invoices", json={"Invoices": [made_in_xero]},
                   headers={"Authorization": f"Bearer {token}", "xero-tenant-id": tenant}).raise_for_status()

    run_id = xero_sync.sync_all(session, connected)

    session.expire_all()
    assert session.get(SyncRun, run_id).state == "done"
    assert session.exec(select(XeroInvoiceRef).where(XeroInvoiceRef.number == "NUL-1")).one()


def test_a_payment_whose_reference_holds_a_quote_left_out_of_the_answer_is_found_and_stalls_nothing(
        session, connected, admin, tenant):
    ids = make_invoices(session, connected.business_id, 2, clients=1, prefix="QUO-")
    xero_sync.send_all(session, connected)
    invoices.record_payment(session, connected, ids[0], amount="10.00", paid_on=dt.date.today(),
                            method="bank_transfer")
    invoices.record_payment(session, connected, ids[1], amount="20.00", paid_on=dt.date.today(),
                            method="bank_transfer", reference='Cheque "42" \\ front desk')
    admin.faults(answer_elements="drop_last")  # the quoted one is left out: looked up by its reference

    tasks.recover()

    session.expire_all()
    in_xero = {p["Reference"]: p["PaymentID"] for p in admin.stored(tenant, "payments")}
    ours = {p.reference: (p.sync_status, p.xero_payment_id) for p in session.exec(select(Payment))}
    assert ours['Cheque "42" \\ front desk'] == ("synced", in_xero['MA-PAY-2 Cheque "42" \\ front desk'])
    admin.faults(answer_elements="as_sent")
    [later] = make_invoices(session, connected.business_id, 1, clients=1, prefix="QUN-")
    xero_sync.push_invoice(session, connected, later)
    session.expire_all()
    assert session.get(Invoice, later).sync_status == "synced"


def test_two_invoices_whose_numbers_differ_only_in_case_are_never_linked_to_one_xero_invoice(
        session, connected, admin, tenant):
    ids = make_invoices(session, connected.business_id, 2, clients=1, prefix="CASE-")
    lower, upper = session.get(Invoice, ids[0]), session.get(Invoice, ids[1])
    lower.number, upper.number = "case-1", "CASE-1"  # two numbers here; one in Xero, which ignores case
    session.commit()
    admin.faults(answer_elements="drop_last")  # Xero refuses CASE-1, and its answer leaves that out

    xero_sync.send_all(session, connected)

    session.expire_all()
    lower, upper = session.get(Invoice, ids[0]), session.get(Invoice, ids[1])
    [in_xero] = admin.invoices_numbered(tenant)["case-1"]
    assert (lower.sync_status, lower.xero_invoice_id) == ("synced", in_xero["InvoiceID"])
    assert (upper.sync_status, upper.xero_invoice_id) == ("error", None)

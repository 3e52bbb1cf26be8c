"""Invoice history and notes, emailing an invoice from Xero, and invoice attachments, through xero-python."""

from __future__ import annotations

import datetime as dt

import pytest
from xero_python.accounting import HistoryRecord, HistoryRecords, RequestEmpty
from xero_python.exceptions import AccountingBadRequestException, NotFoundException

from .builders import batch, invoice, line


def new_invoice(xero, status: str = "AUTHORISED", contact_index: int = 0):
    contact_id = xero.accounting.get_contacts(xero.tenant_id).contacts[contact_index].contact_id
    return xero.accounting.create_invoices(
        xero.tenant_id, batch(invoice(contact_id, line("80.00"), status=status))
    ).invoices[0]


def note(text: str) -> HistoryRecords:
    return HistoryRecords(history_records=[HistoryRecord(details=text)])


def test_a_note_added_to_an_invoice_is_in_its_history_newest_first(xero):
    created = new_invoice(xero)
    added = xero.accounting.create_invoice_history(
        xero.tenant_id, created.invoice_id, note("Pushed from MyApprentice by Sam Owner")
    ).history_records[0]
    assert added.details == "Pushed from MyApprentice by Sam Owner" and added.changes == "Note"
    assert isinstance(added.date_utc, dt.datetime)
    xero.accounting.create_invoice_history(xero.tenant_id, created.invoice_id, note("Second note"))
    history = xero.accounting.get_invoice_history(xero.tenant_id, created.invoice_id).history_records
    assert [entry.details for entry in history] == ["Second note", "Pushed from MyApprentice by Sam Owner"]


def test_an_empty_note_is_refused_and_an_unknown_invoice_is_not_found(xero):
    created = new_invoice(xero)
    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.create_invoice_history(xero.tenant_id, created.invoice_id, note(" "))
    assert caught.value.status == 400
    with pytest.raises(NotFoundException):
        xero.accounting.get_invoice_history(xero.tenant_id, "00000000-0000-0000-0000-00000000abcd")


def test_emailing_an_approved_invoice_is_recorded_and_marks_it_sent(xero, admin):
    created = new_invoice(xero)
    assert xero.accounting.email_invoice(xero.tenant_id, created.invoice_id, RequestEmpty()) is None
    emails = admin.get(f"organisations/{xero.tenant_id}/emails")["Emails"]
    assert [(e["InvoiceID"], e["InvoiceNumber"]) for e in emails] == [(created.invoice_id, created.invoice_number)]
    contact = xero.accounting.get_contact(xero.tenant_id, created.contact.contact_id).contacts[0]
    assert emails[0]["To"] == contact.email_address
    again = xero.accounting.get_invoice(xero.tenant_id, created.invoice_id).invoices[0]
    assert again.sent_to_contact is True
    history = xero.accounting.get_invoice_history(xero.tenant_id, created.invoice_id).history_records
    assert history[0].changes == "Emailed" and contact.email_address in history[0].details


def test_a_draft_cannot_be_emailed(xero, admin):
    draft = new_invoice(xero, status="DRAFT")
    with pytest.raises(AccountingBadRequestException):
        xero.accounting.email_invoice(xero.tenant_id, draft.invoice_id, RequestEmpty())
    assert admin.get(f"organisations/{xero.tenant_id}/emails")["Emails"] == []


def test_an_attachment_is_uploaded_listed_and_downloaded_by_id_and_by_name(xero):
    created = new_invoice(xero)
    content = b"%PDF-1.4 timesheet for job 42"
    uploaded = xero.accounting.create_invoice_attachment_by_file_name(
        xero.tenant_id, created.invoice_id, "timesheet.pdf", content, include_online=True
    ).attachments[0]
    assert uploaded.file_name == "timesheet.pdf" and uploaded.mime_type == "application/pdf"
    assert uploaded.content_length == len(content) and uploaded.include_online is True
    listed = xero.accounting.get_invoice_attachments(xero.tenant_id, created.invoice_id).attachments
    assert [a.attachment_id for a in listed] == [uploaded.attachment_id]
    by_id = xero.accounting.get_invoice_attachment_by_id(
        xero.tenant_id, created.invoice_id, uploaded.attachment_id, "application/pdf", _preload_content=False
    )
    assert by_id.data == content
    by_name = xero.accounting.get_invoice_attachment_by_file_name(
        xero.tenant_id, created.invoice_id, "timesheet.pdf", "application/pdf", _preload_content=False
    )
    assert by_name.data == content
    assert xero.accounting.get_invoice(xero.tenant_id, created.invoice_id).invoices[0].has_attachments is True

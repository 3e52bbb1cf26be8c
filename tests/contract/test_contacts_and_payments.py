from decimal import Decimal

import pytest
from xero_python.accounting import Account, Contact, Contacts, Invoice, Payment, PaymentDelete
from xero_python.exceptions import AccountingBadRequestException

from .builders import TODAY, batch, invoice, line, messages_of, payment


def approved_invoice(xero, amount: str = "100.00", status: str = "AUTHORISED"):
    contact_id = xero.accounting.get_contacts(xero.tenant_id).contacts[0].contact_id
    return xero.accounting.create_invoices(
        xero.tenant_id, batch(invoice(contact_id, line(amount), status=status))
    ).invoices[0]


def test_duplicate_contact_name_is_refused_with_xeros_message(xero):
    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.create_contacts(
            xero.tenant_id, Contacts(contacts=[Contact(name="Jones Family Trust")])
        )
    assert caught.value.reason == (
        "The contact name Jones Family Trust is already assigned to another contact. "
        "The contact name must be unique across all active contacts."
    )


def test_contacts_are_created_found_by_number_and_archived_ones_hidden_by_default(xero):
    created = xero.accounting.create_contacts(
        xero.tenant_id,
        Contacts(
            contacts=[
                Contact(name="Wattle Homes", contact_number="CUST-77", email_address="hi@wattle.example")
            ]
        ),
        summarize_errors=False,
    ).contacts[0]
    assert created.has_validation_errors is False
    found = xero.accounting.get_contact_by_contact_number(xero.tenant_id, "CUST-77").contacts[0]
    assert found.contact_id == created.contact_id
    visible = {c.name for c in xero.accounting.get_contacts(xero.tenant_id).contacts}
    everyone = {c.name for c in xero.accounting.get_contacts(xero.tenant_id, include_archived=True).contacts}
    assert "Old Mate Renovations" not in visible and "Old Mate Renovations" in everyone
    named = xero.accounting.get_contacts(xero.tenant_id, where='Name=="wattle homes"').contacts
    assert [c.contact_id for c in named] == [created.contact_id]


def test_payment_exceeding_the_amount_outstanding_is_refused_with_xeros_message(xero):
    approved = approved_invoice(xero)
    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.create_payments(xero.tenant_id, payment(approved.invoice_id, "110.01"))
    assert caught.value.reason == "Payment amount exceeds the amount outstanding on this document"


def test_payment_on_a_draft_invoice_is_refused_with_xeros_message(xero):
    draft = approved_invoice(xero, status="DRAFT")
    result = xero.accounting.create_payments(
        xero.tenant_id, payment(draft.invoice_id, "10.00"), summarize_errors=False
    )
    assert messages_of(result.payments[0]) == ["Payments can only be made against Authorised documents"]


def test_paying_in_full_marks_the_invoice_paid_and_deleting_the_payment_reopens_it(xero):
    approved = approved_invoice(xero)
    first = xero.accounting.create_payments(xero.tenant_id, payment(approved.invoice_id, "60.00")).payments[0]
    assert first.invoice.amount_due == Decimal("50.00") and first.status == "AUTHORISED"
    second = xero.accounting.create_payment(
        xero.tenant_id,
        Payment(
            invoice=Invoice(invoice_id=approved.invoice_id),
            account=Account(code="615"),
            date=TODAY,
            amount=Decimal("50.00"),
        ),
    ).payments[0]
    assert second.invoice.status == "PAID"
    paid = xero.accounting.get_invoice(xero.tenant_id, approved.invoice_id).invoices[0]
    assert (paid.status, paid.amount_paid, len(paid.payments)) == ("PAID", Decimal("110.00"), 2)
    assert paid.fully_paid_on_date == TODAY
    xero.accounting.delete_payment(xero.tenant_id, second.payment_id, PaymentDelete(status="DELETED"))
    reopened = xero.accounting.get_invoice(xero.tenant_id, approved.invoice_id).invoices[0]
    assert (reopened.status, reopened.amount_due) == ("AUTHORISED", Decimal("50.00"))
    listed = xero.accounting.get_payments(xero.tenant_id, where='Status=="AUTHORISED"').payments
    assert [p.payment_id for p in listed] == [first.payment_id]


def test_paid_invoices_cannot_be_modified(xero):
    approved = approved_invoice(xero)
    xero.accounting.create_payments(xero.tenant_id, payment(approved.invoice_id, "110.00"))
    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.update_invoice(
            xero.tenant_id, approved.invoice_id, batch(invoice(None, status="VOIDED"))
        )
    assert caught.value.reason == "Invoice not of valid status for modification"


def test_payments_need_a_bank_or_payment_enabled_account(xero):
    approved = approved_invoice(xero)
    result = xero.accounting.create_payments(
        xero.tenant_id, payment(approved.invoice_id, "10.00", "200"), summarize_errors=False
    )
    assert messages_of(result.payments[0]) == ["Account type is invalid for making a payment to/from"]

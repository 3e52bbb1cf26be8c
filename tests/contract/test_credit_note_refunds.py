"""A credit note refunded in money: a payment on an ACCRECCREDIT credit note, out of a bank account (Xero's
"Refund" on a credit note; PaymentType ARCREDITPAYMENT). It uses up the note's remaining credit, which is how a
part refund of an invoice already paid in full is recorded, since a credit note can't be allocated to an
invoice with nothing left to pay."""

from __future__ import annotations

from decimal import Decimal

import pytest
from xero_python.accounting import Account, CreditNote, Payment, PaymentDelete, Payments
from xero_python.exceptions import AccountingBadRequestException

from .builders import TODAY, batch, invoice, line, messages_of, payment
from .test_credit_notes_items_settings import allocation, credit_note


def refund(credit_note_id: str, amount: str, account_code: str = "090") -> Payments:
    return Payments(payments=[Payment(credit_note=CreditNote(credit_note_id=credit_note_id),
                                      account=Account(code=account_code), amount=Decimal(amount), date=TODAY,
                                      reference="Card refund re_test")])


def a_credit_note(xero, amount: str = "30.00"):  # type: ignore[no-untyped-def]
    contact_id = xero.accounting.get_contacts(xero.tenant_id).contacts[0].contact_id
    notes = xero.accounting.create_credit_notes(xero.tenant_id, credit_note(contact_id, amount))
    return contact_id, notes.credit_notes[0]


def test_refunding_a_credit_note_in_money_uses_up_its_credit(xero):
    _, note = a_credit_note(xero)  # 30.00 + GST = 33.00

    paid_out = xero.accounting.create_payments(xero.tenant_id, refund(note.credit_note_id, "33.00")).payments[0]

    assert paid_out.payment_type == "ARCREDITPAYMENT" and paid_out.amount == Decimal("33.00")
    assert paid_out.credit_note.credit_note_id == note.credit_note_id and paid_out.invoice is None
    after = xero.accounting.get_credit_note(xero.tenant_id, note.credit_note_id).credit_notes[0]
    assert (after.status, after.remaining_credit) == ("PAID", Decimal("0.00"))
    assert [p.payment_id for p in after.payments] == [paid_out.payment_id]
    listed = xero.accounting.get_payment(xero.tenant_id, paid_out.payment_id).payments[0]
    assert listed.payment_type == "ARCREDITPAYMENT" and listed.account.code == "090"


def test_a_refund_larger_than_the_remaining_credit_is_refused(xero):
    _, note = a_credit_note(xero)

    result = xero.accounting.create_payments(xero.tenant_id, refund(note.credit_note_id, "33.01"),
                                             summarize_errors=False)

    assert messages_of(result.payments[0]) == ["Payment amount exceeds the amount outstanding on this document"]


def test_deleting_the_refund_gives_the_credit_back(xero):
    _, note = a_credit_note(xero)
    paid_out = xero.accounting.create_payments(xero.tenant_id, refund(note.credit_note_id, "13.00")).payments[0]

    xero.accounting.delete_payment(xero.tenant_id, paid_out.payment_id, PaymentDelete(status="DELETED"))

    after = xero.accounting.get_credit_note(xero.tenant_id, note.credit_note_id).credit_notes[0]
    assert (after.status, after.remaining_credit, after.payments) == ("AUTHORISED", Decimal("33.00"), [])


def test_a_credit_note_cannot_be_allocated_to_an_invoice_already_paid_in_full(xero):
    contact_id, note = a_credit_note(xero)
    sale = xero.accounting.create_invoices(xero.tenant_id, batch(invoice(contact_id, line("100.00")))).invoices[0]
    xero.accounting.create_payments(xero.tenant_id, payment(sale.invoice_id, "110.00"))

    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.create_credit_note_allocation(xero.tenant_id, note.credit_note_id,
                                                      allocation(sale.invoice_id, "33.00"))

    assert "AUTHORISED" in caught.value.reason

"""Spend Money (PUT /BankTransactions) and payment deletion, driven by xero-python and checked against Xero's
OpenAPI like every other exchange in this tier."""

from decimal import Decimal

import pytest
from xero_python.accounting import (
    Account,
    BankTransaction,
    BankTransactions,
    Contact,
    LineAmountTypes,
    LineItem,
    PaymentDelete,
)
from xero_python.exceptions import AccountingBadRequestException

from .builders import messages_of, payment
from .test_contacts_and_payments import approved_invoice


def fee(bank_code: str = "090", expense_code: str = "429", amount: str = "2.05") -> BankTransactions:
    return BankTransactions(bank_transactions=[BankTransaction(
        type="SPEND", contact=Contact(name="Stripe"), bank_account=Account(code=bank_code),
        line_amount_types=LineAmountTypes.INCLUSIVE, reference="Stripe fee ch_123",
        line_items=[LineItem(description="Stripe fee", quantity=Decimal(1), unit_amount=Decimal(amount),
                             account_code=expense_code)])])


def test_spend_money_from_a_bank_account_is_created_with_its_gst_inside_the_total(xero):
    created = xero.accounting.create_bank_transactions(xero.tenant_id, fee(expense_code="429"),
                                                       summarize_errors=False).bank_transactions[0]

    assert created.status_attribute_string == "OK" and created.type == "SPEND"
    assert created.total == Decimal("2.05") and created.total_tax == Decimal("0.19")
    assert created.bank_account.code == "090"
    assert created.contact.name == "Stripe"
    listed = xero.accounting.get_bank_transactions(xero.tenant_id).bank_transactions
    assert [t.bank_transaction_id for t in listed] == [created.bank_transaction_id]


def test_spend_money_from_an_account_that_is_not_a_bank_account_is_refused(xero):
    result = xero.accounting.create_bank_transactions(xero.tenant_id, fee(bank_code="615"),
                                                      summarize_errors=False).bank_transactions[0]

    assert messages_of(result) == ["The BankAccount specified is not a bank account."]


def test_spend_money_with_an_unknown_expense_account_is_refused_in_a_400_by_default(xero):
    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.create_bank_transactions(xero.tenant_id, fee(expense_code="999"))
    assert "999" in caught.value.reason


def test_a_deleted_payment_reopens_its_invoice(xero):
    approved = approved_invoice(xero)
    made = xero.accounting.create_payments(xero.tenant_id, payment(approved.invoice_id, "110.00")).payments[0]

    deleted = xero.accounting.delete_payment(xero.tenant_id, made.payment_id, PaymentDelete(status="DELETED"))

    assert deleted.payments[0].status == "DELETED"
    again = xero.accounting.get_invoice(xero.tenant_id, approved.invoice_id).invoices[0]
    assert again.status == "AUTHORISED" and again.amount_due == 110.0


def test_a_reconciled_payment_cannot_be_deleted(xero, admin):
    approved = approved_invoice(xero)
    made = xero.accounting.create_payments(xero.tenant_id, payment(approved.invoice_id, "10.00")).payments[0]
    admin.post(f"organisations/{xero.tenant_id}/payments/{made.payment_id}/reconcile")

    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.delete_payment(xero.tenant_id, made.payment_id, PaymentDelete(status="DELETED"))

    assert "reconciled" in caught.value.reason

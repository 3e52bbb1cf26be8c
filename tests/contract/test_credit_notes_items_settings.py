"""Credit notes and their allocation to an invoice, items, and creating accounts and tax rates."""

from __future__ import annotations

from decimal import Decimal

import pytest
from xero_python.accounting import (
    Account,
    AccountType,
    Allocation,
    Allocations,
    Contact,
    CreditNote,
    CreditNotes,
    Invoice,
    Item,
    Items,
    LineAmountTypes,
    Purchase,
    TaxComponent,
    TaxRate,
    TaxRates,
)
from xero_python.exceptions import AccountingBadRequestException

from .builders import TODAY, batch, invoice, line, messages_of


def credit_note(contact_id: str, amount: str, status: str = "AUTHORISED") -> CreditNotes:
    return CreditNotes(
        credit_notes=[
            CreditNote(
                type="ACCRECCREDIT",
                contact=Contact(contact_id=contact_id),
                date=TODAY,
                line_items=[line(amount)],
                line_amount_types=LineAmountTypes.EXCLUSIVE,
                status=status,
            )
        ]
    )


def allocation(invoice_id: str, amount: str) -> Allocations:
    return Allocations(allocations=[Allocation(invoice=Invoice(invoice_id=invoice_id), amount=Decimal(amount),
                                               date=TODAY)])


def test_a_credit_note_allocated_to_an_invoice_credits_it_until_paid(xero):
    contact_id = xero.accounting.get_contacts(xero.tenant_id).contacts[0].contact_id
    sale = xero.accounting.create_invoices(xero.tenant_id, batch(invoice(contact_id, line("100.00")))).invoices[0]
    note = xero.accounting.create_credit_notes(xero.tenant_id, credit_note(contact_id, "150.00")).credit_notes[0]
    assert note.type == "ACCRECCREDIT" and note.credit_note_number.startswith("CN-")
    assert note.total == Decimal("165.00") and note.remaining_credit == Decimal("165.00")
    allocated = xero.accounting.create_credit_note_allocation(
        xero.tenant_id, note.credit_note_id, allocation(sale.invoice_id, "60.00")
    ).allocations[0]
    assert allocated.amount == Decimal("60.00") and allocated.invoice.invoice_id == sale.invoice_id
    credited = xero.accounting.get_invoice(xero.tenant_id, sale.invoice_id).invoices[0]
    assert credited.amount_credited == Decimal("60.00") and credited.amount_due == Decimal("50.00")
    xero.accounting.create_credit_note_allocation(
        xero.tenant_id, note.credit_note_id, allocation(sale.invoice_id, "50.00")
    )
    paid = xero.accounting.get_invoice(xero.tenant_id, sale.invoice_id).invoices[0]
    assert paid.status == "PAID" and paid.amount_due == Decimal("0.00")
    after = xero.accounting.get_credit_note(xero.tenant_id, note.credit_note_id).credit_notes[0]
    assert after.remaining_credit == Decimal("55.00") and len(after.allocations) == 2


def test_allocating_more_than_is_due_or_from_a_draft_credit_note_is_refused(xero):
    contact_id = xero.accounting.get_contacts(xero.tenant_id).contacts[0].contact_id
    sale = xero.accounting.create_invoices(xero.tenant_id, batch(invoice(contact_id, line("10.00")))).invoices[0]
    note = xero.accounting.create_credit_notes(xero.tenant_id, credit_note(contact_id, "100.00")).credit_notes[0]
    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.create_credit_note_allocation(
            xero.tenant_id, note.credit_note_id, allocation(sale.invoice_id, "50.00")
        )
    assert "outstanding" in caught.value.reason
    draft = xero.accounting.create_credit_notes(
        xero.tenant_id, credit_note(contact_id, "5.00", status="DRAFT")
    ).credit_notes[0]
    answer = xero.accounting.create_credit_note_allocation(
        xero.tenant_id, draft.credit_note_id, allocation(sale.invoice_id, "1.00"), summarize_errors=False
    ).allocations[0]
    assert messages_of(answer) == ["Credit Note must be AUTHORISED before it can be allocated."]


def test_items_are_created_with_unique_codes_and_updated_by_code(xero):
    item = Item(code="LAB-HR", name="Labour per hour", sales_details=Purchase(unit_price=Decimal("95.00"),
                                                                                account_code="200"))
    created = xero.accounting.create_items(xero.tenant_id, Items(items=[item])).items[0]
    assert created.code == "LAB-HR" and created.sales_details.unit_price == Decimal("95.00")
    duplicate = xero.accounting.create_items(
        xero.tenant_id, Items(items=[Item(code="lab-hr", name="Again")]), summarize_errors=False
    ).items[0]
    assert messages_of(duplicate) == ["Item code 'lab-hr' already exists"]
    xero.accounting.update_or_create_items(
        xero.tenant_id, Items(items=[Item(code="LAB-HR", name="Labour (hourly)")])
    )
    found = xero.accounting.get_items(xero.tenant_id).items
    assert [(i.item_id, i.name) for i in found] == [(created.item_id, "Labour (hourly)")]


def test_an_account_is_created_and_a_second_one_with_its_code_refused(xero):
    created = xero.accounting.create_account(
        xero.tenant_id, Account(code="201", name="Call-out Fees", type=AccountType.REVENUE)
    ).accounts[0]
    assert created.code == "201" and created.type == AccountType.REVENUE and created.tax_type == "OUTPUT"
    assert created.account_id in {a.account_id for a in xero.accounting.get_accounts(xero.tenant_id).accounts}
    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.create_account(xero.tenant_id, Account(code="201", name="Other", type=AccountType.SALES))
    assert caught.value.reason == "Please enter a unique Code."


def test_a_tax_rate_is_created_then_updated_by_name(xero):
    rate = TaxRate(name="Levy 5%", report_tax_type="OUTPUT",
                   tax_components=[TaxComponent(name="Levy", rate=Decimal("5"))])
    created = xero.accounting.create_tax_rates(xero.tenant_id, TaxRates(tax_rates=[rate])).tax_rates[0]
    assert created.tax_type.startswith("TAX") and created.effective_rate == Decimal("5.0")
    rate.tax_components = [TaxComponent(name="Levy", rate=Decimal("7.5"))]
    updated = xero.accounting.update_tax_rate(xero.tenant_id, TaxRates(tax_rates=[rate])).tax_rates[0]
    assert updated.tax_type == created.tax_type and updated.display_tax_rate == Decimal("7.5")
    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.create_tax_rates(xero.tenant_id, TaxRates(tax_rates=[rate]))  # PUT only creates
    assert caught.value.reason == "A tax rate with the name 'Levy 5%' already exists."

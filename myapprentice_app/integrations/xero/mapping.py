"""What the app sends Xero: invoices, contacts and payments as xero-python models; Stripe's fee and a card
refund's credit note in wire form. (Xero's answers are read in results.py.)"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xero_python.accounting import (
    Account,
    Contact,
    CreditNote,
    CurrencyCode,
    Invoice,
    LineAmountTypes,
    LineItem,
    Payment,
)
from xero_python.api_client.serializer import serialize


@dataclass(frozen=True)
class LineOut:
    description: str
    quantity: Decimal
    unit_amount: Decimal
    account_code: str
    tax_type: str | None


@dataclass(frozen=True)
class InvoiceOut:
    number: str
    reference: str | None
    issue_date: dt.date
    due_date: dt.date
    line_amount_types: str  # Exclusive | Inclusive | NoTax
    currency: str
    status: str  # DRAFT | AUTHORISED, or VOIDED | DELETED to take back one Xero has
    contact_id: str
    xero_invoice_id: str | None = None
    lines: list[LineOut] = field(default_factory=list)


def invoice_model(invoice: InvoiceOut) -> Invoice:
    if invoice.status in ("VOIDED", "DELETED"):  # Xero's way to void or delete: the id and the status, nothing else
        return Invoice(invoice_id=invoice.xero_invoice_id, invoice_number=invoice.number,
                       contact=Contact(contact_id=invoice.contact_id), status=invoice.status)
    model = Invoice(
        type="ACCREC",
        contact=Contact(contact_id=invoice.contact_id),
        line_items=[
            LineItem(description=line.description, quantity=line.quantity, unit_amount=line.unit_amount,
                     account_code=line.account_code, tax_type=line.tax_type)
            for line in invoice.lines
        ],
        date=invoice.issue_date,
        due_date=invoice.due_date,
        line_amount_types=LineAmountTypes(invoice.line_amount_types),
        invoice_number=invoice.number,
        reference=invoice.reference,
        currency_code=CurrencyCode(invoice.currency),
        status=invoice.status,
    )
    if invoice.xero_invoice_id:
        model.invoice_id = invoice.xero_invoice_id
    return model


def contact_model(name: str, email: str | None) -> Contact:
    return Contact(name=name, email_address=email or None)


def payment_model(xero_invoice_id: str, account_code: str, paid_on: dt.date, amount: Decimal,
                  reference: str) -> Payment:
    return Payment(invoice=Invoice(invoice_id=xero_invoice_id), account=Account(code=account_code),
                   date=paid_on, amount=amount, reference=reference)


def credit_refund_model(credit_note_id: str, account_code: str, paid_on: dt.date, amount: Decimal,
                        reference: str) -> Payment:
    """Money paid back out of `account_code` against a credit note (Xero's refund of a credit note)."""
    return Payment(credit_note=CreditNote(credit_note_id=credit_note_id), account=Account(code=account_code),
                   date=paid_on, amount=amount, reference=reference)


def spend_money(bank_code: str, paid_on: dt.date, reference: str, description: str, amount: Decimal,
                account_code: str) -> dict[str, Any]:
    """A Spend Money bank transaction (amount GST inclusive) to "Stripe", in wire form."""
    return {"Type": "SPEND", "Contact": {"Name": "Stripe"}, "BankAccount": {"Code": bank_code},
            "Date": paid_on.isoformat(), "Reference": reference, "LineAmountTypes": "Inclusive",
            "LineItems": [{"Description": description, "Quantity": 1, "UnitAmount": float(amount),
                           "AccountCode": account_code}]}


def sales_credit_note(contact_id: str, on: dt.date, no_tax: bool, currency: str, description: str,
                      amount: Decimal, account_code: str, tax_type: str | None) -> dict[str, Any]:
    """An authorised ACCRECCREDIT credit note of one line (amount GST inclusive unless `no_tax`), in wire form;
    its reference is its description."""
    line: dict[str, Any] = {"Description": description, "Quantity": 1, "UnitAmount": float(amount),
                            "AccountCode": account_code, **({"TaxType": tax_type} if tax_type else {})}
    return {"Type": "ACCRECCREDIT", "Contact": {"ContactID": contact_id}, "Date": on.isoformat(),
            "Status": "AUTHORISED", "LineAmountTypes": "NoTax" if no_tax else "Inclusive",
            "CurrencyCode": currency, "Reference": description[:255], "LineItems": [line]}


def wire(model: Any) -> dict[str, Any]:
    """The model as the SDK puts it on the wire (its own serialiser): sent as is, and kept for the history."""
    body: dict[str, Any] = serialize(model)
    return body


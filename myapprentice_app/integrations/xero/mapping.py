"""What the app sends Xero: invoices, contacts and payments as xero-python models; Stripe's fee and a card
refund's credit note in wire form. (Xero's answers are read in results.py.)"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xero_python.accounting import (
    Account,
    Contact,
    CreditNote,
    Invoice,
    Payment,
)


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
    sent_to_contact: bool = False  # emailed to the client: Xero marks it sent (an AUTHORISED one only)


def invoice_wire(invoice: InvoiceOut) -> dict[str, Any]:
    """The invoice as the SDK puts it on the wire (its `Invoice` model, serialised), built directly: the SDK's
    models and serialiser cost a tenth of a millisecond an invoice, most of a Send all's own CPU.
    tests/unit/test_invoice_wire.py keeps the two the same."""
    contact = {"ContactID": invoice.contact_id, "HasAttachments": False, "HasValidationErrors": False}
    if invoice.status in ("VOIDED", "DELETED"):  # Xero's way to void or delete: the id and the status, nothing else
        return {"InvoiceID": invoice.xero_invoice_id, "InvoiceNumber": invoice.number, "Contact": contact,
                "Status": invoice.status, "HasAttachments": False, "HasErrors": False}
    body: dict[str, Any] = {
        "Type": "ACCREC", "Contact": contact, "LineItems": [_line_wire(line) for line in invoice.lines],
        "Date": _ms_date(invoice.issue_date), "DueDate": _ms_date(invoice.due_date),
        "LineAmountTypes": invoice.line_amount_types, "InvoiceNumber": invoice.number,
        "CurrencyCode": invoice.currency, "Status": invoice.status, "HasAttachments": False, "HasErrors": False}
    if invoice.reference is not None:
        body["Reference"] = invoice.reference
    if invoice.sent_to_contact:
        body["SentToContact"] = True
    if invoice.xero_invoice_id:
        body["InvoiceID"] = invoice.xero_invoice_id
    return body


def _line_wire(line: LineOut) -> dict[str, Any]:
    body: dict[str, Any] = {"Description": line.description, "Quantity": float(line.quantity),
                            "UnitAmount": float(line.unit_amount), "AccountCode": line.account_code}
    if line.tax_type is not None:
        body["TaxType"] = line.tax_type
    return body


def _ms_date(day: dt.date) -> str:
    """Xero's MS-JSON date, midnight UTC, as the SDK writes it."""
    return f"/Date({calendar.timegm(day.timetuple()) * 1000})/"


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


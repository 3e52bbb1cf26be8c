"""SDK model builders for the invoices and payments the app sends."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from xero_python.accounting import (
    Account,
    Contact,
    Invoice,
    Invoices,
    LineAmountTypes,
    LineItem,
    Payment,
    Payments,
)

TODAY = dt.date(2026, 3, 11)
DUE = dt.date(2026, 3, 25)


def line(
    amount: str = "100.00",
    quantity: str = "1",
    account_code: str = "200",
    tax_type: str | None = "OUTPUT",
    description: str = "Labour",
) -> LineItem:
    return LineItem(
        description=description,
        quantity=Decimal(quantity),
        unit_amount=Decimal(amount),
        account_code=account_code,
        tax_type=tax_type,
    )


def invoice(
    contact_id: str | None,
    *lines: LineItem,
    number: str | None = None,
    status: str = "AUTHORISED",
    amounts: str = "Exclusive",
    contact: Contact | None = None,
) -> Invoice:
    return Invoice(
        type="ACCREC",
        contact=contact if contact is not None else (Contact(contact_id=contact_id) if contact_id else None),
        line_items=list(lines) or [line()],
        date=TODAY,
        due_date=DUE,
        line_amount_types=LineAmountTypes(amounts),
        invoice_number=number,
        reference="Job 42",
        status=status,
    )


def batch(*invoices: Invoice) -> Invoices:
    return Invoices(invoices=list(invoices))


def payment(invoice_id: str, amount: str, account_code: str = "090") -> Payments:
    return Payments(
        payments=[
            Payment(
                invoice=Invoice(invoice_id=invoice_id),
                account=Account(code=account_code),
                date=TODAY,
                amount=Decimal(amount),
                reference="Stripe ch_1",
            )
        ]
    )


def messages_of(element) -> list[str]:
    return [error.message for error in (element.validation_errors or [])]

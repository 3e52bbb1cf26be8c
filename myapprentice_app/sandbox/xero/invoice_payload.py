"""Reading an invoice element of a request, field by field, with Xero's messages for a field it can't read."""

from __future__ import annotations

from typing import Any

from . import contacts, payload

TYPES = (
    "ACCPAY",
    "ACCPAYCREDIT",
    "APOVERPAYMENT",
    "APPREPAYMENT",
    "ACCREC",
    "ACCRECCREDIT",
    "AROVERPAYMENT",
    "ARPREPAYMENT",
)
STATUSES = ("DRAFT", "SUBMITTED", "DELETED", "AUTHORISED", "PAID", "VOIDED")
LINE_AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")
LINE_NUMBERS = ("Quantity", "UnitAmount", "LineAmount", "TaxAmount", "DiscountRate")
LINE_TEXTS = ("Description", "AccountCode", "TaxType", "ItemCode")


def read(raw: dict[str, Any], path: str) -> dict[str, Any]:
    contact_raw = payload.obj(raw, "Contact", path)
    lines_raw = payload.array(raw, "LineItems", path)
    draft: dict[str, Any] = {
        "InvoiceID": payload.guid(raw, "InvoiceID", path),
        "Type": payload.choice(raw, "Type", path, TYPES, "InvoiceType"),
        "Contact": contacts.read(contact_raw, f"{path}.Contact") if contact_raw is not None else None,
        "LineItems": (
            [read_line(line, f"{path}.LineItems[{index}]") for index, line in enumerate(lines_raw)]
            if lines_raw is not None
            else None
        ),
        "Date": payload.date(raw, "Date", path),
        "DueDate": payload.date(raw, "DueDate", path),
        "LineAmountTypes": payload.choice(raw, "LineAmountTypes", path, LINE_AMOUNT_TYPES, "LineAmountType"),
        "InvoiceNumber": payload.text(raw, "InvoiceNumber", path),
        "Reference": payload.text(raw, "Reference", path),
        "Status": payload.choice(raw, "Status", path, STATUSES, "InvoiceStatus"),
        "CurrencyCode": payload.text(raw, "CurrencyCode", path),
        "SentToContact": payload.boolean(raw, "SentToContact", path),
    }
    return draft


def read_line(raw: dict[str, Any], path: str) -> dict[str, Any]:
    line: dict[str, Any] = {"LineItemID": payload.guid(raw, "LineItemID", path)}
    for key in LINE_NUMBERS:
        line[key] = payload.number(raw, key, path)
    for key in LINE_TEXTS:
        line[key] = payload.text(raw, key, path)
    return {key: value for key, value in line.items() if value is not None}

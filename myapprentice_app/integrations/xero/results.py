"""Xero's answers read in one place: the elements of a `summarizeErrors=false` write (or of a read) as typed
results, so the sync engine never touches Xero's JSON keys."""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

EMPTY_ID = "00000000-0000-0000-0000-000000000000"
_BRIEF_KEYS = ("InvoiceID", "InvoiceNumber", "Status", "Total", "AmountDue", "StatusAttributeString",
               "ValidationErrors", "Warnings", "PaymentID", "Amount", "ContactID", "Name")


@dataclass(frozen=True)
class Outcome:
    """What every element says: accepted or not, Xero's id for it, its messages, and a short copy for history."""

    ok: bool
    xero_id: str | None
    messages: list[str]
    brief: str


@dataclass(frozen=True)
class InvoiceResult(Outcome):
    number: str
    contact_id: str | None
    total: Decimal
    status: str
    sales: bool  # ACCREC


@dataclass(frozen=True)
class ContactResult(Outcome):
    name: str
    email: str | None
    status: str


@dataclass(frozen=True)
class PaymentResult(Outcome):
    reference: str | None
    deleted: bool


def outcome(element: dict[str, Any], id_key: str) -> Outcome:
    messages = [str(error.get("Message", "")) for error in element.get("ValidationErrors") or []]
    failed = bool(element.get("HasErrors") or element.get("HasValidationErrors") or messages
                  or element.get("StatusAttributeString") == "ERROR")
    xero_id = element.get(id_key)
    if xero_id == EMPTY_ID:
        xero_id = None
    brief = json.dumps({key: value for key, value in element.items() if key in _BRIEF_KEYS}, default=str)
    return Outcome(ok=not failed and bool(xero_id), xero_id=xero_id, messages=messages, brief=brief)


def invoice(element: dict[str, Any]) -> InvoiceResult:
    return InvoiceResult(**vars(outcome(element, "InvoiceID")),
                         number=(element.get("InvoiceNumber") or "").strip(),
                         contact_id=(element.get("Contact") or {}).get("ContactID"),
                         total=Decimal(str(element.get("Total") or 0)), status=element.get("Status") or "",
                         sales=element.get("Type", "ACCREC") == "ACCREC")


def contact(element: dict[str, Any]) -> ContactResult:
    return ContactResult(**vars(outcome(element, "ContactID")), name=element.get("Name") or "",
                         email=element.get("EmailAddress") or None, status=element.get("ContactStatus") or "ACTIVE")


def payment(element: dict[str, Any]) -> PaymentResult:
    return PaymentResult(**vars(outcome(element, "PaymentID")), reference=element.get("Reference"),
                         deleted=element.get("Status") == "DELETED")

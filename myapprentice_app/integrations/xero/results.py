"""Xero's answers read in one place: the elements of a `summarizeErrors=false` write (or of a read) as typed
results, so the sync engine never touches Xero's JSON keys (nor its `/Date(…)/` dates)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

EMPTY_ID = "00000000-0000-0000-0000-000000000000"
Element = TypeVar("Element")
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
    authorised: bool
    invoice_id: str | None  # Xero's InvoiceID of the invoice paid
    amount: Decimal
    paid_on: dt.date | None


@dataclass(frozen=True)
class TransactionResult(Outcome):
    """A bank transaction (spend or receive money) or a credit note Xero created, found by its reference."""

    reference: str | None
    deleted: bool  # deleted or voided in Xero


@dataclass(frozen=True)
class Account:
    account_id: str
    code: str
    name: str
    type: str
    account_class: str
    status: str
    tax_type: str | None
    enable_payments: bool


@dataclass(frozen=True)
class TaxRate:
    tax_type: str
    name: str
    rate: Decimal  # percent, to 4 places
    status: str
    for_revenue: bool


@dataclass(frozen=True)
class Tenant:
    """An organisation (or practice) the token may reach: GET /connections."""

    tenant_id: str
    name: str
    connection_id: str | None
    organisation: bool


def first_by(elements: Iterable[Element], key: Callable[[Element], str]) -> dict[str, Element]:
    """A write's answer indexed by what identifies each element (a number, a name, a reference), so each thing
    sent is matched to its own answer, not to the one in its place; an element given twice counts once."""
    indexed: dict[str, Element] = {}
    for element in elements:
        indexed.setdefault(key(element), element)
    return indexed


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
    return PaymentResult(**vars(outcome(element, "PaymentID")), reference=element.get("Reference") or None,
                         deleted=element.get("Status") == "DELETED", authorised=element.get("Status") == "AUTHORISED",
                         invoice_id=(element.get("Invoice") or {}).get("InvoiceID"),
                         amount=Decimal(str(element.get("Amount") or 0)), paid_on=ms_date(element.get("Date")))


def transaction(element: dict[str, Any], id_key: str) -> TransactionResult:
    return TransactionResult(**vars(outcome(element, id_key)), reference=element.get("Reference") or None,
                             deleted=element.get("Status") in ("DELETED", "VOIDED"))


def account(element: dict[str, Any]) -> Account:
    return Account(account_id=element["AccountID"], code=element.get("Code") or "", name=element.get("Name") or "",
                   type=element.get("Type") or "", account_class=element.get("Class") or "",
                   status=element.get("Status") or "ACTIVE", tax_type=element.get("TaxType"),
                   enable_payments=bool(element.get("EnablePaymentsToAccount")))


def tax_rate(element: dict[str, Any]) -> TaxRate:
    rate = Decimal(str(element.get("EffectiveRate") or element.get("DisplayTaxRate") or 0))
    return TaxRate(tax_type=element["TaxType"], name=element.get("Name") or element["TaxType"],
                   rate=rate.quantize(Decimal("0.0001")), status=element.get("Status") or "ACTIVE",
                   for_revenue=element.get("CanApplyToRevenue", True) is not False)


def tenant(element: dict[str, Any]) -> Tenant:
    return Tenant(tenant_id=element["tenantId"], name=element.get("tenantName") or "",
                  connection_id=element.get("id") or None,
                  organisation=element.get("tenantType", "ORGANISATION") == "ORGANISATION")


def ms_date(value: Any) -> dt.date | None:
    """Xero's `/Date(1700000000000+0000)/` as a date (UTC); None for anything else."""
    text = str(value or "")
    if not text.startswith("/Date("):
        return None
    millis = int(text[6:].split(")")[0].split("+")[0].split("-")[0])
    return dt.datetime.fromtimestamp(millis / 1000, dt.UTC).date()

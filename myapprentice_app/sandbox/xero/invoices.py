"""Invoice rules: validation with Xero's messages, status transitions, totals, numbering (reading a request's
element is `invoice_payload`)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import contacts, dates, messages, money, serialize
from .seed import new_id

SUPPORTED_TYPES = ("ACCREC", "ACCPAY")
CREATABLE_STATUSES = ("DRAFT", "SUBMITTED", "AUTHORISED")
ALLOWED_TRANSITIONS = {
    "DRAFT": ("DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"),
    "SUBMITTED": ("DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"),
    "AUTHORISED": ("AUTHORISED", "VOIDED"),
}


@dataclass
class InvoiceOutcome:
    record: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    created: bool = True
    contact: dict[str, Any] | None = None
    new_contact: dict[str, Any] | None = None

    def add(self, message: str) -> None:
        if message not in self.errors:
            self.errors.append(message)


# -- applying --------------------------------------------------------------------------------------


def apply(
    org: dict[str, Any],
    draft: dict[str, Any],
    existing: dict[str, Any] | None,
    numbers: dict[str, str],
    unitdp: int,
    now_ms: int,
) -> InvoiceOutcome:
    """Validate a create (existing=None) or an update; nothing is stored until commit()."""
    record = copy.deepcopy(existing) if existing else new_record(org)
    record["updated_ms"] = now_ms  # a refused element is answered with its (would-be) record too
    outcome = InvoiceOutcome(record=record, created=existing is None)
    if not check_status(outcome, draft, existing):
        outcome.contact = org["contacts"].get(record.get("ContactID") or "")
        return outcome
    for key in ("Date", "DueDate", "LineAmountTypes", "Reference", "SentToContact"):
        if draft.get(key) is not None:
            record[key] = draft[key]
    record.setdefault("Date", dates.today(now_ms))
    check_type(outcome, draft, existing)
    check_contact(outcome, org, draft, now_ms)
    check_currency(outcome, org, draft)
    check_lines(outcome, org, draft, unitdp)
    check_number(outcome, draft, numbers)
    if record["Status"] == "AUTHORISED" and not record.get("DueDate"):
        outcome.add(messages.DUE_DATE_REQUIRED)
    return outcome


def new_record(org: dict[str, Any]) -> dict[str, Any]:
    return {
        "InvoiceID": new_id(),
        "Status": "DRAFT",
        "LineAmountTypes": "Exclusive",
        "CurrencyCode": org["BaseCurrency"],
        "LineItems": [],
        "SubTotal": "0.00",
        "TotalTax": "0.00",
        "Total": "0.00",
        "AmountPaid": "0.00",
        "AmountCredited": "0.00",
        "FullyPaidOnDate": None,
        "PaymentIDs": [],
        "SentToContact": False,
    }


def check_status(outcome: InvoiceOutcome, draft: dict[str, Any], existing: dict[str, Any] | None) -> bool:
    """False when the status rules forbid the change outright (no further checks are meaningful)."""
    wanted = draft.get("Status")
    if existing is None:
        status = wanted or "DRAFT"
        if status not in CREATABLE_STATUSES:
            outcome.add(messages.INVALID_STATUS_FOR_MODIFICATION)
            return False
        outcome.record["Status"] = status
        return True
    current = existing["Status"]
    status = wanted or current
    if status not in ALLOWED_TRANSITIONS.get(current, ()):
        outcome.add(messages.INVALID_STATUS_FOR_MODIFICATION)
        return False
    if Decimal(existing["AmountPaid"]) > 0 or Decimal(existing["AmountCredited"]) > 0:
        outcome.add(messages.VOID_WITH_PAYMENTS if status == "VOIDED" else messages.DOCUMENT_HAS_PAYMENTS)
        return False
    outcome.record["Status"] = status
    return True


def check_type(outcome: InvoiceOutcome, draft: dict[str, Any], existing: dict[str, Any] | None) -> None:
    invoice_type = existing["Type"] if existing else draft.get("Type")
    if invoice_type not in SUPPORTED_TYPES:
        outcome.add(messages.INVOICE_TYPE_REQUIRED)
        return
    outcome.record["Type"] = invoice_type


def check_contact(outcome: InvoiceOutcome, org: dict[str, Any], draft: dict[str, Any], now_ms: int) -> None:
    wanted = draft.get("Contact")
    if wanted is None:
        outcome.contact = org["contacts"].get(outcome.record.get("ContactID") or "")
        if outcome.contact is None:
            outcome.add(messages.CONTACT_REQUIRED)
        return
    found: dict[str, Any] | None = None
    if wanted.get("ContactID"):
        found = org["contacts"].get(wanted["ContactID"])
        if found is None:
            outcome.add(messages.CONTACT_NOT_FOUND)
            return
    elif wanted.get("ContactNumber"):
        found = contacts.find_by_number(org, wanted["ContactNumber"])
    if found is None and not wanted.get("ContactID"):
        if not (wanted.get("Name") or wanted.get("ContactNumber")):
            outcome.add(messages.CONTACT_NEEDS_IDENTIFIER)
            return
        found = contacts.find_active_by_name(org, wanted["Name"]) if wanted.get("Name") else None
        if found is None:
            created = contacts.apply(org, wanted, None, now_ms)
            for message in created.errors:
                outcome.add(message)
            found = outcome.new_contact = created.record
    if found is not None:
        outcome.contact = found
        outcome.record["ContactID"] = found["ContactID"]


def check_currency(outcome: InvoiceOutcome, org: dict[str, Any], draft: dict[str, Any]) -> None:
    code = draft.get("CurrencyCode")
    if code and code.upper() != org["BaseCurrency"]:
        outcome.add(messages.currency_not_subscribed(code))


def check_lines(outcome: InvoiceOutcome, org: dict[str, Any], draft: dict[str, Any], unitdp: int) -> None:
    record = outcome.record
    if draft.get("LineItems") is not None:
        previous = {line["LineItemID"]: line for line in record["LineItems"]}
        record["LineItems"] = [
            build_line(outcome, org, line, previous.get(line.get("LineItemID", "")), unitdp)
            for line in draft["LineItems"]
        ]
    else:
        record["LineItems"] = [build_line(outcome, org, {}, line, 4) for line in record["LineItems"]]
    if not record["LineItems"]:
        outcome.add(messages.LINE_ITEMS_REQUIRED)
    pairs = [(Decimal(line["LineAmount"]), Decimal(line["TaxAmount"])) for line in record["LineItems"]]
    subtotal, tax, total = money.document_totals(pairs, record["LineAmountTypes"])
    record["SubTotal"], record["TotalTax"], record["Total"] = str(subtotal), str(tax), str(total)


def build_line(
    outcome: InvoiceOutcome,
    org: dict[str, Any],
    wanted: dict[str, Any],
    previous: dict[str, Any] | None,
    unitdp: int,
) -> dict[str, Any]:
    merged: dict[str, Any] = dict(previous or {})
    for key in ("Quantity", "UnitAmount", "DiscountRate"):
        if key in merged:
            merged[key] = Decimal(merged[key])
    merged.pop("LineAmount", None)
    merged.update(wanted)
    quantity = money.round4(merged.get("Quantity", Decimal(1)))
    unit = merged.get("UnitAmount")
    given_total = wanted.get("LineAmount")
    if unit is None:
        unit = given_total / quantity if given_total is not None and quantity else Decimal(0)
    unit = money.unit_amount(unit, unitdp)
    discount = merged.get("DiscountRate")
    amount = money.line_amount(quantity, unit, discount)
    if given_total is not None and "UnitAmount" in wanted and money.round2(given_total) != amount:
        outcome.add(messages.line_total_mismatch(f"{money.round2(given_total)}", f"{amount}"))
    account = check_account(outcome, org, merged.get("AccountCode"))
    tax_type = merged.get("TaxType") or (account["TaxType"] if account else "BASEXCLUDED")
    rate = check_tax(outcome, org, tax_type, account)
    line = {
        "LineItemID": merged.get("LineItemID") or new_id(),
        "Description": merged.get("Description") or "",
        "Quantity": str(quantity),
        "UnitAmount": str(money.round4(unit)),
        "AccountCode": merged.get("AccountCode"),
        "TaxType": tax_type,
        "LineAmount": str(amount),
        "TaxAmount": str(money.line_tax(amount, rate, outcome.record["LineAmountTypes"])),
    }
    if discount:
        line["DiscountRate"] = str(discount)
    return line


def check_account(outcome: InvoiceOutcome, org: dict[str, Any], code: str | None) -> dict[str, Any] | None:
    if not code:
        if outcome.record["Status"] == "AUTHORISED":
            outcome.add(messages.ACCOUNT_CODE_REQUIRED)
        return None
    account = next((acc for acc in org["accounts"].values() if acc["Code"].lower() == code.lower()), None)
    if account is None:
        outcome.add(messages.invalid_account_code(code))
    elif account["Status"] != "ACTIVE":
        outcome.add(messages.archived_account_code(code))
        return None
    return account


def check_tax(
    outcome: InvoiceOutcome, org: dict[str, Any], tax_type: str, account: dict[str, Any] | None
) -> Decimal:
    rate = org["tax_rates"].get(tax_type)
    if rate is None or rate["Status"] != "ACTIVE":
        outcome.add(messages.invalid_tax_type(tax_type))
        return Decimal(0)
    if account is not None and account["Class"] not in rate["applies_to"]:
        outcome.add(messages.tax_type_not_for_account(tax_type, account["Code"]))
    return Decimal(rate["Rate"])


def check_number(outcome: InvoiceOutcome, draft: dict[str, Any], numbers: dict[str, str]) -> None:
    record = outcome.record
    if draft.get("InvoiceNumber") is not None:
        record["InvoiceNumber"] = draft["InvoiceNumber"].strip()
    number = record.get("InvoiceNumber")
    if record.get("Type") != "ACCREC" or not number:
        return
    holder = numbers.get(number.upper())
    if holder is not None and holder != record["InvoiceID"]:
        outcome.add(messages.INVOICE_NUMBER_NOT_UNIQUE)


# -- committing ------------------------------------------------------------------------------------


def commit(org: dict[str, Any], outcome: InvoiceOutcome, numbers: dict[str, str]) -> None:
    record = outcome.record
    if outcome.new_contact is not None:
        contacts.commit(org, outcome.new_contact)
    # The number index holds one entry per invoice: drop the one the stored record had (if any).
    previous = org["invoices"].get(record["InvoiceID"])
    old_number = (previous.get("InvoiceNumber") or "").upper() if previous else ""
    if old_number and numbers.get(old_number) == record["InvoiceID"]:
        del numbers[old_number]
    if record["Type"] == "ACCREC" and not record.get("InvoiceNumber"):
        record["InvoiceNumber"] = next_number(org, numbers)
    if record["Type"] == "ACCREC" and record["Status"] != "DELETED":
        numbers[record["InvoiceNumber"].upper()] = record["InvoiceID"]
    org["invoices"][record["InvoiceID"]] = record
    contacts.mark_role(org, record.get("ContactID"), record["Type"], record["updated_ms"])


def next_number(org: dict[str, Any], numbers: dict[str, str]) -> str:
    while True:
        candidate = f"INV-{org['invoice_seq']:04d}"
        org["invoice_seq"] += 1
        if candidate.upper() not in numbers:
            return candidate


# -- answering -------------------------------------------------------------------------------------


def ok_element(org: dict[str, Any], record: dict[str, Any], unitdp: int) -> dict[str, Any]:
    body = serialize.invoice(org, record, unitdp)
    body["StatusAttributeString"] = "OK"
    return body


def error_element(org: dict[str, Any], outcome: InvoiceOutcome, unitdp: int) -> dict[str, Any]:
    record = outcome.record
    body = serialize.invoice(org, record, unitdp, contact_record=outcome.contact)
    if outcome.created:
        body["InvoiceID"] = serialize.NIL_ID
    if "Type" not in record:
        body.pop("Type")
    body["HasErrors"] = True
    body["StatusAttributeString"] = "ERROR"
    body["ValidationErrors"] = [{"Message": message} for message in outcome.errors]
    return body

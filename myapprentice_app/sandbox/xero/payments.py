"""Payments against invoices (lookup by id or number, Xero's rules and messages, invoice balance updates), and
against credit notes: a payment on an ACCRECCREDIT note is a refund of that credit paid out of the bank account
(PaymentType ARCREDITPAYMENT), which uses up the note's remaining credit like an allocation does."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import dates, messages, money, payload, serialize
from .seed import new_id

PAYABLE_ACCOUNT_TYPES = ("BANK",)


@dataclass
class PaymentOutcome:
    record: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    invoice: dict[str, Any] | None = None
    account: dict[str, Any] | None = None


def read(raw: dict[str, Any], path: str) -> dict[str, Any]:
    invoice_raw = payload.obj(raw, "Invoice", path) or {}
    note_raw = payload.obj(raw, "CreditNote", path) or {}
    account_raw = payload.obj(raw, "Account", path) or {}
    return {
        "CreditNoteID": payload.guid(note_raw, "CreditNoteID", f"{path}.CreditNote"),
        "CreditNoteNumber": payload.text(note_raw, "CreditNoteNumber", f"{path}.CreditNote"),
        "InvoiceID": payload.guid(invoice_raw, "InvoiceID", f"{path}.Invoice"),
        "InvoiceNumber": payload.text(invoice_raw, "InvoiceNumber", f"{path}.Invoice"),
        "AccountID": payload.guid(account_raw, "AccountID", f"{path}.Account"),
        "AccountCode": payload.text(account_raw, "Code", f"{path}.Account"),
        "Date": payload.date(raw, "Date", path),
        "Amount": payload.number(raw, "Amount", path),
        "Reference": payload.text(raw, "Reference", path),
        "IsReconciled": payload.boolean(raw, "IsReconciled", path),
    }


def find_invoice(org: dict[str, Any], draft: dict[str, Any]) -> dict[str, Any] | None:
    if draft["InvoiceID"]:
        return org["invoices"].get(draft["InvoiceID"])
    if draft["InvoiceNumber"]:
        wanted = draft["InvoiceNumber"].upper()
        return next(
            (
                inv
                for inv in org["invoices"].values()
                if (inv.get("InvoiceNumber") or "").upper() == wanted and inv["Status"] != "DELETED"
            ),
            None,
        )
    return None


def find_credit_note(org: dict[str, Any], draft: dict[str, Any]) -> dict[str, Any] | None:
    notes = org.get("credit_notes", {})
    if draft["CreditNoteID"]:
        return notes.get(draft["CreditNoteID"])
    wanted = (draft["CreditNoteNumber"] or "").upper()
    return next((note for note in notes.values() if wanted and (note.get("InvoiceNumber") or "").upper() == wanted),
                None)


def find_account(org: dict[str, Any], draft: dict[str, Any]) -> dict[str, Any] | None:
    if draft["AccountID"]:
        return org["accounts"].get(draft["AccountID"])
    code = (draft["AccountCode"] or "").lower()
    return next((acc for acc in org["accounts"].values() if acc["Code"].lower() == code), None)


def apply(org: dict[str, Any], draft: dict[str, Any], now_ms: int) -> PaymentOutcome:
    record = {
        "PaymentID": new_id(),
        "Date": draft["Date"] or dates.today(now_ms),
        "Amount": str(draft["Amount"] or 0),
        "Reference": draft["Reference"] or "",
        "Status": "AUTHORISED",
        "IsReconciled": bool(draft["IsReconciled"]),
        "updated_ms": now_ms,
    }
    outcome = PaymentOutcome(record=record)
    on_credit_note = bool(draft["CreditNoteID"] or draft["CreditNoteNumber"]) and not (
        draft["InvoiceID"] or draft["InvoiceNumber"])
    invoice = outcome.invoice = find_credit_note(org, draft) if on_credit_note else find_invoice(org, draft)
    account = outcome.account = find_account(org, draft)
    if invoice is None:
        outcome.errors.append(messages.DOCUMENT_NOT_FOUND)
    if not (draft["AccountID"] or draft["AccountCode"]):
        outcome.errors.append(messages.PAYMENT_ACCOUNT_REQUIRED)
    elif account is None:
        outcome.errors.append(messages.invalid_account_code(draft["AccountCode"] or draft["AccountID"]))
    elif account["Type"] not in PAYABLE_ACCOUNT_TYPES and not account.get("EnablePaymentsToAccount"):
        outcome.errors.append(messages.PAYMENT_ACCOUNT_INVALID)
    amount = draft["Amount"]
    if amount is None or amount <= 0:
        outcome.errors.append(messages.PAYMENT_AMOUNT_REQUIRED)
    if invoice is not None:
        if invoice["Status"] != "AUTHORISED":
            outcome.errors.append(messages.PAYMENT_NOT_AUTHORISED)
        elif amount is not None and money.round2(amount) > amount_due(invoice):
            outcome.errors.append(messages.PAYMENT_EXCEEDS_OUTSTANDING)
        record["InvoiceID"] = None if on_credit_note else invoice["InvoiceID"]
        if on_credit_note:
            record["CreditNoteID"] = invoice["InvoiceID"]  # credit notes are kept invoice-shaped (credit_notes.py)
    if account is not None:
        record["AccountID"] = account["AccountID"]
    record["Amount"] = str(money.round2(amount)) if amount is not None else "0.00"
    return outcome


def amount_due(invoice: dict[str, Any]) -> Decimal:
    """What is still owed on an invoice, or still to be refunded or allocated of a credit note."""
    allocated = sum((Decimal(a["Amount"]) for a in invoice.get("Allocations", [])), Decimal(0))
    return (Decimal(invoice["Total"]) - Decimal(invoice["AmountPaid"]) - Decimal(invoice["AmountCredited"])
            - allocated)


def document(org: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    """The invoice or credit note a payment is on."""
    if record.get("CreditNoteID"):
        return org["credit_notes"][record["CreditNoteID"]]
    return org["invoices"][record["InvoiceID"]]


def commit(org: dict[str, Any], outcome: PaymentOutcome, now_ms: int) -> None:
    record = outcome.record
    invoice = document(org, record)
    org["payments"][record["PaymentID"]] = record
    invoice["PaymentIDs"].append(record["PaymentID"])
    invoice["AmountPaid"] = str(Decimal(invoice["AmountPaid"]) + Decimal(record["Amount"]))
    if amount_due(invoice) <= 0:
        invoice["Status"] = "PAID"
        invoice["FullyPaidOnDate"] = record["Date"]
    invoice["updated_ms"] = now_ms


def delete(org: dict[str, Any], record: dict[str, Any], now_ms: int) -> None:
    """Deleting a payment re-opens its invoice (or gives its credit note's credit back)."""
    invoice = document(org, record)
    record["Status"] = "DELETED"
    record["updated_ms"] = now_ms
    invoice["AmountPaid"] = str(Decimal(invoice["AmountPaid"]) - Decimal(record["Amount"]))
    if invoice["Status"] == "PAID" and amount_due(invoice) > 0:
        invoice["Status"] = "AUTHORISED"
        invoice["FullyPaidOnDate"] = None
    invoice["updated_ms"] = now_ms


def ok_element(org: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    body = serialize.payment(org, record)
    body["StatusAttributeString"] = "OK"
    return body


def error_element(org: dict[str, Any], outcome: PaymentOutcome) -> dict[str, Any]:
    record = outcome.record
    body: dict[str, Any] = {
        "Date": dates.ms_date(record["Date"]),
        "Amount": serialize.amount(record["Amount"]),
        "Reference": record["Reference"],
        "CurrencyRate": 1.0,
        "Status": "AUTHORISED",
        "HasAccount": outcome.account is not None,
        "IsReconciled": record["IsReconciled"],
        "HasValidationErrors": True,
        "StatusAttributeString": "ERROR",
        "ValidationErrors": [{"Message": message} for message in outcome.errors],
    }
    if outcome.invoice is not None and record.get("CreditNoteID"):
        body["CreditNote"] = {"CreditNoteID": outcome.invoice["InvoiceID"],
                              "CreditNoteNumber": outcome.invoice.get("InvoiceNumber") or ""}
    elif outcome.invoice is not None:
        body["Invoice"] = serialize.invoice(org, outcome.invoice, with_lines=False)
    if outcome.account is not None:
        body["Account"] = {
            "AccountID": outcome.account["AccountID"],
            "Code": outcome.account["Code"],
            "Name": outcome.account["Name"],
            "HasAttachments": False,
        }
    return body

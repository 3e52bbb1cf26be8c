"""Spend and receive money (`PUT /BankTransactions`, `GET /BankTransactions`): Xero's rules and shapes.

Kept apart from accounting.py so other work on the sandbox can grow beside it. Deleting a payment that is
reconciled is refused here too, with Xero's message (`refuse_reconciled_deletion`).
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from .. import contacts, dates, messages, money, payload, responses, serialize
from ..gateway import Call
from ..seed import new_id
from .listing import batch_answer, body_elements, lowered, select

TYPES = ("SPEND", "RECEIVE")
LINE_AMOUNT_TYPES = ("Exclusive", "Inclusive", "NoTax")
NOT_A_BANK_ACCOUNT = "The BankAccount specified is not a bank account."
RECONCILED = "Payment cannot be deleted as it has been reconciled. Unreconcile the bank transaction first."


def _store(org: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return org.setdefault("bank_transactions", {})


def _account(org: dict[str, Any], raw: dict[str, Any] | None) -> dict[str, Any] | None:
    raw = raw or {}
    if raw.get("AccountID"):
        return org["accounts"].get(str(raw["AccountID"]).lower())
    code = str(raw.get("Code") or raw.get("AccountCode") or "").lower()
    return next((a for a in org["accounts"].values() if code and a["Code"].lower() == code), None)


def _contact(org: dict[str, Any], raw: dict[str, Any] | None, now_ms: int) -> dict[str, Any] | None:
    raw = raw or {}
    if raw.get("ContactID"):
        return org["contacts"].get(str(raw["ContactID"]).lower())
    name = str(raw.get("Name") or "").strip()
    if not name:
        return None
    found = next((c for c in org["contacts"].values() if c["Name"].lower() == name.lower()), None)
    if found is None:  # Xero creates a contact named on a transaction when none matches
        outcome = contacts.apply(org, contacts.read({"Name": name}, "Contact"), None, now_ms)
        if outcome.errors:
            return None
        contacts.commit(org, outcome.record)
        found = outcome.record
    return found


def _lines(org: dict[str, Any], raw: dict[str, Any], kind: str, errors: list[str]) -> list[dict[str, Any]]:
    lines = []
    for index, line in enumerate(payload.array(raw, "LineItems", "BankTransaction") or []):
        path = f"LineItems[{index}]"
        quantity = payload.number(line, "Quantity", path) or Decimal(1)
        unit = payload.number(line, "UnitAmount", path) or Decimal(0)
        code = payload.text(line, "AccountCode", path) or ""
        account = _account(org, {"Code": code})
        if account is None:
            errors.append(messages.invalid_account_code(code))
        tax_type = payload.text(line, "TaxType", path) or (account or {}).get("TaxType") or "BASEXCLUDED"
        rate = org["tax_rates"].get(tax_type)
        if rate is None:
            errors.append(messages.invalid_tax_type(tax_type))
        amount = money.line_amount(quantity, unit, None)
        tax = money.line_tax(amount, Decimal(str(rate["Rate"])) if rate else Decimal(0), kind)
        lines.append({"LineItemID": new_id(), "Description": payload.text(line, "Description", path) or "",
                      "Quantity": str(quantity), "UnitAmount": str(unit), "AccountCode": code, "TaxType": tax_type,
                      "LineAmount": str(amount), "TaxAmount": str(tax)})
    if not lines:
        errors.append("A bank transaction must have at least one line item.")
    return lines


def read_and_apply(call: Call, raw: dict[str, Any]) -> tuple[bool, dict[str, Any]]:
    org, errors = call.org, []
    kind = payload.choice(raw, "Type", "BankTransaction", TYPES, "BankTransactionType")
    line_types = payload.choice(raw, "LineAmountTypes", "BankTransaction", LINE_AMOUNT_TYPES,
                                "LineAmountTypes") or "Exclusive"
    bank = _account(org, payload.obj(raw, "BankAccount", "BankTransaction"))
    if bank is None:
        errors.append("A valid BankAccount must be specified.")
    elif bank["Type"] != "BANK":
        errors.append(NOT_A_BANK_ACCOUNT)
    contact = _contact(org, payload.obj(raw, "Contact", "BankTransaction"), call.now_ms)
    if contact is None:
        errors.append("A Contact must be specified for this type of transaction.")
    lines = _lines(org, raw, line_types, errors)
    subtotal = sum((Decimal(line["LineAmount"]) for line in lines), Decimal(0))
    tax = sum((Decimal(line["TaxAmount"]) for line in lines), Decimal(0))
    if line_types == "Inclusive":
        subtotal -= tax
    record: dict[str, Any] = {"BankTransactionID": new_id(), "Type": kind or "SPEND", "Status": "AUTHORISED",
              "Date": payload.date(raw, "Date", "BankTransaction") or dates.today(call.now_ms),
              "Reference": payload.text(raw, "Reference", "BankTransaction") or "", "LineAmountTypes": line_types,
              "BankAccountID": bank["AccountID"] if bank else None, "ContactID": contact["ContactID"] if contact
              else None, "LineItems": lines, "SubTotal": str(subtotal), "TotalTax": str(tax),
              "Total": str(subtotal + tax), "IsReconciled": bool(payload.boolean(raw, "IsReconciled", "x")),
              "updated_ms": call.now_ms}
    if errors:
        body = element(org, record)
        body.update({"StatusAttributeString": "ERROR", "HasValidationErrors": True,
                     "ValidationErrors": [{"Message": message} for message in errors]})
        body.pop("BankTransactionID", None)
        return False, body
    _store(org)[record["BankTransactionID"]] = record
    call.sandbox.store.changed()
    return True, {**element(org, record), "StatusAttributeString": "OK"}


def element(org: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    bank = org["accounts"].get(record["BankAccountID"] or "")
    contact = org["contacts"].get(record["ContactID"] or "")
    return {
        "BankTransactionID": record["BankTransactionID"], "Type": record["Type"], "Status": record["Status"],
        "Date": dates.ms_date(record["Date"]), "DateString": dates.date_string(record["Date"]),
        "Reference": record["Reference"], "LineAmountTypes": record["LineAmountTypes"],
        "IsReconciled": record["IsReconciled"], "CurrencyCode": "AUD", "CurrencyRate": 1.0,
        "SubTotal": serialize.amount(record["SubTotal"]), "TotalTax": serialize.amount(record["TotalTax"]),
        "Total": serialize.amount(record["Total"]), "HasAttachments": False,
        "UpdatedDateUTC": dates.ms_datetime(record["updated_ms"]),
        "BankAccount": {"AccountID": bank["AccountID"], "Code": bank["Code"], "Name": bank["Name"]} if bank else {},
        "Contact": serialize.contact_summary(contact) if contact else {},
        "LineItems": [{"LineItemID": line["LineItemID"], "Description": line["Description"],
                       "Quantity": serialize.amount(line["Quantity"]),
                       "UnitAmount": serialize.amount(line["UnitAmount"]),
                       "AccountCode": line["AccountCode"], "TaxType": line["TaxType"],
                       "LineAmount": serialize.amount(line["LineAmount"]),
                       "TaxAmount": serialize.amount(line["TaxAmount"])} for line in record["LineItems"]],
    }


def put_bank_transactions(call: Call) -> Response:
    results = [read_and_apply(call, raw) for raw in body_elements(call, "BankTransactions", allow_bare=True)]
    return batch_answer(call, "BankTransactions", results)


def get_bank_transactions(call: Call) -> Response:
    chosen = select(call, _store(call.org).values(), lambda record: lowered(element(call.org, record)))
    items = [element(call.org, record) for record in chosen]
    return responses.json_response(responses.envelope(call.now_ms, "BankTransactions", items))


def listed(org: dict[str, Any]) -> list[dict[str, Any]]:
    return [element(org, record) for record in _store(org).values()]


def refuse_reconciled_deletion(record: dict[str, Any]) -> Response | None:
    if not record.get("IsReconciled"):
        return None
    return responses.validation_exception([{"PaymentID": record["PaymentID"],
                                            "ValidationErrors": [{"Message": RECONCILED}]}])


async def reconcile_payment(request: Any, sandbox: Any) -> Response:
    """Admin: mark a payment reconciled, as matching it to a bank statement line in Xero would (or, with
    `{"reconciled": false}`, unreconciled again, as the accountant does before deleting it)."""
    org = sandbox.store.orgs.get(request.path_params["tenant_id"].lower())
    record = (org or {}).get("payments", {}).get(request.path_params["payment_id"].lower())
    if record is None:
        return responses.json_response({"error": "unknown payment"}, 404)
    body = await request.body()
    reconciled = json.loads(body).get("reconciled", True) if body else True
    if not isinstance(reconciled, bool):
        return responses.json_response({"error": "reconciled must be true or false"}, 400)
    record["IsReconciled"] = reconciled
    sandbox.store.changed()
    return responses.json_response({"PaymentID": record["PaymentID"], "IsReconciled": reconciled})

"""Credit notes (GET/PUT/POST /CreditNotes, GET /CreditNotes/{id}) and their allocation to invoices
(PUT /CreditNotes/{id}/Allocations).

A credit note is validated and totalled exactly like an invoice of its side (ACCRECCREDIT like ACCREC), so it
goes through `invoices.apply`; it is numbered CN-0001… and kept apart from invoices. Allocating part of it to
an AUTHORISED invoice of the same contact credits that invoice (AmountCredited), which is PAID once nothing is
due; the credit note is PAID once nothing of it remains.
"""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

from starlette.responses import Response

from . import contacts, dates, invoice_payload, invoices, messages, payload, responses, serialize
from .accounting.listing import batch_answer, body_elements, is_guid, lowered, select
from .gateway import Call
from .seed import new_id

SIDE = {"ACCRECCREDIT": "ACCREC", "ACCPAYCREDIT": "ACCPAY"}
CREDIT_OF = {side: credit for credit, side in SIDE.items()}
SUMMARY_FLAGS = {"HasAttachments": False, "HasErrors": False}  # as Xero writes them in nested documents


def numbers(org: dict[str, Any]) -> dict[str, str]:
    return {
        (note.get("InvoiceNumber") or "").upper(): note_id for note_id, note in org.get("credit_notes", {}).items()
    }


def as_invoice_raw(raw: dict[str, Any]) -> dict[str, Any]:
    mapped = {key: value for key, value in raw.items() if key not in ("CreditNoteID", "CreditNoteNumber", "Type")}
    mapped["InvoiceID"] = raw.get("CreditNoteID")
    mapped["InvoiceNumber"] = raw.get("CreditNoteNumber")
    mapped["Type"] = SIDE.get(str(raw.get("Type")), raw.get("Type"))
    mapped.setdefault("DueDate", raw.get("Date"))  # credit notes have no due date; invoices' rule wants one
    return mapped


def remaining(note: dict[str, Any]) -> Decimal:
    """Credit not yet allocated to invoices nor refunded (paid out: payments.py)."""
    allocated = sum((Decimal(a["Amount"]) for a in note.get("Allocations", [])), Decimal(0))
    return Decimal(note["Total"]) - allocated - Decimal(note.get("AmountPaid") or 0)


def view(org: dict[str, Any], note: dict[str, Any], unitdp: int = 2) -> dict[str, Any]:
    body = serialize.invoice(org, note, unitdp)
    kept = ("Contact", "Date", "DateString", "Status", "LineAmountTypes", "LineItems", "SubTotal", "TotalTax",
            "Total", "UpdatedDateUTC", "CurrencyCode", "Reference", "CurrencyRate", "HasErrors")
    view_body = {key: body[key] for key in kept if key in body}
    view_body.update(
        Type=CREDIT_OF[note["Type"]],
        CreditNoteID=note["InvoiceID"],
        CreditNoteNumber=note.get("InvoiceNumber") or "",
        RemainingCredit=serialize.amount(remaining(note)),
        SentToContact=False,
        HasAttachments=False,
        Payments=[serialize.payment_summary(org["payments"][pid]) for pid in note.get("PaymentIDs", [])
                  if org["payments"][pid]["Status"] != "DELETED"],
        Allocations=[allocation_view(org, note, a) for a in note.get("Allocations", [])],
    )
    if note.get("FullyPaidOnDate"):
        view_body["FullyPaidOnDate"] = dates.ms_date(note["FullyPaidOnDate"])
    return view_body


def allocation_view(org: dict[str, Any], note: dict[str, Any], allocation: dict[str, Any]) -> dict[str, Any]:
    invoice = org["invoices"].get(allocation["InvoiceID"]) or {}
    return {
        "AllocationID": allocation["AllocationID"],
        "Amount": serialize.amount(allocation["Amount"]),
        "Date": dates.ms_date(allocation["Date"]),
        "Invoice": {"InvoiceID": allocation["InvoiceID"], "InvoiceNumber": invoice.get("InvoiceNumber") or "",
                    **SUMMARY_FLAGS},
        "CreditNote": {"CreditNoteID": note["InvoiceID"], "CreditNoteNumber": note.get("InvoiceNumber") or "",
                       **SUMMARY_FLAGS},
        "IsDeleted": False,
    }


# -- writing ----------------------------------------------------------------------------------------


def write_one(call: Call, raw: dict[str, Any], path: str, upsert: bool) -> tuple[bool, dict[str, Any]]:
    org = call.org
    notes = org.setdefault("credit_notes", {})
    draft = invoice_payload.read(as_invoice_raw(raw), path)
    existing = notes.get(draft["InvoiceID"]) if upsert and draft.get("InvoiceID") else None
    known = numbers(org)
    outcome = invoices.apply(org, draft, existing, known, call.unitdp, call.now_ms)
    record = outcome.record
    if str(raw.get("Type")) not in SIDE and existing is None:
        outcome.add(messages.CREDIT_NOTE_TYPE_REQUIRED)
    if outcome.errors:
        element = invoices.error_element(org, outcome, call.unitdp)
        element.pop("InvoiceID", None)
        element["Type"] = raw.get("Type")
        return False, element
    if outcome.new_contact is not None:
        contacts.commit(org, outcome.new_contact)
    if not record.get("InvoiceNumber"):
        record["InvoiceNumber"] = f"CN-{len(notes) + 1:04d}"
    notes[record["InvoiceID"]] = record
    call.sandbox.store.changed()
    return True, {**view(org, record, call.unitdp), "StatusAttributeString": "OK"}


def write_credit_notes(call: Call, upsert: bool) -> Response:
    raws = body_elements(call, "CreditNotes")
    results = [write_one(call, raw, f"CreditNotes[{index}]", upsert) for index, raw in enumerate(raws)]
    return batch_answer(call, "CreditNotes", results)


def put_credit_notes(call: Call) -> Response:
    return write_credit_notes(call, upsert=False)


def post_credit_notes(call: Call) -> Response:
    return write_credit_notes(call, upsert=True)


def find(call: Call) -> dict[str, Any] | None:
    key = call.request.path_params["CreditNoteID"]
    notes = call.org.get("credit_notes", {})
    if is_guid(key):
        return notes.get(key.lower())
    note_id = numbers(call.org).get(key.upper())
    return notes.get(note_id) if note_id else None


def get_credit_notes(call: Call) -> Response:
    chosen = select(call, call.org.get("credit_notes", {}).values(), lambda note: lowered(view(call.org, note)))
    notes = [view(call.org, note, call.unitdp) for note in chosen]
    return responses.json_response(responses.envelope(call.now_ms, "CreditNotes", notes))


def get_credit_note(call: Call) -> Response:
    note = find(call)
    if note is None:
        return responses.not_found()
    return responses.json_response(
        responses.envelope(call.now_ms, "CreditNotes", [view(call.org, note, call.unitdp)])
    )


# -- allocation -------------------------------------------------------------------------------------


def allocation_problem(org: dict[str, Any], note: dict[str, Any], invoice: dict[str, Any] | None,
                       amount: Decimal | None) -> str | None:
    if note["Status"] != "AUTHORISED":
        return messages.CREDIT_NOTE_NOT_AUTHORISED
    if invoice is None or invoice["Type"] != note["Type"] or invoice.get("ContactID") != note.get("ContactID"):
        return messages.ALLOCATION_INVOICE_INVALID
    if invoice["Status"] != "AUTHORISED":
        return messages.ALLOCATION_INVOICE_NOT_AUTHORISED
    if amount is None or amount <= 0:
        return messages.ALLOCATION_AMOUNT_REQUIRED
    if amount > remaining(note):
        return messages.ALLOCATION_EXCEEDS_CREDIT
    if amount > invoices_due(invoice):
        return messages.ALLOCATION_EXCEEDS_DUE
    return None


def invoices_due(invoice: dict[str, Any]) -> Decimal:
    return Decimal(invoice["Total"]) - Decimal(invoice["AmountPaid"]) - Decimal(invoice["AmountCredited"])


def put_allocations(call: Call) -> Response:
    note = find(call)
    if note is None:
        return responses.not_found()
    org, results = call.org, []
    for index, raw in enumerate(body_elements(call, "Allocations", allow_bare=True)):
        path = f"Allocations[{index}]"
        wanted: dict[str, Any] = raw["Invoice"] if isinstance(raw.get("Invoice"), dict) else {}
        invoice_id = payload.guid(wanted, "InvoiceID", f"{path}.Invoice")
        invoice = org["invoices"].get(invoice_id or "")
        amount = payload.number(raw, "Amount", path)
        date = payload.date(raw, "Date", path) or dates.today(call.now_ms)
        problem = allocation_problem(org, note, invoice, amount)
        if problem or invoice is None or amount is None:
            echo = {"Amount": float(amount or 0), "Date": dates.ms_date(date),
                    "Invoice": {"InvoiceID": invoice_id or serialize.NIL_ID, **SUMMARY_FLAGS}}
            results.append((False, {**echo, "ValidationErrors": [{"Message": problem}]}))
            continue
        allocation = {"AllocationID": new_id(), "InvoiceID": invoice["InvoiceID"], "Amount": str(amount),
                      "Date": date}
        commit_allocation(org, note, invoice, copy.deepcopy(allocation), call.now_ms)
        call.sandbox.webhooks.emit("INVOICE", "UPDATE", call.tenant_id, invoice["InvoiceID"], call.base_url)
        results.append((True, allocation_view(org, note, allocation)))
    return batch_answer(call, "Allocations", results)


def commit_allocation(org: dict[str, Any], note: dict[str, Any], invoice: dict[str, Any],
                      allocation: dict[str, Any], now_ms: int) -> None:
    note.setdefault("Allocations", []).append(allocation)
    invoice["AmountCredited"] = str(Decimal(invoice["AmountCredited"]) + Decimal(allocation["Amount"]))
    if invoices_due(invoice) <= 0:
        invoice["Status"], invoice["FullyPaidOnDate"] = "PAID", allocation["Date"]
    if remaining(note) <= 0:
        note["Status"], note["FullyPaidOnDate"] = "PAID", allocation["Date"]
    invoice["updated_ms"] = note["updated_ms"] = now_ms

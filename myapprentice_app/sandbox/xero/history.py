"""Invoice history and notes (GET/PUT /Invoices/{id}/History) and emailing an invoice (POST …/Email).

Xero keeps a history per invoice: entries it writes itself ("Emailed", …) and notes an app adds with PUT,
each with `Changes`, `Details`, `User` and `DateUTC`. Emailing is recorded for the admin API
(`/sandbox-admin/organisations/{tenantId}/emails`) instead of being sent.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from . import dates, messages, payload, responses
from .accounting.invoices import find_invoice
from .accounting.listing import body_elements
from .gateway import Call

EMAILABLE = ("SUBMITTED", "AUTHORISED", "PAID")
MAX_DETAILS = 2500  # Xero's limit on a note's text


def add_entry(record: dict[str, Any], changes: str, details: str, user: str, now_ms: int) -> dict[str, Any]:
    entry = {"Changes": changes, "Details": details, "User": user, "DateUTC": now_ms}
    record.setdefault("History", []).append(entry)
    return entry


def entry_view(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "DateUTC": dates.ms_datetime(entry["DateUTC"])}


def get_invoice_history(call: Call) -> Response:
    record = find_invoice(call)
    if record is None:
        return responses.not_found()
    entries = [entry_view(entry) for entry in reversed(record.get("History", []))]  # newest first, as Xero
    return responses.json_response(responses.envelope(call.now_ms, "HistoryRecords", entries))


def put_invoice_history(call: Call) -> Response:
    record = find_invoice(call)
    if record is None:
        return responses.not_found()
    raw_elements = body_elements(call, "HistoryRecords")
    details = [payload.text(raw, "Details", f"HistoryRecords[{index}]") for index, raw in enumerate(raw_elements)]
    problems = [
        {"Details": text or "", "ValidationErrors": [{"Message": problem}]}
        for text in details
        if (problem := note_problem(text))
    ]
    if problems:
        return responses.validation_exception(problems)
    user = call.grant["client_id"]
    added = [add_entry(record, "Note", text or "", user, call.now_ms) for text in details]
    call.sandbox.store.changed()
    return responses.json_response(
        responses.envelope(call.now_ms, "HistoryRecords", [entry_view(entry) for entry in added])
    )


def note_problem(text: str | None) -> str | None:
    if not text or not text.strip():
        return messages.HISTORY_DETAILS_REQUIRED
    if len(text) > MAX_DETAILS:
        return messages.HISTORY_DETAILS_TOO_LONG
    return None


def email_invoice(call: Call) -> Response:
    record = find_invoice(call)
    if record is None:
        return responses.not_found()
    contact = call.org["contacts"].get(record.get("ContactID") or "") or {}
    problem = None
    if record.get("Type") != "ACCREC" or record["Status"] not in EMAILABLE:
        problem = messages.EMAIL_INVOICE_STATUS
    elif not contact.get("EmailAddress"):
        problem = messages.EMAIL_INVOICE_NO_ADDRESS
    if problem:
        return responses.validation_exception(
            [{"InvoiceID": record["InvoiceID"], "ValidationErrors": [{"Message": problem}]}]
        )
    address = contact["EmailAddress"]
    call.org.setdefault("emails", []).append(
        {
            "InvoiceID": record["InvoiceID"],
            "InvoiceNumber": record.get("InvoiceNumber"),
            "To": address,
            "SentDateUTC": dates.utc_string(call.now_ms),
            "client_id": call.grant["client_id"],
        }
    )
    record["SentToContact"] = True
    add_entry(record, "Emailed", f"This invoice has been emailed to {address}.", "System Generated", call.now_ms)
    record["updated_ms"] = call.now_ms
    call.sandbox.store.changed()
    return Response(status_code=204)

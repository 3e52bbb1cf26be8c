"""/Invoices: list, get, online invoice, create and update (one or a batch)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .. import invoice_payload, invoices, messages, query, responses, serialize, views
from ..gateway import Call
from .listing import batch_answer, body_elements, is_guid, listing, select


def get_invoices(call: Call) -> Response:
    org = call.org
    ids = {value.lower() for value in query.csv(call.param("IDs"))}
    numbers = {value.upper() for value in query.csv(call.param("InvoiceNumbers"))}
    contact_ids = {value.lower() for value in query.csv(call.param("ContactIDs"))}
    statuses = {value.upper() for value in query.csv(call.param("Statuses"))}
    search = (call.param("searchTerm") or "").lower()
    mine = query.flag(call.param("createdByMyApp"))

    def wanted(record: dict[str, Any]) -> bool:
        return (
            (not ids or record["InvoiceID"] in ids)
            and (not numbers or (record.get("InvoiceNumber") or "").upper() in numbers)
            and (not contact_ids or record.get("ContactID") in contact_ids)
            and (not statuses or record["Status"] in statuses)
            and (
                not search
                or search in (record.get("InvoiceNumber") or "").lower()
                or search in (record.get("Reference") or "").lower()
            )
            and (not mine or record.get("created_by") == call.grant["client_id"])
        )

    chosen = select(call, org["invoices"].values(), lambda record: views.invoice_view(org, record), wanted)
    unitdp = call.unitdp
    return listing(
        call,
        "Invoices",
        chosen,
        lambda record, full: serialize.invoice(org, record, unitdp, with_lines=full),
        paged_always=query.flag(call.param("summaryOnly")),
    )


def find_invoice(call: Call) -> dict[str, Any] | None:
    key = call.request.path_params["InvoiceID"]
    if is_guid(key):
        return call.org["invoices"].get(key.lower())
    invoice_id = call.numbers.get(key.upper())
    return call.org["invoices"].get(invoice_id) if invoice_id else None


def get_invoice(call: Call) -> Response:
    record = find_invoice(call)
    if record is None:
        return responses.not_found()
    return responses.json_response(
        responses.envelope(call.now_ms, "Invoices", [serialize.invoice(call.org, record, call.unitdp)])
    )


def get_online_invoice(call: Call) -> Response:
    record = find_invoice(call)
    if record is None or record.get("Type") != "ACCREC":
        return responses.not_found()
    if record["Status"] == "DRAFT":
        return responses.validation_exception(
            [
                {
                    "InvoiceID": record["InvoiceID"],
                    "ValidationErrors": [{"Message": messages.ONLINE_INVOICE_DRAFT}],
                }
            ]
        )
    url = f"{call.base_url.rstrip('/')}/sandbox-online-invoice/{call.tenant_id}/{record['InvoiceID']}"
    return responses.json_response(
        responses.envelope(call.now_ms, "OnlineInvoices", [{"OnlineInvoiceUrl": url}])
    )


def put_invoices(call: Call) -> Response:
    return write_invoices(call, upsert=False)


def post_invoices(call: Call) -> Response:
    return write_invoices(call, upsert=True)


def post_invoice(call: Call) -> Response:
    return write_invoices(call, upsert=True, path_id=call.request.path_params["InvoiceID"])


def write_invoices(call: Call, upsert: bool, path_id: str | None = None) -> Response:
    raw_elements = body_elements(call, "Invoices")
    drafts = [invoice_payload.read(raw, f"Invoices[{index}]") for index, raw in enumerate(raw_elements)]
    if path_id is not None:
        for draft in drafts:
            draft["InvoiceID"] = draft["InvoiceID"] or (path_id.lower() if is_guid(path_id) else None)
            if not is_guid(path_id) and draft["InvoiceNumber"] is None:
                draft["InvoiceNumber"] = path_id
    results = [write_invoice(call, draft, upsert) for draft in drafts]
    return batch_answer(call, "Invoices", results)


def write_invoice(call: Call, draft: dict[str, Any], upsert: bool) -> tuple[bool, dict[str, Any]]:
    org, numbers = call.org, call.numbers
    existing = None
    if upsert and draft["InvoiceID"]:
        existing = org["invoices"].get(draft["InvoiceID"])
        if existing is None:
            outcome = invoices.apply(org, draft, None, numbers, call.unitdp, call.now_ms)
            outcome.errors = [messages.DOCUMENT_NOT_FOUND]
            return False, invoices.error_element(org, outcome, call.unitdp)
    elif upsert and draft["InvoiceNumber"] and draft["Type"] in (None, "ACCREC"):
        holder = numbers.get(draft["InvoiceNumber"].strip().upper())
        existing = org["invoices"].get(holder) if holder else None
    checked = numbers if call.sandbox.faults.unique_numbers else {}
    outcome = invoices.apply(org, draft, existing, checked, call.unitdp, call.now_ms)
    if outcome.errors:
        return False, invoices.error_element(org, outcome, call.unitdp)
    if existing is None:
        outcome.record["created_by"] = call.grant["client_id"]
    invoices.commit(org, outcome, numbers)
    call.sandbox.store.changed()
    webhooks = call.sandbox.webhooks
    if outcome.new_contact is not None:
        webhooks.emit("CONTACT", "CREATE", call.tenant_id, outcome.new_contact["ContactID"], call.base_url)
    webhooks.emit(
        "INVOICE",
        "CREATE" if outcome.created else "UPDATE",
        call.tenant_id,
        outcome.record["InvoiceID"],
        call.base_url,
    )
    return True, invoices.ok_element(org, outcome.record, call.unitdp)

"""Accounting API handlers under /api.xro/2.0: Invoices, Contacts, Accounts, TaxRates, Payments,
Organisation."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from starlette.responses import Response

from . import contacts, dates, invoices, messages, payload, payments, query, responses, serialize
from .gateway import Call

DEFAULT_PAGE_SIZE = 100
MAX_PAGE_SIZE = 1000


# -- shared list machinery --------------------------------------------------------------------------


def is_guid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def positive_int(call: Call, name: str, default: int, upper: int | None = None) -> int:
    raw = call.param(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise query.QueryError(f"The value '{raw}' is not valid for {name}.") from exc
    if value < 1:
        raise query.QueryError(f"The value '{raw}' is not valid for {name}.")
    return min(value, upper) if upper else value


def select(
    call: Call,
    records: Iterable[dict[str, Any]],
    view: Callable[[dict[str, Any]], dict[str, Any]],
    extra: Callable[[dict[str, Any]], bool] | None = None,
) -> list[dict[str, Any]]:
    """Apply If-Modified-Since, a caller-specific filter, `where` and `order`."""
    predicate = query.where(call.param("where"))
    keys = query.order(call.param("order"))
    since_header = call.request.headers.get("if-modified-since")
    since_ms = dates.parse_since(since_header) if since_header else None
    chosen, views = [], {}
    for record in records:
        if since_ms is not None and record["updated_ms"] < since_ms - since_ms % 1000:
            continue
        if extra is not None and not extra(record):
            continue
        record_view = view(record)
        if predicate is not None and not predicate(record_view):
            continue
        chosen.append(record)
        views[id(record)] = record_view
    return query.sort(chosen, views, keys) if keys else chosen


def listing(
    call: Call,
    plural: str,
    chosen: list[dict[str, Any]],
    render: Callable[[dict[str, Any], bool], dict[str, Any]],
    paged_always: bool = False,
) -> Response:
    """Without `page`, lists come without line details; with it, 100 (or pageSize) per page + pagination."""
    if call.param("page") is None and not paged_always:
        return responses.json_response(
            responses.envelope(call.now_ms, plural, [render(r, False) for r in chosen])
        )
    page = positive_int(call, "page", 1)
    size = positive_int(call, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    items, pagination = query.page_of(chosen, page, size)
    full = not query.flag(call.param("summaryOnly"))
    return responses.json_response(
        responses.envelope(call.now_ms, plural, [render(r, full) for r in items], pagination=pagination)
    )


def batch_answer(call: Call, plural: str, results: list[tuple[bool, dict[str, Any]]]) -> Response:
    """summarizeErrors (default): 400 listing only failed elements; false: 200 with every element."""
    if call.summarize_errors and any(not ok for ok, _ in results):
        return responses.validation_exception([element for ok, element in results if not ok])
    return responses.json_response(
        responses.envelope(call.now_ms, plural, [element for _, element in results])
    )


def body_elements(call: Call, plural: str, allow_bare: bool = False) -> list[dict[str, Any]]:
    return payload.elements(payload.parse_json(call.body), plural, allow_bare=allow_bare)


# -- invoices ---------------------------------------------------------------------------------------


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

    chosen = select(call, org["invoices"].values(), lambda record: query.invoice_view(org, record), wanted)
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
    drafts = [invoices.read(raw, f"Invoices[{index}]") for index, raw in enumerate(raw_elements)]
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
    outcome = invoices.apply(org, draft, existing, numbers, call.unitdp, call.now_ms)
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


# -- contacts ---------------------------------------------------------------------------------------


def get_contacts(call: Call) -> Response:
    ids = {value.lower() for value in query.csv(call.param("IDs"))}
    archived = query.flag(call.param("includeArchived"))
    search = (call.param("searchTerm") or "").lower()

    def wanted(record: dict[str, Any]) -> bool:
        searchable = " ".join(
            str(record.get(key) or "")
            for key in ("Name", "FirstName", "LastName", "ContactNumber", "EmailAddress")
        ).lower()
        return (
            (not ids or record["ContactID"] in ids)
            and (archived or ids or record["ContactStatus"] != "ARCHIVED")
            and (not search or search in searchable)
        )

    chosen = select(call, call.org["contacts"].values(), query.contact_view, wanted)
    return listing(
        call,
        "Contacts",
        chosen,
        lambda record, full: serialize.contact(record),
        paged_always=query.flag(call.param("summaryOnly")),
    )


def find_contact(call: Call) -> dict[str, Any] | None:
    key = call.request.path_params["ContactID"]
    if is_guid(key):
        return call.org["contacts"].get(key.lower())
    return contacts.find_by_number(call.org, key)


def get_contact(call: Call) -> Response:
    record = find_contact(call)
    if record is None:
        return responses.not_found()
    return responses.json_response(responses.envelope(call.now_ms, "Contacts", [serialize.contact(record)]))


def put_contacts(call: Call) -> Response:
    return write_contacts(call, upsert=False)


def post_contacts(call: Call) -> Response:
    return write_contacts(call, upsert=True)


def post_contact(call: Call) -> Response:
    return write_contacts(call, upsert=True, path_id=call.request.path_params["ContactID"])


def write_contacts(call: Call, upsert: bool, path_id: str | None = None) -> Response:
    raw_elements = body_elements(call, "Contacts")
    drafts = [contacts.read(raw, f"Contacts[{index}]") for index, raw in enumerate(raw_elements)]
    results = []
    for draft in drafts:
        if path_id is not None and is_guid(path_id):
            draft.setdefault("ContactID", path_id.lower())
        results.append(write_contact(call, draft, upsert))
    return batch_answer(call, "Contacts", results)


def write_contact(call: Call, draft: dict[str, Any], upsert: bool) -> tuple[bool, dict[str, Any]]:
    org = call.org
    existing = None
    if upsert and draft.get("ContactID"):
        existing = org["contacts"].get(draft["ContactID"])
        if existing is None:
            outcome = contacts.apply(org, draft, None, call.now_ms)
            outcome.errors = [messages.CONTACT_NOT_FOUND]
            return False, contacts.error_element(outcome)
    elif upsert and draft.get("ContactNumber"):
        existing = contacts.find_by_number(org, draft["ContactNumber"])
    outcome = contacts.apply(org, draft, existing, call.now_ms)
    if outcome.errors:
        return False, contacts.error_element(outcome)
    contacts.commit(org, outcome.record)
    call.sandbox.store.changed()
    call.sandbox.webhooks.emit(
        "CONTACT",
        "CREATE" if outcome.created else "UPDATE",
        call.tenant_id,
        outcome.record["ContactID"],
        call.base_url,
    )
    return True, contacts.ok_element(outcome.record)


# -- accounts, tax rates, organisation --------------------------------------------------------------


def get_accounts(call: Call) -> Response:
    chosen = select(call, call.org["accounts"].values(), query.account_view)
    return responses.json_response(
        responses.envelope(call.now_ms, "Accounts", [serialize.account(record) for record in chosen])
    )


def get_account(call: Call) -> Response:
    record = call.org["accounts"].get(call.request.path_params["AccountID"].lower())
    if record is None:
        return responses.not_found()
    return responses.json_response(responses.envelope(call.now_ms, "Accounts", [serialize.account(record)]))


def get_tax_rates(call: Call) -> Response:
    wanted_type = (call.param("TaxType") or "").upper()
    records = (
        rate for rate in call.org["tax_rates"].values() if not wanted_type or rate["TaxType"] == wanted_type
    )
    chosen = [record for record in records if query_match(call, query.tax_rate_view(record))]
    keys = query.order(call.param("order"))
    if keys:
        chosen = query.sort(chosen, {id(r): query.tax_rate_view(r) for r in chosen}, keys)
    return responses.json_response(
        responses.envelope(call.now_ms, "TaxRates", [serialize.tax_rate(record) for record in chosen])
    )


def query_match(call: Call, view: dict[str, Any]) -> bool:
    predicate = query.where(call.param("where"))
    return predicate is None or predicate(view)


def get_tax_rate(call: Call) -> Response:
    record = call.org["tax_rates"].get(call.request.path_params["TaxType"].upper())
    if record is None:
        return responses.not_found()
    return responses.json_response(responses.envelope(call.now_ms, "TaxRates", [serialize.tax_rate(record)]))


def get_organisation(call: Call) -> Response:
    return responses.json_response(
        responses.envelope(call.now_ms, "Organisations", [serialize.organisation(call.org)])
    )


# -- payments ---------------------------------------------------------------------------------------


def get_payments(call: Call) -> Response:
    org = call.org
    chosen = select(call, org["payments"].values(), lambda record: query.payment_view(org, record))
    return listing(call, "Payments", chosen, lambda record, full: serialize.payment(org, record))


def get_payment(call: Call) -> Response:
    record = call.org["payments"].get(call.request.path_params["PaymentID"].lower())
    if record is None:
        return responses.not_found()
    return responses.json_response(
        responses.envelope(call.now_ms, "Payments", [serialize.payment(call.org, record)])
    )


def write_payments(call: Call) -> Response:
    raw_elements = body_elements(call, "Payments", allow_bare=True)
    drafts = [payments.read(raw, f"Payments[{index}]") for index, raw in enumerate(raw_elements)]
    results = []
    for draft in drafts:
        outcome = payments.apply(call.org, draft, call.now_ms)
        if outcome.errors:
            results.append((False, payments.error_element(call.org, outcome)))
            continue
        payments.commit(call.org, outcome, call.now_ms)
        call.sandbox.store.changed()
        call.sandbox.webhooks.emit(
            "INVOICE", "UPDATE", call.tenant_id, outcome.record["InvoiceID"], call.base_url
        )
        results.append((True, payments.ok_element(call.org, outcome.record)))
    return batch_answer(call, "Payments", results)


def delete_payment(call: Call) -> Response:
    record = call.org["payments"].get(call.request.path_params["PaymentID"].lower())
    if record is None:
        return responses.not_found()
    raw = body_elements(call, "Payments", allow_bare=True)[0]
    if str(raw.get("Status", "")).upper() != "DELETED" or record["Status"] == "DELETED":
        return responses.validation_exception(
            [
                {
                    "PaymentID": record["PaymentID"],
                    "ValidationErrors": [
                        {"Message": "Payments can only be deleted by setting the Status to DELETED"}
                    ],
                }
            ]
        )
    payments.delete(call.org, record, call.now_ms)
    call.sandbox.store.changed()
    call.sandbox.webhooks.emit("INVOICE", "UPDATE", call.tenant_id, record["InvoiceID"], call.base_url)
    return responses.json_response(
        responses.envelope(call.now_ms, "Payments", [payments.ok_element(call.org, record)])
    )

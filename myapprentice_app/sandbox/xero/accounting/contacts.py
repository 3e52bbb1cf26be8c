"""/Contacts: list, get, create and update (one or a batch)."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from .. import contacts, messages, query, responses, serialize, views
from ..gateway import Call
from .listing import batch_answer, body_elements, is_guid, listing, select


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

    chosen = select(call, call.org["contacts"].values(), views.contact_view, wanted)
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

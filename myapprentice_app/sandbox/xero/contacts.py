"""Contacts: reading, name uniqueness among active contacts, create-or-update."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import messages, payload, serialize
from .seed import new_id

FIELDS = ("Name", "ContactNumber", "AccountNumber", "FirstName", "LastName", "EmailAddress")
STATUSES = ("ACTIVE", "ARCHIVED", "GDPRREQUEST")


@dataclass
class ContactOutcome:
    record: dict[str, Any]
    errors: list[str] = field(default_factory=list)
    created: bool = False


def find_active_by_name(
    org: dict[str, Any], name: str, ignore_id: str | None = None
) -> dict[str, Any] | None:
    wanted = name.strip().lower()
    for contact in org["contacts"].values():
        if (
            contact["ContactStatus"] == "ACTIVE"
            and contact["Name"].strip().lower() == wanted
            and contact["ContactID"] != ignore_id
        ):
            return contact
    return None


def find_by_number(org: dict[str, Any], number: str) -> dict[str, Any] | None:
    for contact in org["contacts"].values():
        if contact.get("ContactNumber") and contact["ContactNumber"].lower() == number.lower():
            return contact
    return None


def read(raw: dict[str, Any], path: str) -> dict[str, Any]:
    draft: dict[str, Any] = {key: payload.text(raw, key, path) for key in FIELDS}
    draft["ContactID"] = payload.guid(raw, "ContactID", path)
    draft["ContactStatus"] = payload.choice(raw, "ContactStatus", path, STATUSES, "ContactStatus")
    # IsCustomer/IsSupplier are read-only in Xero: a PUT or POST that sends them changes nothing.
    return {key: value for key, value in draft.items() if value is not None}


def apply(
    org: dict[str, Any], draft: dict[str, Any], existing: dict[str, Any] | None, now_ms: int
) -> ContactOutcome:
    """Validate a contact create/update; the caller commits the record when there are no errors."""
    record: dict[str, Any] = (
        dict(existing) if existing else {"ContactID": new_id(), "ContactStatus": "ACTIVE"}
    )
    record.update({key: value for key, value in draft.items() if key != "ContactID"})
    record["updated_ms"] = now_ms
    errors: list[str] = []
    name = (record.get("Name") or "").strip()
    if not name:
        errors.append(messages.CONTACT_NAME_EMPTY)
    elif record["ContactStatus"] == "ACTIVE" and find_active_by_name(
        org, name, ignore_id=record["ContactID"]
    ):
        errors.append(messages.duplicate_contact_name(name))
    return ContactOutcome(record=record, errors=errors, created=existing is None)


def commit(org: dict[str, Any], record: dict[str, Any]) -> None:
    org["contacts"][record["ContactID"]] = record


ROLE_OF_TYPE = {"ACCREC": "IsCustomer", "ACCPAY": "IsSupplier"}


def mark_role(org: dict[str, Any], contact_id: str | None, invoice_type: str | None, now_ms: int) -> None:
    """Xero sets IsCustomer when a receivable is raised for a contact, IsSupplier for a payable."""
    contact = org["contacts"].get(contact_id or "")
    flag = ROLE_OF_TYPE.get(invoice_type or "")
    if contact is not None and flag and not contact.get(flag):
        contact[flag] = True
        contact["updated_ms"] = now_ms


def error_element(outcome: ContactOutcome) -> dict[str, Any]:
    record = dict(outcome.record)
    record.setdefault("Name", "")
    body = serialize.contact(record)
    body["ContactID"] = record["ContactID"] if not outcome.created else serialize.NIL_ID
    body["HasValidationErrors"] = True
    body["StatusAttributeString"] = "ERROR"
    body["ValidationErrors"] = [{"Message": message} for message in outcome.errors]
    return body


def ok_element(record: dict[str, Any]) -> dict[str, Any]:
    body = serialize.contact(record)
    body["StatusAttributeString"] = "OK"
    return body

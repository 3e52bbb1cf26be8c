"""Items (GET/PUT/POST /Items, GET/POST /Items/{ItemID}): codes unique per organisation, upsert by code."""

from __future__ import annotations

from typing import Any

from starlette.responses import Response

from . import dates, messages, money, payload, responses
from .accounting.listing import batch_answer, body_elements, is_guid
from .gateway import Call
from .seed import new_id

TEXTS = ("Code", "Name", "Description", "PurchaseDescription")
DETAIL_TEXTS = ("AccountCode", "COGSAccountCode", "TaxType")


def read_details(raw: Any, path: str) -> dict[str, Any] | None:
    if not isinstance(raw, dict):
        return None
    details: dict[str, Any] = {key: payload.text(raw, key, path) for key in DETAIL_TEXTS}
    price = payload.number(raw, "UnitPrice", path)
    details["UnitPrice"] = str(price) if price is not None else None
    return {key: value for key, value in details.items() if value is not None}


def read(raw: dict[str, Any], path: str) -> dict[str, Any]:
    draft: dict[str, Any] = {key: payload.text(raw, key, path) for key in TEXTS}
    draft["ItemID"] = payload.guid(raw, "ItemID", path)
    draft["IsSold"] = payload.boolean(raw, "IsSold", path)
    draft["IsPurchased"] = payload.boolean(raw, "IsPurchased", path)
    draft["SalesDetails"] = read_details(raw.get("SalesDetails"), f"{path}.SalesDetails")
    draft["PurchaseDetails"] = read_details(raw.get("PurchaseDetails"), f"{path}.PurchaseDetails")
    return {key: value for key, value in draft.items() if value is not None}


def view(record: dict[str, Any]) -> dict[str, Any]:
    keys = ("ItemID", "Code", "Name", "Description", "PurchaseDescription")
    body: dict[str, Any] = {key: record[key] for key in keys if key in record}
    for side in ("SalesDetails", "PurchaseDetails"):
        details = dict(record.get(side) or {})
        if "UnitPrice" in details:
            details["UnitPrice"] = float(money.to_decimal(details["UnitPrice"]))
        body[side] = details
    body.update(
        IsSold=record.get("IsSold", True),
        IsPurchased=record.get("IsPurchased", True),
        IsTrackedAsInventory=False,
        UpdatedDateUTC=dates.ms_datetime(record["updated_ms"]),
    )
    return body


def problems(org: dict[str, Any], record: dict[str, Any]) -> list[str]:
    code = (record.get("Code") or "").strip()
    if not code:
        return [messages.ITEM_CODE_REQUIRED]
    if len(code) > 30:
        return [messages.ITEM_CODE_TOO_LONG]
    for other in org["items"].values():
        if other["ItemID"] != record["ItemID"] and other["Code"].lower() == code.lower():
            return [messages.item_code_taken(code)]
    for side in ("SalesDetails", "PurchaseDetails"):
        code_of_account = (record.get(side) or {}).get("AccountCode")
        if code_of_account and not any(a["Code"] == code_of_account for a in org["accounts"].values()):
            return [messages.item_account_unknown(code_of_account)]
    return []


def write_one(call: Call, draft: dict[str, Any], upsert: bool) -> tuple[bool, dict[str, Any]]:
    org = call.org
    items = org.setdefault("items", {})
    existing = None
    if upsert and draft.get("ItemID"):
        existing = items.get(draft["ItemID"])
    elif upsert and draft.get("Code"):
        existing = next((i for i in items.values() if i["Code"].lower() == draft["Code"].lower()), None)
    record = {**(existing or {"ItemID": new_id()}), **{k: v for k, v in draft.items() if k != "ItemID"}}
    record["updated_ms"] = call.now_ms
    errors = problems(org, record)
    if errors:
        element = {**view(record), "ValidationErrors": [{"Message": message} for message in errors]}
        return False, element
    items[record["ItemID"]] = record
    call.sandbox.store.changed()
    return True, {**view(record), "StatusAttributeString": "OK"}


def write_items(call: Call, upsert: bool, path_id: str | None = None) -> Response:
    drafts = [read(raw, f"Items[{index}]") for index, raw in enumerate(body_elements(call, "Items"))]
    if path_id is not None and is_guid(path_id):
        for draft in drafts:
            draft.setdefault("ItemID", path_id.lower())
    return batch_answer(call, "Items", [write_one(call, draft, upsert) for draft in drafts])


def put_items(call: Call) -> Response:
    return write_items(call, upsert=False)


def post_items(call: Call) -> Response:
    return write_items(call, upsert=True)


def post_item(call: Call) -> Response:
    return write_items(call, upsert=True, path_id=call.request.path_params["ItemID"])


def get_items(call: Call) -> Response:
    records = call.org.get("items", {}).values()
    return responses.json_response(responses.envelope(call.now_ms, "Items", [view(r) for r in records]))


def get_item(call: Call) -> Response:
    key = call.request.path_params["ItemID"]
    items = call.org.get("items", {})
    record = items.get(key.lower()) or next((i for i in items.values() if i["Code"].lower() == key.lower()), None)
    if record is None:
        return responses.not_found()
    return responses.json_response(responses.envelope(call.now_ms, "Items", [view(record)]))

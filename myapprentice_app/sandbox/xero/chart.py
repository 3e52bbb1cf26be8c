"""Creating accounts (PUT /Accounts) and tax rates (PUT /TaxRates, POST /TaxRates to update by name)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from starlette.responses import Response

from . import messages, payload, responses, serialize
from .accounting.listing import batch_answer, body_elements
from .gateway import Call
from .seed import new_id

CLASS_OF_TYPE = {
    **dict.fromkeys(("BANK", "CURRENT", "FIXED", "INVENTORY", "NONCURRENT", "PREPAYMENT"), "ASSET"),
    "EQUITY": "EQUITY",
    **dict.fromkeys(("DEPRECIATN", "DIRECTCOSTS", "EXPENSE", "OVERHEADS"), "EXPENSE"),
    **dict.fromkeys(("CURRLIAB", "LIABILITY", "TERMLIAB"), "LIABILITY"),
    **dict.fromkeys(("OTHERINCOME", "REVENUE", "SALES"), "REVENUE"),
}
DEFAULT_TAX = {"ASSET": "INPUT", "EXPENSE": "INPUT", "REVENUE": "OUTPUT", "LIABILITY": "BASEXCLUDED",
               "EQUITY": "BASEXCLUDED"}
ALL_CLASSES = ["REVENUE", "EXPENSE", "ASSET", "LIABILITY", "EQUITY"]


# -- accounts ---------------------------------------------------------------------------------------


def put_account(call: Call) -> Response:
    raw = body_elements(call, "Accounts", allow_bare=True)[0]
    fields = {key: payload.text(raw, key, "Account") for key in ("Code", "Name", "Type", "TaxType", "Description")}
    errors = account_problems(call.org, fields)
    if errors:
        return responses.validation_exception(
            [{**{k: v for k, v in fields.items() if v}, "ValidationErrors": [{"Message": m} for m in errors]}]
        )
    account_class = CLASS_OF_TYPE[fields["Type"] or ""]
    record = {
        "AccountID": new_id(),
        "Code": (fields["Code"] or "").strip(),
        "Name": (fields["Name"] or "").strip(),
        "Type": fields["Type"],
        "Class": account_class,
        "TaxType": fields["TaxType"] or DEFAULT_TAX[account_class],
        "Status": "ACTIVE",
        "EnablePaymentsToAccount": False,
        "updated_ms": call.now_ms,
    }
    if fields["Type"] == "BANK":
        record["BankAccountNumber"] = payload.text(raw, "BankAccountNumber", "Account")
        record["BankAccountType"] = "BANK"
    call.org["accounts"][record["AccountID"]] = record
    call.sandbox.store.changed()
    return responses.json_response(responses.envelope(call.now_ms, "Accounts", [serialize.account(record)]))


def account_problems(org: dict[str, Any], fields: dict[str, str | None]) -> list[str]:
    errors = []
    code, name = (fields["Code"] or "").strip(), (fields["Name"] or "").strip()
    if fields["Type"] not in CLASS_OF_TYPE:
        errors.append(messages.ACCOUNT_TYPE_INVALID)
    if not name:
        errors.append(messages.ACCOUNT_NAME_REQUIRED)
    if fields["Type"] != "BANK" and not code:
        errors.append(messages.ACCOUNT_CODE_REQUIRED)
    for other in org["accounts"].values():
        if code and other["Code"].lower() == code.lower():
            errors.append(messages.ACCOUNT_CODE_TAKEN)
        if name and other["Name"].lower() == name.lower():
            errors.append(messages.ACCOUNT_NAME_TAKEN)
    if fields["TaxType"] and fields["TaxType"] not in org["tax_rates"]:
        errors.append(messages.invalid_tax_type(fields["TaxType"]))
    return errors


# -- tax rates --------------------------------------------------------------------------------------


def read_components(raw: dict[str, Any], path: str) -> list[dict[str, Any]]:
    found = raw.get("TaxComponents") or []
    if not isinstance(found, list):
        raise responses.PayloadError(f"Error converting value to type 'List`1'. Path '{path}.TaxComponents'.")
    components = []
    for index, item in enumerate(found):
        where = f"{path}.TaxComponents[{index}]"
        rate = payload.number(item, "Rate", where) if isinstance(item, dict) else None
        components.append(
            {
                "Name": payload.text(item, "Name", where) or "Tax",
                "Rate": float(rate or 0),
                "IsCompound": bool(payload.boolean(item, "IsCompound", where)),
                "IsNonRecoverable": bool(payload.boolean(item, "IsNonRecoverable", where)),
            }
        )
    return components


def write_tax_rate(call: Call, raw: dict[str, Any], path: str, upsert: bool) -> tuple[bool, dict[str, Any]]:
    org = call.org
    name = (payload.text(raw, "Name", path) or "").strip()
    status = payload.text(raw, "Status", path)
    components = read_components(raw, path)
    existing = next((r for r in org["tax_rates"].values() if r["Name"].lower() == name.lower()), None)
    wanted_type = payload.text(raw, "TaxType", path)
    if upsert and wanted_type:
        existing = org["tax_rates"].get(wanted_type.upper(), existing)
    errors = []
    if not name:
        errors.append(messages.TAX_RATE_NAME_REQUIRED)
    elif existing is not None and not upsert:
        errors.append(messages.tax_rate_name_taken(name))
    if not components and (existing is None or not upsert):
        errors.append(messages.TAX_RATE_COMPONENTS_REQUIRED)
    if errors:
        return False, {"Name": name, "Status": status or "ACTIVE", "StatusAttributeString": "ERROR",
                       "ValidationErrors": [{"Message": message} for message in errors]}
    record = existing or {
        "TaxType": f"TAX{len(org['tax_rates']) + 1:03d}",
        "applies_to": ALL_CLASSES,
        "ReportTaxType": payload.text(raw, "ReportTaxType", path) or "OUTPUT",
        "Status": "ACTIVE",
    }
    record["Name"] = name
    if components:
        record["TaxComponents"] = components
        record["Rate"] = str(sum(Decimal(str(c["Rate"])) for c in components))
    if status in ("ACTIVE", "DELETED", "ARCHIVED"):
        record["Status"] = status
    org["tax_rates"][record["TaxType"]] = record
    call.sandbox.store.changed()
    return True, {**serialize.tax_rate(record), "StatusAttributeString": "OK"}


def write_tax_rates(call: Call, upsert: bool) -> Response:
    raws = body_elements(call, "TaxRates")
    results = [write_tax_rate(call, raw, f"TaxRates[{index}]", upsert) for index, raw in enumerate(raws)]
    return batch_answer(call, "TaxRates", results)


def put_tax_rates(call: Call) -> Response:
    return write_tax_rates(call, upsert=False)


def post_tax_rates(call: Call) -> Response:
    return write_tax_rates(call, upsert=True)

"""Compare an object the sandbox served with Stripe's own fixture for that resource (fixtures3.json):
the same keys, values of the same JSON types, ids with the same prefixes.

Two documented allowances, both Stripe's API rather than the sandbox's taste:
- null where Stripe's API says the field is nullable but the fixture happens to show a value (NULLABLE);
- placeholder objects in the fixture whose keys are not the real object's (STUBS): only "an object" is checked.
A fixture null says nothing about type, so any value is accepted there; `{}` in the fixture is a map.
"""

from __future__ import annotations

import json
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

FIXTURES_DIR = Path(
    os.environ.get("STRIPE_FIXTURES_DIR", Path(__file__).resolve().parents[3].parent / "shared" / "stripe-openapi")
)
FIXTURES = FIXTURES_DIR / "fixtures3.json"
ID_PREFIXES = ("cs_test_", "cs_", "pi_", "ch_", "re_", "acct_", "evt_", "txn_", "we_", "dp_")
ID_SHAPE = re.compile(r"^[a-z]+_[A-Za-z0-9_]+$")
NULLABLE = {
    "account": {"business_type", "email", "requirements.disabled_reason"},
    "checkout.session": {
        "after_expiration",
        "automatic_tax.liability",
        "consent",
        "consent_collection",
        "customer_details",
        "customer_details.email",
        "custom_text.after_submit",
        "custom_text.shipping_address",
        "custom_text.submit",
        "custom_text.terms_of_service_acceptance",
        "invoice_creation.invoice_data.issuer",
        "invoice_creation.invoice_data.rendering_options",
        "payment_intent",
        "payment_method_configuration_details",
        "saved_payment_method_options",
        "shipping_address_collection",
        "shipping_cost",
        "url",
        "collected_information",
        "collected_information.shipping_details",
        "permissions",
        "wallet_options",
        "currency_conversion",
    },
    "payment_intent": {
        "automatic_payment_methods",
        "canceled_at",
        "last_payment_error",
        "next_action",
        "payment_method_configuration_details",
        "processing",
        "shipping",
        "transfer_data",
    },
    "charge": {
        "billing_details.name",
        "description",
        "balance_transaction",
        "shipping",
        "transfer_data",
        "source",
        "payment_method_details.card.installments",
        "payment_method_details.card.three_d_secure",
        "payment_method_details.card.wallet",
    },
}
NULLABLE["balance_transaction"] = {"description"}
STUBS = {"payment_intent": {"last_payment_error", "next_action"}}
EVENT_EXTRAS = {"account"}  # Connect events carry the connected account's id


@cache
def fixtures() -> dict[str, Any]:
    return json.loads(FIXTURES.read_text())["resources"]


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def prefix_of(value: str) -> str | None:
    return next((p for p in ID_PREFIXES if value.startswith(p)), None) if ID_SHAPE.match(value) else None


def problems(resource: str, served: Any) -> list[str]:
    """Where `served` differs from the fixture for `resource` (empty when it matches)."""
    found: list[str] = []
    _compare(resource, fixtures()[resource], served, "", found)
    return found


def _compare(resource: str, expected: Any, served: Any, path: str, found: list[str]) -> None:
    where = path or "(top)"
    if expected is None:
        return
    if served is None:
        if path not in NULLABLE.get(resource, set()):
            found.append(f"{resource} {where}: null where the fixture has {json_type(expected)}")
        return
    if json_type(expected) != json_type(served):
        found.append(f"{resource} {where}: {json_type(served)} where the fixture has {json_type(expected)}")
        return
    if isinstance(expected, str):
        wanted = prefix_of(expected)
        if wanted and prefix_of(served) != wanted:
            found.append(f"{resource} {where}: {served!r} lacks the id prefix {wanted!r}")
    elif isinstance(expected, dict):
        if not expected or path in STUBS.get(resource, set()) or path.endswith("metadata"):
            return
        if expected.get("object") == "list" and "data" in expected:
            for item in served.get("data", []):
                if isinstance(item, dict) and item.get("object") in fixtures():
                    found.extend(problems(item["object"], item))
            expected = {k: v for k, v in expected.items() if k != "data"}
            served = {k: v for k, v in served.items() if k != "data"}
        missing, extra = set(expected) - set(served), set(served) - set(expected)
        if missing or extra:
            found.append(f"{resource} {where}: missing keys {sorted(missing)}, extra keys {sorted(extra)}")
        for key in set(expected) & set(served):
            _compare(resource, expected[key], served[key], f"{path}.{key}" if path else key, found)


def event_problems(served: dict[str, Any]) -> list[str]:
    """An event: the envelope against `event`, its data.object against that object's own fixture."""
    envelope = {k: v for k, v in served.items() if k not in EVENT_EXTRAS | {"data"}}
    found: list[str] = []
    _compare("event", {k: v for k, v in fixtures()["event"].items() if k != "data"}, envelope, "", found)
    if "account" in served and not str(served["account"]).startswith("acct_"):
        found.append(f"event account: {served['account']!r} lacks the id prefix 'acct_'")
    obj = served["data"]["object"]
    if obj.get("object") in fixtures():
        found.extend(problems(obj["object"], obj))
    extra = set(served["data"]) - {"object", "previous_attributes"}
    if extra:
        found.append(f"event data: extra keys {sorted(extra)}")
    return found

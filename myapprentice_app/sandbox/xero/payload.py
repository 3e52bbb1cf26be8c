"""Reading typed fields out of untrusted JSON; anything Xero could not deserialise raises PayloadError."""

from __future__ import annotations

import json
import uuid
from decimal import Decimal
from typing import Any

from . import dates, money
from .responses import PayloadError


def _reject_constant(name: str) -> Any:
    raise PayloadError(f"Unexpected character encountered while parsing value: {name[0]}.")


def parse_json(body: bytes) -> Any:
    if not body.strip():
        raise PayloadError("JSON request body could not be read, the body is empty.")
    try:
        return json.loads(body, parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise PayloadError(f"Unexpected character encountered while parsing value. {exc}") from exc


def elements(body: Any, plural: str, allow_bare: bool = False) -> list[dict[str, Any]]:
    """`{"Invoices": [...]}` → the list; a bare object is accepted where the SDK sends one."""
    if isinstance(body, dict) and plural in body:
        items = body[plural]
        if not isinstance(items, list):
            raise PayloadError(f"Error converting value to type 'List`1'. Path '{plural}'.")
    elif isinstance(body, list):
        items = body
    elif isinstance(body, dict) and (allow_bare or body):
        items = [body]
    else:
        raise PayloadError(f"Cannot deserialize the request body into '{plural}'.")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise PayloadError(
                f"Error converting value {item!r} to type '{plural[:-1]}'. Path '{plural}[{index}]'."
            )
    return items


def text(raw: dict[str, Any], key: str, path: str) -> str | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PayloadError(f"Error converting value {value!r} to type 'String'. Path '{path}.{key}'.")
    return str(value)


def number(raw: dict[str, Any], key: str, path: str) -> Decimal | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    try:
        return money.to_decimal(value)
    except money.AmountError as exc:
        raise PayloadError(f"{exc}. Path '{path}.{key}'.") from exc


def guid(raw: dict[str, Any], key: str, path: str) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    try:
        return str(uuid.UUID(str(value))) if isinstance(value, str) else _bad_guid(value, key, path)
    except ValueError as exc:
        raise PayloadError(
            f"Error converting value {value!r} to type 'System.Guid'. Path '{path}.{key}'."
        ) from exc


def _bad_guid(value: Any, key: str, path: str) -> str:
    raise PayloadError(f"Error converting value {value!r} to type 'System.Guid'. Path '{path}.{key}'.")


def boolean(raw: dict[str, Any], key: str, path: str) -> bool | None:
    value = raw.get(key)
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise PayloadError(f"Error converting value {value!r} to type 'Boolean'. Path '{path}.{key}'.")


def choice(raw: dict[str, Any], key: str, path: str, allowed: tuple[str, ...], type_name: str) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if isinstance(value, str):
        for option in allowed:
            if option.lower() == value.lower():
                return option
    raise PayloadError(f"Error converting value {value!r} to type '{type_name}'. Path '{path}.{key}'.")


def date(raw: dict[str, Any], key: str, path: str) -> str | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    try:
        return dates.parse_request_date(value)
    except dates.DateError as exc:
        raise PayloadError(f"{exc}. Path '{path}.{key}'.") from exc


def obj(raw: dict[str, Any], key: str, path: str) -> dict[str, Any] | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, dict):
        raise PayloadError(f"Error converting value {value!r} to type '{key}'. Path '{path}.{key}'.")
    return value


def array(raw: dict[str, Any], key: str, path: str) -> list[dict[str, Any]] | None:
    value = raw.get(key)
    if value is None:
        return None
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise PayloadError(f"Error converting value to type 'List`1'. Path '{path}.{key}'.")
    return value

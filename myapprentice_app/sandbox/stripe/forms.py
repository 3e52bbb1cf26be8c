"""Stripe's form encoding (`a[b][0][c]=v`) decoded into nested dicts and lists, and typed param readers
that answer with Stripe's own messages."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from .errors import invalid, missing_param

KEY_PART = re.compile(r"\[([^\[\]]*)\]")
METADATA_LIMITS = (50, 40, 500)  # keys, key length, value length


def decode(raw: str) -> dict[str, Any]:
    root: dict[str, Any] = {}
    for key, value in parse_qsl(raw, keep_blank_values=True):
        head = key.split("[", 1)[0]
        parts = [head, *KEY_PART.findall(key[len(head) :])]
        node = root
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            if part == "":
                part = str(len(node))
            if last:
                node[part] = value
            else:
                child = node.setdefault(part, {})
                if not isinstance(child, dict):
                    raise invalid(f"Invalid value for {head}: cannot mix a value and a hash.", head)
                node = child
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    converted = {key: _lists(value) for key, value in node.items()}
    if converted and all(key.isascii() and key.isdigit() for key in converted):
        return [converted[key] for key in sorted(converted, key=int)]
    return converted


def path_name(prefix: str, name: str) -> str:
    return f"{prefix}[{name}]" if prefix else name


def check_known(params: dict[str, Any], allowed: set[str], prefix: str = "") -> None:
    for name in params:
        if name not in allowed and name != "expand":
            raise invalid(
                f"Received unknown parameter: {path_name(prefix, name)}", path_name(prefix, name), "parameter_unknown"
            )


def text(params: dict[str, Any], name: str, required: bool = False, prefix: str = "") -> str | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise missing_param(path_name(prefix, name))
        return None
    if not isinstance(value, str):
        raise invalid(f"Invalid string: {value!r}", path_name(prefix, name), "parameter_invalid_string")
    return value


def integer(
    params: dict[str, Any], name: str, required: bool = False, minimum: int | None = None, prefix: str = ""
) -> int | None:
    value = text(params, name, required, prefix)
    if value is None:
        return None
    if not re.fullmatch(r"-?\d+", value):
        raise invalid(f"Invalid integer: {value}", path_name(prefix, name), "parameter_invalid_integer")
    number = int(value)
    if minimum is not None and number < minimum:
        raise invalid(
            f"This value must be greater than or equal to {minimum}.",
            path_name(prefix, name),
            "parameter_invalid_integer",
        )
    return number


def boolean(params: dict[str, Any], name: str, default: bool = False) -> bool:
    value = params.get(name)
    if value is None or value == "":
        return default
    if value not in ("true", "false"):
        raise invalid(f"Invalid boolean: {value}", name)
    return value == "true"


def choice(params: dict[str, Any], name: str, options: tuple[str, ...], required: bool = False) -> str | None:
    value = text(params, name, required)
    if value is not None and value not in options:
        listed = ", ".join(options[:-1]) + f", or {options[-1]}" if len(options) > 1 else options[0]
        raise invalid(f"Invalid {name}: must be one of {listed}", name)
    return value


def mapping(params: dict[str, Any], name: str, required: bool = False, prefix: str = "") -> dict[str, Any]:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise missing_param(path_name(prefix, name))
        return {}
    if not isinstance(value, dict):
        raise invalid("Invalid object", path_name(prefix, name))
    return value


def strings(params: dict[str, Any], name: str) -> list[str]:
    value = params.get(name)
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid("Invalid array", name)
    return value


def metadata(params: dict[str, Any], current: dict[str, str] | None = None, name: str = "metadata") -> dict[str, str]:
    """Merge `metadata[key]=value` into `current`; an empty value unsets that key, as in Stripe."""
    result = dict(current or {})
    raw = params.get(name)
    if raw is None:
        return result
    if raw == "":
        return {}
    if not isinstance(raw, dict):
        raise invalid("Invalid metadata: must be a hash", name)
    max_keys, max_key, max_value = METADATA_LIMITS
    for key, value in raw.items():
        if not isinstance(value, str):
            raise invalid(f"Invalid value for metadata[{key}]: must be a string", f"{name}[{key}]")
        if len(key) > max_key:
            raise invalid(f"Metadata keys can have up to {max_key} characters.", f"{name}[{key}]")
        if len(value) > max_value:
            raise invalid(f"Metadata values can have up to {max_value} characters.", f"{name}[{key}]")
        if value == "":
            result.pop(key, None)
        else:
            result[key] = value
    if len(result) > max_keys:
        raise invalid(f"You can specify up to {max_keys} metadata keys.", name)
    return result

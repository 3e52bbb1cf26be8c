"""Currency and amount checks with Stripe's messages."""

from __future__ import annotations

from typing import Any

from . import forms
from .errors import invalid

CURRENCIES = ("aud", "cad", "eur", "gbp", "jpy", "nzd", "sgd", "usd")
ZERO_DECIMAL = ("jpy",)
MINIMUM = {"jpy": 50, "gbp": 30}  # other supported currencies: 50 minor units


def currency(params: dict[str, Any], name: str = "currency", prefix: str = "") -> str:
    value = forms.text(params, name, required=True, prefix=prefix)
    assert value is not None
    code = value.lower()
    if code not in CURRENCIES:
        raise invalid(
            f"Invalid currency: {value}. Stripe currently supports these currencies: {', '.join(CURRENCIES)}",
            forms.path_name(prefix, name),
        )
    return code


def amount(params: dict[str, Any], code: str, name: str = "amount", prefix: str = "") -> int:
    value = forms.integer(params, name, required=True, minimum=1, prefix=prefix)
    assert value is not None
    minimum = MINIMUM.get(code, 50)
    if value < minimum:
        shown = f"{minimum}" if code in ZERO_DECIMAL else f"{minimum / 100:.2f}"
        raise invalid(f"Amount must be at least {shown} {code}", forms.path_name(prefix, name), "amount_too_small")
    if value > 99999999:
        raise invalid("Amount must be no more than 999,999.99", forms.path_name(prefix, name), "amount_too_large")
    return value

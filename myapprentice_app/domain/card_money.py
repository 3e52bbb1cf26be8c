"""Money in Stripe's minor units (cents) and back, exactly (Decimal, never float)."""

from __future__ import annotations

from decimal import Decimal

ZERO_DECIMAL = frozenset({"JPY", "KRW", "VND", "CLP", "ISK", "UGX", "XAF", "XOF"})


def to_minor(amount: Decimal, currency: str) -> int:
    places = 0 if currency.upper() in ZERO_DECIMAL else 2
    return int((amount * (10 ** places)).to_integral_value())


def from_minor(amount: int, currency: str) -> Decimal:
    places = 0 if currency.upper() in ZERO_DECIMAL else 2
    return (Decimal(amount) / (10 ** places)).quantize(Decimal(1) if places == 0 else Decimal("0.01"))

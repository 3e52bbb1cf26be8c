"""Stripe's standard fee for a domestic card, by the connected account's country (stripe.com/pricing).
The fee is in the account's minor units and includes GST/VAT where it applies (Stripe does not split it)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

# country: (percent of the amount, fixed part in minor units)
DOMESTIC_CARD_FEES: dict[str, tuple[Decimal, int]] = {
    "AU": (Decimal("1.75"), 30),  # 1.75% + A$0.30
    "US": (Decimal("2.9"), 30),  # 2.9% + US$0.30
    "GB": (Decimal("1.5"), 20),  # 1.5% + 20p
}


def stripe_fee(country: str, amount: int) -> int:
    percent, fixed = DOMESTIC_CARD_FEES[country]
    variable = (Decimal(amount) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return min(int(variable) + fixed, amount)

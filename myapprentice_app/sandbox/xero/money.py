"""Decimal arithmetic the way Xero rounds: per line, half away from zero, 2 dp totals."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
TEN_THOUSANDTH = Decimal("0.0001")
ZERO = Decimal("0")
# Xero amounts are limited well below this; anything larger is a payload error, not arithmetic.
LARGEST = Decimal("1e12")


class AmountError(ValueError):
    pass


def to_decimal(value: object) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise AmountError(f"Error converting value {value!r} to type 'Decimal'")
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError) as exc:
        raise AmountError(f"Error converting value {value!r} to type 'Decimal'") from exc
    if not amount.is_finite() or abs(amount) >= LARGEST:
        raise AmountError(f"Value {value!r} was either too large or too small for a Decimal")
    return amount


def round2(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def round4(amount: Decimal) -> Decimal:
    return amount.quantize(TEN_THOUSANDTH, rounding=ROUND_HALF_UP)


def unit_amount(amount: Decimal, unitdp: int) -> Decimal:
    return round4(amount) if unitdp == 4 else round2(amount)


def line_amount(quantity: Decimal, unit: Decimal, discount_rate: Decimal | None) -> Decimal:
    gross = quantity * unit
    if discount_rate:
        gross = gross * (Decimal(100) - discount_rate) / Decimal(100)
    return round2(gross)


def line_tax(amount: Decimal, rate_percent: Decimal, line_amount_types: str) -> Decimal:
    if line_amount_types == "NoTax" or not rate_percent:
        return ZERO.quantize(CENT)
    rate = rate_percent / Decimal(100)
    if line_amount_types == "Inclusive":
        return round2(amount * rate / (1 + rate))
    return round2(amount * rate)


def document_totals(
    lines: list[tuple[Decimal, Decimal]], line_amount_types: str
) -> tuple[Decimal, Decimal, Decimal]:
    """(SubTotal, TotalTax, Total) from (LineAmount, TaxAmount) pairs."""
    line_sum = sum((amount for amount, _ in lines), ZERO)
    tax = sum((tax for _, tax in lines), ZERO)
    if line_amount_types == "Inclusive":
        return round2(line_sum - tax), round2(tax), round2(line_sum)
    return round2(line_sum), round2(tax), round2(line_sum + tax)

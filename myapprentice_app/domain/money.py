"""Invoice arithmetic done the way Xero does it: round each line to cents, then add the lines up."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

CENT = Decimal("0.01")
UNIT = Decimal("0.0001")


class AmountsAre(StrEnum):
    EXCLUSIVE = "exclusive"
    INCLUSIVE = "inclusive"
    NO_TAX = "no_tax"

    @property
    def xero_line_amount_type(self) -> str:
        return {"exclusive": "Exclusive", "inclusive": "Inclusive", "no_tax": "NoTax"}[self.value]


def to_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class LineTotals:
    line_amount: Decimal  # as entered: excl. or incl. tax, depending on AmountsAre
    tax_amount: Decimal


@dataclass(frozen=True)
class DocumentTotals:
    subtotal: Decimal  # excluding tax
    total_tax: Decimal
    total: Decimal


def line_totals(quantity: Decimal, unit_amount: Decimal, rate_percent: Decimal, amounts_are: AmountsAre) -> LineTotals:
    line_amount = to_cents(quantity * unit_amount)
    if amounts_are is AmountsAre.NO_TAX:
        return LineTotals(line_amount, Decimal("0.00"))
    rate = rate_percent / 100
    if amounts_are is AmountsAre.EXCLUSIVE:
        return LineTotals(line_amount, to_cents(line_amount * rate))
    return LineTotals(line_amount, to_cents(line_amount * rate / (1 + rate)))


def document_totals(lines: list[LineTotals], amounts_are: AmountsAre) -> DocumentTotals:
    total_tax = sum((line.tax_amount for line in lines), Decimal("0.00"))
    entered = sum((line.line_amount for line in lines), Decimal("0.00"))
    if amounts_are is AmountsAre.INCLUSIVE:
        return DocumentTotals(entered - total_tax, total_tax, entered)
    return DocumentTotals(entered, total_tax, entered + total_tax)


def money(amount: Decimal, currency: str = "AUD") -> str:
    """An amount as people read it: $1,234.50."""
    symbol = "$" if currency in {"AUD", "NZD", "USD"} else f"{currency} "
    return f"{symbol}{amount:,.2f}"

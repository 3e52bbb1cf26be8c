"""Priced lines shared by invoices, quotes and jobs: parsing, validation and Xero-style totals."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from myapprentice_app.domain.money import AmountsAre, DocumentTotals, LineTotals, document_totals, line_totals
from myapprentice_app.models import LineItem, TaxRate

CATEGORIES = ("labour", "materials", "other")
MAX_QUANTITY = Decimal("1000000")
MAX_UNIT_AMOUNT = Decimal("10000000")
MAX_DESCRIPTION = 4000
MAX_LINES = 200
MAX_TOTAL = Decimal("1000000000")
FOUR_PLACES = Decimal("0.0001")


@dataclass
class LineDraft:
    description: str
    quantity: str | Decimal
    unit_amount: str | Decimal
    category: str = "labour"
    tax_rate_id: int | None = None


THOUSANDS = re.compile(r"[+-]?\d{1,3}(,\d{3})+(\.\d*)?")

def parse_decimal(value: str | Decimal | int | None) -> Decimal | None:
    """A number as typed ("1,250.50", "$90") or None when it isn't one. A comma only separates thousands: "1,00"
    (a decimal comma) is not read as 100."""
    if isinstance(value, Decimal):
        return value if value.is_finite() else None
    text = str(value).replace("$", "").strip()
    if "," in text and not THOUSANDS.fullmatch(text):
        return None
    try:
        parsed = Decimal(text.replace(",", ""))
    except (InvalidOperation, ValueError):
        return None
    return parsed if parsed.is_finite() else None


def line_problems(index: int, line: LineDraft, rates: dict[int, TaxRate]) -> dict[str, str]:
    problems = {}
    prefix = f"lines.{index}"
    if not line.description.strip():
        problems[f"{prefix}.description"] = "Describe the work or item."
    elif len(line.description) > MAX_DESCRIPTION:
        problems[f"{prefix}.description"] = f"Keep descriptions under {MAX_DESCRIPTION:,} characters."
    quantity = parse_decimal(line.quantity)
    if quantity is None:
        problems[f"{prefix}.quantity"] = "Enter a number."
    elif not (0 < quantity <= MAX_QUANTITY) or quantity != quantity.quantize(FOUR_PLACES):
        problems[f"{prefix}.quantity"] = "Enter a quantity above 0 and up to 1,000,000 (at most 4 decimals)."
    unit_amount = parse_decimal(line.unit_amount)
    if unit_amount is None:
        problems[f"{prefix}.unit_amount"] = "Enter a price."
    elif not (-MAX_UNIT_AMOUNT <= unit_amount <= MAX_UNIT_AMOUNT) or unit_amount != unit_amount.quantize(FOUR_PLACES):
        problems[f"{prefix}.unit_amount"] = "Enter a price up to 10,000,000 (at most 4 decimals)."
    if line.category not in CATEGORIES:
        problems[f"{prefix}.category"] = "Choose labour, materials or other."
    if line.tax_rate_id is not None and line.tax_rate_id not in rates:
        problems[f"{prefix}.tax_rate_id"] = "Choose one of your tax rates."
    return problems


def lines_problems(lines: list[LineDraft], rates: dict[int, TaxRate], amounts_are: str) -> dict[str, str]:
    """Every problem with a set of lines, keyed lines.<index>.<field>, plus 'lines' for the set as a whole."""
    if not lines:
        return {"lines": "Add at least one line."}
    if len(lines) > MAX_LINES:
        return {"lines": f"An invoice can have at most {MAX_LINES} lines."}
    problems: dict[str, str] = {}
    for index, line in enumerate(lines):
        problems.update(line_problems(index, line, rates))
    if not problems and amounts_are in {a.value for a in AmountsAre}:
        totals = compute(lines, rates, AmountsAre(amounts_are))[1]
        if totals.total < 0:
            problems["lines"] = "The total can't be below zero. Raise a credit note in Xero for refunds."
        elif totals.total >= MAX_TOTAL:
            problems["lines"] = "The total is too large. Split the work across several invoices."
    return problems


def compute(
    lines: list[LineDraft], rates: dict[int, TaxRate], amounts_are: AmountsAre
) -> tuple[list[LineTotals], DocumentTotals]:
    """Totals of validated lines: each line rounded to cents, then added up (Xero's way)."""
    per_line = []
    for line in lines:
        quantity, unit_amount = parse_decimal(line.quantity), parse_decimal(line.unit_amount)
        assert quantity is not None and unit_amount is not None
        rate = rates[line.tax_rate_id].rate if line.tax_rate_id is not None else Decimal(0)
        per_line.append(line_totals(quantity, unit_amount, rate, amounts_are))
    return per_line, document_totals(per_line, amounts_are)


def build_items(
    lines: list[LineDraft], rates: dict[int, TaxRate], amounts_are: AmountsAre, **owner: int | None
) -> tuple[list[LineItem], DocumentTotals]:
    """LineItem rows for one owner (invoice_id=, quote_id= or job_id=) and the document totals."""
    per_line, totals = compute(lines, rates, amounts_are)
    items = []
    for position, (line, amounts) in enumerate(zip(lines, per_line, strict=True)):
        items.append(
            LineItem(
                position=position,
                description=line.description.strip(),
                quantity=parse_decimal(line.quantity),  # type: ignore[arg-type]
                unit_amount=parse_decimal(line.unit_amount),  # type: ignore[arg-type]
                category=line.category,
                tax_rate_id=line.tax_rate_id,
                line_amount=amounts.line_amount,
                tax_amount=amounts.tax_amount,
                **owner,
            )
        )
    return items, totals


def drafts_from(items: list[LineItem]) -> list[LineDraft]:
    """Copy stored lines (a quote's, a job's) into editable drafts."""
    return [
        LineDraft(
            description=item.description,
            quantity=plain_number(item.quantity),
            unit_amount=plain_number(item.unit_amount, places=2),
            category=item.category,
            tax_rate_id=item.tax_rate_id,
        )
        for item in sorted(items, key=lambda item: (item.position, item.id or 0))
    ]


def plain_number(value: Decimal, places: int = 0) -> str:
    """What a person would have typed: 1.5000 -> "1.5"; with places=2, 95.0000 -> "95.00"."""
    text = format(value.normalize(), "f")
    decimals = len(text.partition(".")[2])
    return format(value.quantize(Decimal(1).scaleb(-max(decimals, places))), "f")


def preview(
    lines: list[LineDraft], rates: dict[int, Decimal], amounts_are: str
) -> tuple[list[Decimal | None], DocumentTotals]:
    """Live totals while typing: lines that don't parse yet count as nothing (and show no amount)."""
    mode = AmountsAre(amounts_are) if amounts_are in {a.value for a in AmountsAre} else AmountsAre.EXCLUSIVE
    amounts: list[Decimal | None] = []
    counted = []
    for line in lines:
        quantity, unit_amount = parse_decimal(line.quantity), parse_decimal(line.unit_amount)
        if (
            quantity is None
            or unit_amount is None
            or abs(quantity) > MAX_QUANTITY
            or abs(unit_amount) > MAX_UNIT_AMOUNT
        ):
            amounts.append(None)
            continue
        totals = line_totals(quantity, unit_amount, rates.get(line.tax_rate_id or 0, Decimal(0)), mode)
        amounts.append(totals.line_amount)
        counted.append(totals)
    return amounts, document_totals(counted, mode)

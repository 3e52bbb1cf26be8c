"""The line editor's state (a mixin for the invoice, job and quote forms): lines as typed, live
Xero-style totals from Python."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import reflex as rx

from myapprentice_app.domain.money import AmountsAre, money
from myapprentice_app.domain.whole_numbers import whole_number
from myapprentice_app.models.invoice_views import LineForm, Option
from myapprentice_app.services.lines import LineDraft, parse_decimal, preview

NO_TAX = "none"


LINE_FIELDS = ("description", "quantity", "unit_amount", "category", "tax_rate_id")


AMOUNTS_OPTIONS = [
    (AmountsAre.EXCLUSIVE.value, "Tax exclusive"),
    (AmountsAre.INCLUSIVE.value, "Tax inclusive"),
    (AmountsAre.NO_TAX.value, "No tax"),
]


MAX_EDITOR_LINES = 200


class LineEditorMixin(rx.State, mixin=True):
    lines: list[LineForm] = []
    tax_options: list[Option] = []
    amounts_are: str = AmountsAre.EXCLUSIVE.value
    subtotal: str = "$0.00"
    total_tax: str = "$0.00"
    total: str = "$0.00"
    errors: dict[str, str] = {}
    _rates: dict[str, str] = {}
    _default_rate: str = NO_TAX

    def _use_rates(self, rates: list[tuple[int, str, Decimal, bool]]) -> None:
        self.tax_options = [Option(value=NO_TAX, label="No tax")] + [
            Option(value=str(rate_id), label=name) for rate_id, name, _, _ in rates
        ]
        self._rates = {str(rate_id): str(rate) for rate_id, _, rate, _ in rates}
        self._default_rate = next((str(rate_id) for rate_id, _, _, default in rates if default), NO_TAX)

    def _use_lines(self, drafts: list[LineDraft]) -> None:
        self.lines = [
            LineForm(
                description=d.description,
                quantity=str(d.quantity),
                unit_amount=str(d.unit_amount),
                category=d.category,
                tax_rate_id=str(d.tax_rate_id) if d.tax_rate_id else NO_TAX,
            )
            for d in drafts
        ] or [self._blank_line()]
        self._recompute()

    def _blank_line(self) -> LineForm:
        return LineForm(tax_rate_id=self._default_rate)

    def _drafts(self) -> list[LineDraft]:
        return [
            LineDraft(
                description=line.description,
                quantity=line.quantity,
                unit_amount=line.unit_amount,
                category=line.category,
                tax_rate_id=_rate_id(line.tax_rate_id),
            )
            for line in self.lines
        ]

    def _recompute(self) -> None:
        rates = {int(key): parse_decimal(value) or Decimal(0) for key, value in self._rates.items()}
        amounts, totals = preview(self._drafts(), rates, self.amounts_are)
        self.lines = [
            replace(line, line_amount=money(amount) if amount is not None else "—")
            for line, amount in zip(self.lines, amounts, strict=True)
        ]
        self.subtotal, self.total_tax, self.total = money(totals.subtotal), money(totals.total_tax), money(totals.total)

    @rx.event
    def set_line_field(self, index: int, field: str, value: str):
        if field not in LINE_FIELDS or not isinstance(index, int) or not 0 <= index < len(self.lines):
            return
        lines = list(self.lines)
        lines[index] = replace(lines[index], **{field: str(value)[:10_000]})
        self.lines = lines
        self.errors.pop(f"lines.{index}.{field}", None)
        self._recompute()

    @rx.event
    def add_line(self):
        if len(self.lines) < MAX_EDITOR_LINES:
            self.lines = [*self.lines, self._blank_line()]

    @rx.event
    def remove_line(self, index: int):
        if isinstance(index, int) and 0 <= index < len(self.lines) and len(self.lines) > 1:
            self.lines = [line for position, line in enumerate(self.lines) if position != index]
            self.errors = {}
            self._recompute()

    @rx.event
    def set_amounts_are(self, value: str):
        if value in [a.value for a in AmountsAre]:  # a list: a crafted event's list or object can't be hashed
            self.amounts_are = value
            self._recompute()


def _rate_id(value: str) -> int | None:
    return whole_number(value)

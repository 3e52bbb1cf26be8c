"""The line editor shared by invoices, quotes and jobs: lines as typed, live Xero-style totals from Python."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any

import reflex as rx

from myapprentice_app.domain.money import AmountsAre
from myapprentice_app.models.invoice_views import LineForm, Option
from myapprentice_app.selectors.invoices import money
from myapprentice_app.services.lines import CATEGORIES, LineDraft, parse_decimal, plain_number, preview
from myapprentice_app.ui.components.layout import field_error

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
        if field not in LINE_FIELDS or not 0 <= index < len(self.lines):
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
        if 0 <= index < len(self.lines) and len(self.lines) > 1:
            self.lines = [line for position, line in enumerate(self.lines) if position != index]
            self.errors = {}
            self._recompute()

    @rx.event
    def set_amounts_are(self, value: str):
        if value in {a.value for a in AmountsAre}:
            self.amounts_are = value
            self._recompute()


def _rate_id(value: str) -> int | None:
    return int(value) if value.isdigit() else None


def _line_row(state: Any, line: Any, index: Any) -> rx.Component:
    def error(field: str) -> rx.Component:
        return field_error(state.errors.get(f"lines.{index}.{field}", ""))

    def on(field: str):  # noqa: ANN202
        return lambda value: state.set_line_field(index, field, value)

    return rx.box(
        rx.grid(
            rx.vstack(
                rx.text_area(
                    value=line.description,
                    on_change=on("description"),
                    placeholder="Description",
                    aria_label="Description",
                    rows="2",
                    width="100%",
                ),
                error("description"),
                spacing="1",
                grid_column=["1 / -1", "1 / -1", "auto"],
            ),
            rx.vstack(
                rx.input(
                    value=line.quantity,
                    on_change=on("quantity"),
                    aria_label="Quantity",
                    input_mode="decimal",
                    placeholder="Qty",
                ),
                error("quantity"),
                spacing="1",
            ),
            rx.vstack(
                rx.input(
                    value=line.unit_amount,
                    on_change=on("unit_amount"),
                    aria_label="Unit price",
                    input_mode="decimal",
                    placeholder="Unit price",
                ),
                error("unit_amount"),
                spacing="1",
            ),
            rx.vstack(
                rx.select.root(
                    rx.select.trigger(aria_label="Category", width="100%"),
                    rx.select.content(*[rx.select.item(c.capitalize(), value=c) for c in CATEGORIES]),
                    value=line.category,
                    on_change=on("category"),
                ),
                error("category"),
                spacing="1",
            ),
            rx.vstack(
                rx.select.root(
                    rx.select.trigger(aria_label="Tax rate", width="100%"),
                    rx.select.content(rx.foreach(state.tax_options, lambda o: rx.select.item(o.label, value=o.value))),
                    value=line.tax_rate_id,
                    on_change=on("tax_rate_id"),
                ),
                error("tax_rate_id"),
                spacing="1",
            ),
            rx.hstack(
                rx.text(line.line_amount, weight="medium", data_testid="line-amount"),
                rx.icon_button(
                    rx.icon("trash-2", size=16),
                    variant="ghost",
                    color_scheme="red",
                    aria_label="Remove line",
                    on_click=state.remove_line(index),
                ),
                align="center",
                justify="end",
            ),
            columns=rx.breakpoints(initial="2", md="6"),
            grid_template_columns=["1fr 1fr", "1fr 1fr", "3fr 0.8fr 1fr 1.2fr 1.2fr 1fr"],
            spacing="2",
            width="100%",
            align="start",
        ),
        padding_y="0.5em",
        border_bottom=f"1px solid {rx.color('gray', 4)}",
        width="100%",
        data_testid="line-editor-row",
    )


def line_editor(state: Any) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.heading("Lines", size="4"),
            rx.spacer(),
            rx.select.root(
                rx.select.trigger(aria_label="Amounts are"),
                rx.select.content(*[rx.select.item(label, value=value) for value, label in AMOUNTS_OPTIONS]),
                value=state.amounts_are,
                on_change=state.set_amounts_are,
            ),
            width="100%",
            align="center",
        ),
        field_error(state.errors.get("lines", "")),
        rx.foreach(state.lines, lambda line, index: _line_row(state, line, index)),
        rx.button(rx.icon("plus", size=16), "Add line", variant="soft", on_click=state.add_line),
        totals_box(state.subtotal, state.total_tax, state.total),
        width="100%",
        spacing="2",
    )


def totals_box(subtotal: Any, tax: Any, total: Any) -> rx.Component:
    def row(label: str, value: Any, testid: str, strong: bool = False) -> rx.Component:
        return rx.hstack(
            rx.text(label, color_scheme="gray"),
            rx.spacer(),
            rx.text(value, weight="bold" if strong else "regular", data_testid=testid),
            width="100%",
        )

    return rx.vstack(
        row("Subtotal", subtotal, "subtotal"),
        row("Tax", tax, "total-tax"),
        rx.divider(),
        row("Total", total, "total", strong=True),
        width=["100%", "18em"],
        align_self="end",
        spacing="1",
    )


__all__ = ["LineEditorMixin", "NO_TAX", "line_editor", "plain_number", "totals_box"]

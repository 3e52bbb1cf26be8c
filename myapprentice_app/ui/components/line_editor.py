"""The line editor shared by invoices, quotes and jobs: lines as typed, live Xero-style totals from Python."""

from __future__ import annotations

from typing import Any

import reflex as rx

from myapprentice_app.services.lines import CATEGORIES, plain_number
from myapprentice_app.ui.components.layout import field_error
from myapprentice_app.ui.state.line_editor import (
    AMOUNTS_OPTIONS,
)


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


__all__ = ["line_editor", "plain_number", "totals_box"]

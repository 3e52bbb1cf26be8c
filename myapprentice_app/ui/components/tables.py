"""A plain data table for list pages: headers plus one cell per attribute of each row."""

from __future__ import annotations

import reflex as rx


def data_table(rows: rx.Var, columns: list[tuple[str, str]], empty: str, testid: str) -> rx.Component:
    return rx.cond(
        rows.length() > 0,  # type: ignore[attr-defined]
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(title) for title, _ in columns])),
            rx.table.body(
                rx.foreach(rows, lambda row: rx.table.row(
                    *[rx.table.cell(getattr(row, attribute)) for _, attribute in columns], data_testid=testid))
            ),
            width="100%",
            variant="surface",
        ),
        rx.callout(empty, icon="info", data_testid="empty-state"),
    )

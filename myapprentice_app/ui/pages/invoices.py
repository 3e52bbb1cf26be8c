from __future__ import annotations

from typing import Any

import reflex as rx

from myapprentice_app.domain.invoice_status import InvoiceStatus, SyncStatus
from myapprentice_app.ui.components.badges import status_badge, sync_badge
from myapprentice_app.ui.components.error_causes import errors_by_cause_panel
from myapprentice_app.ui.components.invoice_actions import payment_dialog
from myapprentice_app.ui.components.layout import page
from myapprentice_app.ui.components.sync_actions import (
    SyncActionsState,
    connection_banner,
    send_all_button,
    sync_all_button,
)
from myapprentice_app.ui.components.sync_board import sync_board_panel
from myapprentice_app.ui.state.invoice_actions import InvoiceActionsState
from myapprentice_app.ui.state.invoices import ALL, InvoicesState


def _filters() -> rx.Component:
    return rx.flex(
        rx.select.root(
            rx.select.trigger(placeholder="Client", aria_label="Client filter"),
            rx.select.content(
                rx.select.item("All clients", value=ALL),
                rx.foreach(InvoicesState.clients, lambda option: rx.select.item(option.label, value=option.value)),
            ),
            value=InvoicesState.client_id,
            on_change=InvoicesState.filter_client,
        ),
        rx.form(
            rx.flex(
                rx.input(name="date_from", type="date", aria_label="From date", default_value=InvoicesState.date_from),
                rx.text("to", size="2"),
                rx.input(name="date_to", type="date", aria_label="To date", default_value=InvoicesState.date_to),
                rx.button("Apply dates", type="submit", variant="soft"),
                align="center",
                spacing="2",
                wrap="wrap",
            ),
            on_submit=InvoicesState.filter_dates,
        ),
        rx.button("Clear filters", variant="ghost", on_click=InvoicesState.clear_filters),
        rx.select.root(
            rx.select.trigger(placeholder="Status", aria_label="Status filter"),
            rx.select.content(
                rx.select.item("All statuses", value=ALL),
                *[rx.select.item(status.label, value=status.value) for status in InvoiceStatus],
            ),
            value=InvoicesState.status,
            on_change=InvoicesState.filter_status,
        ),
        rx.select.root(
            rx.select.trigger(placeholder="Xero sync", aria_label="Sync status filter"),
            rx.select.content(
                rx.select.item("Any sync status", value=ALL),
                *[rx.select.item(status.label, value=status.value) for status in SyncStatus],
            ),
            value=InvoicesState.sync_status,
            on_change=InvoicesState.filter_sync_status,
        ),
        rx.form(
            rx.hstack(
                rx.input(name="search", placeholder="Search number, client or reference", aria_label="Search",
                         width=["100%", "18em"]),
                rx.button("Search", type="submit", variant="soft"),
            ),
            on_submit=InvoicesState.run_search,
        ),
        spacing="2",
        wrap="wrap",
        class_name="invoice-filters",
        custom_attrs={"data-open": InvoicesState.filters_open.to_string()},
    )


def _filters_toggle() -> rx.Component:
    """On a phone the filters are folded, so the first invoice shows without scrolling past them."""
    return rx.button(rx.icon("sliders-horizontal", size=16), rx.cond(InvoicesState.filters_open, "Hide filters",
                                                                     "Filters"),
                     variant="soft", color_scheme="gray", on_click=InvoicesState.toggle_filters,
                     display=["flex", "none"], aria_expanded=InvoicesState.filters_open.to_string(),
                     data_testid="filters-toggle")


def _menu(row: Any) -> rx.Component:
    return rx.menu.root(
        rx.menu.trigger(rx.icon_button(rx.icon("ellipsis-vertical", size=16), variant="ghost", size="1",
                                       aria_label=f"Actions for {row.number}", data_testid="row-menu")),
        rx.menu.content(
            rx.menu.item("View", on_click=rx.redirect(f"/invoices/{row.id}")),
            rx.cond(row.pushable, rx.menu.item("Push to Xero", on_click=SyncActionsState.push_invoice(row.id),
                                               data_testid="menu-push"), rx.fragment()),
            rx.cond(InvoicesState.can_export,
                    rx.menu.item("CSV export", on_click=InvoiceActionsState.export_csv(row.id)), rx.fragment()),
            rx.cond(InvoicesState.can_pay & ((row.status == InvoiceStatus.AUTHORISED.value)
                                             | (row.status == InvoiceStatus.SENT.value)
                                             | (row.status == InvoiceStatus.PART_PAID.value)),
                    rx.menu.item("Mark as paid", on_click=InvoiceActionsState.open_payment(row.id)),
                    rx.fragment()),
            rx.cond(row.xero_url != "",
                    rx.menu.item(rx.link("Open in Xero", href=row.xero_url, is_external=True,
                                         data_testid="menu-open-in-xero")),
                    rx.fragment()),
        ),
    )


# On a phone the client folds under the number and the sync badge under the status, so three columns remain.
PHONE_ONLY = ["block", "none"]
WIDER_THAN_PHONE = ["none", "table-cell"]


def _row(row: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.number, href=f"/invoices/{row.id}"),
                      rx.text(row.client_name, size="1", color_scheme="gray", display=PHONE_ONLY)),
        rx.table.cell(row.client_name, display=WIDER_THAN_PHONE),
        rx.table.cell(row.issue_date, display=["none", "none", "table-cell"]),
        rx.table.cell(row.due_date, display=["none", "none", "table-cell"]),
        rx.table.cell(rx.flex(
            status_badge(row.status, row.status_label),
            rx.box(sync_badge(row.sync_status, row.sync_label, "sync-status-phone"), display=PHONE_ONLY),
            direction="column", spacing="1", align="start",
        )),
        rx.table.cell(sync_badge(row.sync_status, row.sync_label), display=WIDER_THAN_PHONE),
        rx.table.cell(rx.hstack(rx.text(row.total, data_testid="invoice-amount"), _menu(row), align="center",
                                justify="end", spacing="1")),
        data_testid="invoice-row",
    )


def _table() -> rx.Component:
    return rx.cond(
        InvoicesState.total_count > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Number"),
                    rx.table.column_header_cell("Client", display=WIDER_THAN_PHONE),
                    rx.table.column_header_cell("Date", display=["none", "none", "table-cell"]),
                    rx.table.column_header_cell("Due", display=["none", "none", "table-cell"]),
                    rx.table.column_header_cell("Status"),
                    rx.table.column_header_cell("Xero", display=WIDER_THAN_PHONE),
                    rx.table.column_header_cell("Amount"),
                )
            ),
            rx.table.body(rx.foreach(InvoicesState.rows, _row)),
            width="100%",
            variant="surface",
        ),
        rx.callout("No invoices match these filters.", icon="info", data_testid="empty-state"),
    )


def _pager() -> rx.Component:
    return rx.hstack(
        rx.button("Previous", variant="soft", disabled=InvoicesState.page <= 1,
                  on_click=InvoicesState.go_to_page(InvoicesState.page - 1)),
        rx.text(f"Page {InvoicesState.page} of {InvoicesState.page_count} · {InvoicesState.total_count} invoices",
                size="2", data_testid="pager"),
        rx.button("Next", variant="soft", disabled=InvoicesState.page >= InvoicesState.page_count,
                  on_click=InvoicesState.go_to_page(InvoicesState.page + 1)),
        align="center",
    )


def _toolbar() -> rx.Component:
    return rx.hstack(
        rx.link(rx.button(rx.icon("mail", size=16), "Sent emails", variant="soft", color_scheme="gray"),
                href="/outbox"),
        rx.spacer(),
        rx.cond(InvoicesState.can_create, rx.link(rx.button(rx.icon("plus", size=16), "New invoice"),
                                                  href="/invoices/new"), rx.fragment()),
        width="100%",
    )


def _content() -> rx.Component:
    return rx.vstack(
        _toolbar(),
        connection_banner(),
        rx.flex(send_all_button(), sync_all_button(), spacing="2", wrap="wrap"),
        sync_board_panel(errors_panel=errors_by_cause_panel()),
        _filters_toggle(),
        _filters(),
        rx.cond(InvoicesState.loaded, rx.vstack(_table(), _pager(), width="100%", spacing="3"),
                rx.center(rx.spinner(size="3"), padding="3em")),
        payment_dialog(),
        width="100%",
        spacing="3",
    )


def invoices_page() -> rx.Component:
    return page("Invoices", _content)

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import session_scope
from myapprentice_app.domain.invoice_status import InvoiceStatus, SyncStatus
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models.views import InvoiceRow
from myapprentice_app.selectors.invoices import InvoiceFilters, list_invoices
from myapprentice_app.ui.components.badges import status_badge, sync_badge
from myapprentice_app.ui.components.layout import page
from myapprentice_app.ui.state.session import authorise

ALL = "all"


class InvoicesState(rx.State):
    rows: list[InvoiceRow] = []
    total_count: int = 0
    page: int = 1
    page_count: int = 1
    status: str = ALL
    sync_status: str = ALL
    search: str = ""
    loaded: bool = False

    async def _reload(self):
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES, page=True)
        if principal is None:
            return refusal
        filters = InvoiceFilters(
            status="" if self.status == ALL else self.status,
            sync_status="" if self.sync_status == ALL else self.sync_status,
            search=self.search,
        )
        with session_scope() as session:
            result = list_invoices(session, principal, filters, page=self.page)
        self.rows, self.total_count = result.rows, result.total_count
        self.page, self.page_count = result.page, result.page_count
        self.loaded = True

    @rx.event
    async def load(self):
        return await self._reload()

    @rx.event
    async def filter_status(self, value: str):
        self.status = value if value == ALL else InvoiceStatus(value).value
        self.page = 1
        return await self._reload()

    @rx.event
    async def filter_sync_status(self, value: str):
        self.sync_status = value if value == ALL else SyncStatus(value).value
        self.page = 1
        return await self._reload()

    @rx.event
    async def run_search(self, form: dict):
        self.search = str(form.get("search", ""))[:100]
        self.page = 1
        return await self._reload()

    @rx.event
    async def go_to_page(self, number: int):
        self.page = number
        return await self._reload()


def _filters() -> rx.Component:
    return rx.flex(
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
        gap="2",
        wrap="wrap",
    )


def _row(row: rx.Var[InvoiceRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.link(row.number, href=f"/invoices/{row.id}")),
        rx.table.cell(row.client_name),
        rx.table.cell(row.issue_date, display=["none", "none", "table-cell"]),
        rx.table.cell(row.due_date, display=["none", "none", "table-cell"]),
        rx.table.cell(status_badge(row.status, row.status_label)),
        rx.table.cell(sync_badge(row.sync_status, row.sync_label)),
        rx.table.cell(rx.text(row.total, text_align="right")),
        data_testid="invoice-row",
    )


def _table() -> rx.Component:
    return rx.cond(
        InvoicesState.total_count > 0,
        rx.table.root(
            rx.table.header(
                rx.table.row(
                    rx.table.column_header_cell("Number"),
                    rx.table.column_header_cell("Client"),
                    rx.table.column_header_cell("Date", display=["none", "none", "table-cell"]),
                    rx.table.column_header_cell("Due", display=["none", "none", "table-cell"]),
                    rx.table.column_header_cell("Status"),
                    rx.table.column_header_cell("Xero"),
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


def invoices_page() -> rx.Component:
    return page("Invoices", lambda: rx.vstack(_filters(), _table(), _pager(), width="100%", spacing="3"))

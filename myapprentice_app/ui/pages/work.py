"""Jobs, clients and quotes lists, with New / Edit and — for completed jobs and accepted quotes — Create invoice."""

from __future__ import annotations

from typing import Any

import reflex as rx

from myapprentice_app.domain.work_status import JobStatus, QuoteStatus
from myapprentice_app.ui.components.layout import page
from myapprentice_app.ui.state.work import WorkState


def _table(rows: Any, headers: list[str], cells, empty: str, testid: str) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.cond(
        ~WorkState.loaded,
        rx.center(rx.spinner(size="3"), padding="3em"),
        rx.cond(
            rows.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in headers])),
                rx.table.body(
                    rx.foreach(
                        rows,
                        lambda row: rx.table.row(*[rx.table.cell(cell) for cell in cells(row)], data_testid=testid),
                    )
                ),
                width="100%",
                variant="surface",
            ),
            rx.callout(empty, icon="info", data_testid="empty-state"),
        ),
    )


def _new_button(label: str, href: str, allowed: Any) -> rx.Component:
    return rx.hstack(
        rx.spacer(),
        rx.cond(allowed, rx.link(rx.button(rx.icon("plus", size=16), label), href=href), rx.fragment()),
        width="100%",
    )


def _invoice_button(href: Any, testid: str) -> rx.Component:
    return rx.link(rx.button("Create invoice", size="1", variant="soft", data_testid=testid), href=href)


def jobs_page() -> rx.Component:
    def cells(job: Any) -> list:
        return [
            rx.cond(WorkState.can_manage, rx.link(job.title, href=f"/jobs/{job.id}"), rx.text(job.title)),
            job.client_name,
            job.status,
            job.assigned_to,
            rx.cond(
                WorkState.can_invoice & (job.status == JobStatus.COMPLETED.value),
                _invoice_button(f"/invoices/new?job={job.id}", "invoice-job"),
                rx.fragment(),
            ),
        ]

    return page(
        "Jobs",
        lambda: rx.vstack(
            _new_button("New job", "/jobs/new", WorkState.can_manage),
            _table(WorkState.jobs, ["Job", "Client", "Status", "Assigned to", ""], cells, "No jobs yet.", "job-row"),
            width="100%",
        ),
    )


def clients_page() -> rx.Component:
    def cells(client: Any) -> list:
        return [rx.link(client.name, href=f"/clients/{client.id}"), client.email, client.phone, client.city]

    return page(
        "Clients",
        lambda: rx.vstack(
            _new_button("New client", "/clients/new", WorkState.can_manage),
            _table(
                WorkState.clients,
                ["Name", "Email", "Phone", "City"],
                cells,
                "No clients yet. Add your first client to start quoting and invoicing.",
                "client-row",
            ),
            width="100%",
        ),
    )


def quotes_page() -> rx.Component:
    def cells(quote: Any) -> list:
        return [
            rx.link(quote.number, href=f"/quotes/{quote.id}"),
            quote.title,
            quote.client_name,
            quote.status,
            rx.cond(
                quote.status == QuoteStatus.ACCEPTED.value,
                _invoice_button(f"/invoices/new?quote={quote.id}", "invoice-quote"),
                rx.fragment(),
            ),
        ]

    return page(
        "Quotes",
        lambda: rx.vstack(
            _new_button("New quote", "/quotes/new", WorkState.can_invoice),
            _table(WorkState.quotes, ["Number", "Title", "Client", "Status", ""], cells, "No quotes yet.", "quote-row"),
            width="100%",
        ),
    )

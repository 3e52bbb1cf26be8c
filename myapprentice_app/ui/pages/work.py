"""Jobs, clients and quotes lists, with New / Edit and — for completed jobs and accepted quotes — Create invoice."""

from __future__ import annotations

from typing import Any

import reflex as rx

from myapprentice_app.domain.work_status import JobStatus, QuoteStatus
from myapprentice_app.ui.components.badges import work_badge
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


def _invoice_cell(row: Any, href: Any, ready: Any, testid: str) -> rx.Component:
    """'Invoiced · INV-0061' with a link, and Create invoice: straight away for a first invoice, after saying which
    invoice exists for another (a progress claim)."""
    first = rx.link(rx.button("Create invoice", size="1", variant="soft", data_testid=testid), href=href)
    another = rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button("Create another", size="1", variant="soft", color_scheme="gray",
                                          data_testid=f"{testid}-again")),
        rx.alert_dialog.content(
            rx.alert_dialog.title("Create another invoice?"),
            rx.alert_dialog.description(row.invoiced.notice, " A second invoice is right for a progress claim; "
                                        "otherwise open the one that exists."),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.link(rx.button("Create another invoice", data_testid="confirm-another"),
                                               href=href + "&another=1")),
                justify="end", padding_top="1em",
            ),
        ),
    )
    invoiced = row.invoiced.label != ""
    return rx.hstack(
        rx.cond(invoiced, rx.link(row.invoiced.label, href=f"/invoices/{row.invoiced.invoice_id}", size="2",
                                  data_testid="invoiced"), rx.fragment()),
        rx.cond(ready, rx.cond(invoiced, another, first), rx.fragment()),
        align="center", wrap="wrap",
    )


def jobs_page() -> rx.Component:
    def cells(job: Any) -> list:
        return [
            rx.cond(WorkState.can_manage, rx.link(job.title, href=f"/jobs/{job.id}"), rx.text(job.title)),
            job.client_name,
            work_badge(job.status, job.status_label),
            job.assigned_to,
            rx.text(job.amount, data_testid="work-amount"),
            _invoice_cell(job, f"/invoices/new?job={job.id}",
                          WorkState.can_invoice & (job.status == JobStatus.COMPLETED.value), "invoice-job"),
        ]

    return page(
        "Jobs",
        lambda: rx.vstack(
            _new_button("New job", "/jobs/new", WorkState.can_manage),
            _table(WorkState.jobs, ["Job", "Client", "Status", "Assigned to", "Amount", "Invoice"], cells,
                   "No jobs yet.", "job-row"),
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
            work_badge(quote.status, quote.status_label),
            rx.text(quote.amount, data_testid="work-amount"),
            _invoice_cell(quote, f"/invoices/new?quote={quote.id}", quote.status == QuoteStatus.ACCEPTED.value,
                          "invoice-quote"),
        ]

    return page(
        "Quotes",
        lambda: rx.vstack(
            _new_button("New quote", "/quotes/new", WorkState.can_invoice),
            _table(WorkState.quotes, ["Number", "Title", "Client", "Status", "Amount", "Invoice"], cells,
                   "No quotes yet.", "quote-row"),
            width="100%",
        ),
    )

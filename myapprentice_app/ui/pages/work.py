"""Jobs, clients and quotes lists."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import session_scope
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models.views import ClientRow, JobRow, QuoteRow
from myapprentice_app.selectors.work import list_clients, list_jobs, list_quotes
from myapprentice_app.ui.components.layout import page
from myapprentice_app.ui.components.tables import data_table
from myapprentice_app.ui.state.session import authorise


class WorkState(rx.State):
    jobs: list[JobRow] = []
    clients: list[ClientRow] = []
    quotes: list[QuoteRow] = []

    @rx.event
    async def load_jobs(self):
        principal, refusal = await authorise(self, Permission.VIEW_OWN_JOBS, page=True)
        if principal is None:
            return refusal
        with session_scope() as session:
            self.jobs = list_jobs(session, principal)

    @rx.event
    async def load_clients(self):
        principal, refusal = await authorise(self, Permission.MANAGE_CLIENTS, page=True)
        if principal is None:
            return refusal
        with session_scope() as session:
            self.clients = list_clients(session, principal)

    @rx.event
    async def load_quotes(self):
        principal, refusal = await authorise(self, Permission.EDIT_INVOICES, page=True)
        if principal is None:
            return refusal
        with session_scope() as session:
            self.quotes = list_quotes(session, principal)


def jobs_page() -> rx.Component:
    return page("Jobs", lambda: data_table(
        WorkState.jobs, [("Job", "title"), ("Client", "client_name"), ("Status", "status"),
                         ("Assigned to", "assigned_to")], "No jobs yet.", "job-row"))


def clients_page() -> rx.Component:
    return page("Clients", lambda: data_table(
        WorkState.clients, [("Name", "name"), ("Email", "email"), ("Phone", "phone"), ("City", "city")],
        "No clients yet.", "client-row"))


def quotes_page() -> rx.Component:
    return page("Quotes", lambda: data_table(
        WorkState.quotes, [("Number", "number"), ("Title", "title"), ("Client", "client_name"),
                           ("Status", "status")], "No quotes yet.", "quote-row"))

"""The jobs, clients and quotes lists' state."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.models.views import ClientRow, JobRow, QuoteRow
from myapprentice_app.selectors.work import list_clients, list_jobs, list_quotes
from myapprentice_app.ui.state.session import SessionState, authorise


class WorkState(SessionState):
    jobs: list[JobRow] = []
    clients: list[ClientRow] = []
    quotes: list[QuoteRow] = []
    can_manage: bool = False
    can_invoice: bool = False
    loaded: bool = False

    async def _principal(self, permission: Permission):  # type: ignore[no-untyped-def]
        self.loaded = False
        principal, refusal = await authorise(self, permission, page=True)
        if principal is not None:
            self.can_manage = can(principal.role, Permission.MANAGE_CLIENTS)
            self.can_invoice = can(principal.role, Permission.EDIT_INVOICES)
        return principal, refusal

    @rx.event
    async def load_jobs(self):
        principal, refusal = await self._principal(Permission.VIEW_OWN_JOBS)
        if principal is None:
            return refusal
        self.jobs = await in_session_thread(list_jobs, principal)
        self.loaded = True

    @rx.event
    async def load_clients(self):
        principal, refusal = await self._principal(Permission.MANAGE_CLIENTS)
        if principal is None:
            return refusal
        self.clients = await in_session_thread(list_clients, principal)
        self.loaded = True

    @rx.event
    async def load_quotes(self):
        principal, refusal = await self._principal(Permission.EDIT_INVOICES)
        if principal is None:
            return refusal
        self.quotes = await in_session_thread(list_quotes, principal)
        self.loaded = True

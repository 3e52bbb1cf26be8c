"""The invoice list's state: filters, search, paging."""

from __future__ import annotations

import asyncio
import datetime as dt

import reflex as rx

from myapprentice_app.db import session_scope
from myapprentice_app.domain.invoice_status import InvoiceStatus, SyncStatus
from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.models.invoice_views import Option
from myapprentice_app.models.views import InvoiceRow
from myapprentice_app.selectors.invoices import InvoiceFilters, list_invoices
from myapprentice_app.selectors.pickers import client_options
from myapprentice_app.services.principal import Principal
from myapprentice_app.ui.state.outcomes import form_values, parse_id
from myapprentice_app.ui.state.session import SessionState, authorise
from myapprentice_app.ui.state.urls import invoices_list_in_url

ALL = "all"


class InvoicesState(SessionState):
    rows: list[InvoiceRow] = []
    total_count: int = 0
    page: int = 1
    page_count: int = 1
    status: str = ALL
    sync_status: str = ALL
    search: str = ""
    client_id: str = ALL
    date_from: str = ""
    date_to: str = ""
    clients: list[Option] = []
    can_create: bool = False
    can_pay: bool = False
    can_export: bool = False
    loaded: bool = False
    filters_open: bool = False  # on a phone the filters fold away behind one button

    async def _reload(self, *, same_filters: bool = False):
        """The page's rows; counted again unless only the page changed since the last count."""
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES, page=True)
        if principal is None:
            return refusal
        filters = InvoiceFilters(
            status="" if self.status == ALL else self.status,
            sync_status="" if self.sync_status == ALL else self.sync_status,
            client_id=parse_id(self.client_id),
            date_from=_date(self.date_from),
            date_to=_date(self.date_to),
            search=self.search,
        )
        counted = self.total_count if same_filters and self.loaded else None
        result, clients = await asyncio.to_thread(_list, principal, filters, self.page, counted, not self.clients)
        if clients is not None:
            self.clients = clients
        allowed = (can(principal.role, Permission.EDIT_INVOICES), can(principal.role, Permission.RECORD_PAYMENT),
                   can(principal.role, Permission.EXPORT_INVOICE_CSV))
        if allowed != (self.can_create, self.can_pay, self.can_export):  # a var set is sent, changed or not
            self.can_create, self.can_pay, self.can_export = allowed
        self.rows, self.total_count = result.rows, result.total_count
        self.page, self.page_count = result.page, result.page_count
        self.loaded = True

    @rx.event
    async def load(self):
        self.loaded = False
        return await self._reload()

    @rx.event
    async def refresh(self):
        if invoices_list_in_url(self):  # an action elsewhere asked every invoice view to refresh
            return await self._reload()

    @rx.event
    def toggle_filters(self):
        self.filters_open = not self.filters_open

    @rx.event
    async def filter_client(self, value: str):
        self.client_id = value if value == ALL or parse_id(value) else ALL
        self.page = 1
        return await self._reload()

    @rx.event
    async def filter_dates(self, form: dict):
        form = form_values(form)
        self.date_from = _date_text(form.get("date_from"))
        self.date_to = _date_text(form.get("date_to"))
        self.page = 1
        return await self._reload()

    @rx.event
    async def clear_filters(self):
        self.status = self.sync_status = self.client_id = ALL
        self.date_from = self.date_to = self.search = ""
        self.page = 1
        return await self._reload()

    @rx.event
    async def filter_status(self, value: str):
        choice = _offered(value, InvoiceStatus)
        if choice is None:
            return None
        self.status, self.page = choice, 1
        return await self._reload()

    @rx.event
    async def filter_sync_status(self, value: str):
        choice = _offered(value, SyncStatus)
        if choice is None:
            return None
        self.sync_status, self.page = choice, 1
        return await self._reload()

    @rx.event
    async def run_search(self, form: dict):
        form = form_values(form)
        self.search = str(form.get("search", ""))[:100]
        self.page = 1
        return await self._reload()

    @rx.event
    async def go_to_page(self, number: int):
        page = parse_id(number)
        if page is None:
            return None
        self.page = page
        return await self._reload(same_filters=True)


def _list(principal: Principal, filters: InvoiceFilters, page: int, counted: int | None,  # type: ignore[no-untyped-def]
          with_clients: bool):
    """The page's queries, in a thread: the event loop serves every other tab meanwhile."""
    with session_scope() as session:
        result = list_invoices(session, principal, filters, page=page, counted=counted)
        return result, client_options(session, principal) if with_clients else None


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def _date_text(value: object) -> str:
    parsed = _date(str(value or "").strip())
    return parsed.isoformat() if parsed else ""


def _offered(value: object, options: type[InvoiceStatus] | type[SyncStatus]) -> str | None:
    """The filter chosen, when it is one of the choices offered (a crafted event may send anything)."""
    choice = str(value)
    return choice if choice == ALL or choice in {option.value for option in options} else None

"""The invoice page's states: the invoice, its lines and payments, its actions and the send dialog; its Xero panel
(status, the error in plain words with its fixes, history)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import reflex as rx
from sqlmodel import Session

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.domain.sync_errors import Fix
from myapprentice_app.models.invoice_views import InvoiceDetail
from myapprentice_app.selectors.invoice_detail import invoice_detail
from myapprentice_app.selectors.sync import XeroPanel, xero_panel
from myapprentice_app.services import invoice_delivery, invoices, xero_sync
from myapprentice_app.services.errors import ActionRefused, NotFound, ValidationFailed
from myapprentice_app.services.invoice_delivery import EmailDraft
from myapprentice_app.services.principal import Principal
from myapprentice_app.ui.state.board import follow
from myapprentice_app.ui.state.outcomes import CHECK_FIELDS, REFUSED, form_values, parse_id, refused
from myapprentice_app.ui.state.session import SessionState, authorise
from myapprentice_app.ui.state.urls import invoice_in_url

EMAIL_FIELDS = ("to_address", "subject", "body")
POLL_SECONDS = 0.5  # how often a Pending invoice's panel re-reads it


def _invoice_and_panel(session: Session, principal: Principal, invoice_id: int) -> tuple[InvoiceDetail, XeroPanel]:
    return invoice_detail(session, principal, invoice_id), xero_panel(session, principal, invoice_id)


class InvoiceDetailState(SessionState):
    invoice: InvoiceDetail = InvoiceDetail()
    found: bool = False
    missing: str = ""  # why the URL's invoice can't be shown ("That invoice was not found."): the page says it
    can_edit: bool = False
    can_pay: bool = False
    can_export: bool = False
    send_open: bool = False
    email: EmailDraft = EmailDraft()
    errors: dict[str, str] = {}
    sending: bool = False

    def _invoice_id(self) -> int:
        return invoice_in_url(self) or 0

    @rx.event
    async def load(self):
        """The page's on_load: the invoice in the URL and its Xero panel, read in one thread with one session.
        Client-side navigation keeps the previous invoice in state until then; the page shows only the URL's."""
        self.send_open = False
        invoice_id = invoice_in_url(self)
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES, page=True)
        panel_state = await self.get_state(XeroPanelState)
        if principal is None or invoice_id is None:
            self._show_none("")
            panel_state.panel = XeroPanel()
            return refusal
        try:
            self.invoice, panel = await in_session_thread(_invoice_and_panel, principal, invoice_id)
        except REFUSED as reason:
            self._show_none(str(reason))
            panel_state.panel = XeroPanel()
            return None
        self._show(principal)
        return panel_state._show(principal, panel)

    @rx.event
    async def refresh(self):
        if invoice_in_url(self) is None:
            return  # an action elsewhere asked every invoice view to refresh; none is open
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES, page=True)
        if principal is None:
            return refusal
        try:
            self.invoice = await in_session_thread(invoice_detail, principal, self._invoice_id())
        except REFUSED as reason:
            self._show_none(str(reason))
            return None
        self._show(principal)

    def _show_none(self, missing: str) -> None:
        """No invoice on the page (`missing`: why, in the user's words; empty when the page itself refused)."""
        self.invoice, self.found, self.missing = InvoiceDetail(), False, missing

    def _show(self, principal: Principal) -> None:
        self.found, self.missing = True, ""
        self.can_edit = can(principal.role, Permission.EDIT_INVOICES)
        self.can_pay = can(principal.role, Permission.RECORD_PAYMENT)
        self.can_export = can(principal.role, Permission.EXPORT_INVOICE_CSV)

    async def _change(self, change, done: str):  # type: ignore[no-untyped-def]
        principal, refusal = await authorise(self, Permission.EDIT_INVOICES)
        if principal is None:
            return refusal
        try:
            await in_session_thread(change, principal, self._invoice_id())
        except REFUSED as reason:
            return refused(reason)
        await self.refresh()
        return rx.toast.success(done)

    @rx.event
    async def authorise_invoice(self):
        return await self._change(invoices.authorise_invoice, "Invoice authorised.")

    @rx.event
    async def void_invoice(self):
        return await self._change(invoices.void_invoice, "Invoice voided.")

    @rx.event
    async def open_send(self):
        principal, refusal = await authorise(self, Permission.EDIT_INVOICES)
        if principal is None:
            return refusal
        try:
            self.email = await in_session_thread(invoice_delivery.draft_email, principal, self._invoice_id())
        except REFUSED as reason:
            return refused(reason)
        self.errors, self.send_open = {}, True

    @rx.event
    def set_send_open(self, value: bool):
        self.send_open = bool(value)

    @rx.event
    def set_email_field(self, field: str, value: str):
        if field in EMAIL_FIELDS:
            self.email = replace(self.email, **{field: str(value)[:25_000]})
            self.errors.pop(field, None)

    @rx.event
    async def send(self):
        principal, refusal = await authorise(self, Permission.EDIT_INVOICES)
        if principal is None:
            yield refusal
            return
        self.sending = True
        yield
        try:
            await in_session_thread(invoice_delivery.send_to_client, principal, self._invoice_id(), self.email)
        except ValidationFailed as failed:
            self.errors, self.sending = failed.errors, False
            yield rx.toast.error(CHECK_FIELDS)
            return
        except REFUSED as reason:
            self.sending = False
            yield refused(reason)
            return
        self.sending, self.send_open = False, False
        await self.refresh()
        yield rx.toast.success(f"Sent to {self.email.to_address}.")


class XeroPanelState(SessionState):
    panel: XeroPanel = XeroPanel()
    _watching: bool = False

    @rx.event
    async def refresh(self):
        invoice_id = invoice_in_url(self)
        if invoice_id is None:
            return  # no invoice page is open
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES, page=True)
        if principal is None:
            return refusal
        try:
            panel = await in_session_thread(xero_panel, principal, invoice_id)
        except NotFound:
            return  # the invoice page says so
        return self._show(principal, panel)

    def _show(self, principal: Principal, panel: XeroPanel):  # type: ignore[no-untyped-def]
        """Show a panel just read; watch it while its invoice is Pending (the invoice page's load reads both)."""
        self.panel = panel
        if panel.sync_status == SyncStatus.SYNCED and not panel.online_invoice:
            xero_sync.ask_online_invoice_link(principal, panel.invoice_id)  # the worker asks Xero
        if panel.sync_status == SyncStatus.PENDING:
            return XeroPanelState.watch
        return None

    @rx.event(background=True)
    async def watch(self):
        """While the invoice is Pending, re-read it until the worker has its answer (Synced or Error)."""
        async with self:
            if self._watching:
                return
            self._watching = True
        try:
            while True:
                await asyncio.sleep(POLL_SECONDS)
                async with self:
                    principal, _ = await authorise(self, Permission.VIEW_INVOICES)
                    invoice_id = self.panel.invoice_id
                if principal is None or not invoice_id:
                    return
                try:
                    panel = await in_session_thread(xero_panel, principal, invoice_id)
                except NotFound:
                    return
                async with self:
                    if self.panel.invoice_id != invoice_id:
                        return  # another invoice is open now
                    self.panel = panel
                if panel.sync_status != SyncStatus.PENDING:
                    return InvoiceDetailState.refresh  # its payments and the actions
        finally:
            async with self:
                self._watching = False

    @rx.event
    async def apply_fix(self, invoice_id: int, stamp: str, action: str, value: str = ""):
        """One fix, for the invoice and the state of it (its stamp) that the panel showed when it was pressed."""
        fix = next((known for known in Fix if known.value == action), None)
        if fix is None:
            return rx.toast.error("That fix isn't available.")
        permission = Permission.RETRY_SYNC if fix == Fix.RETRY else Permission.RESOLVE_SYNC_ERRORS
        principal, refusal = await authorise(self, permission)
        if principal is None:
            return refusal
        if fix == Fix.RECONNECT:
            return rx.redirect("/settings/integrations")
        if fix == Fix.SET_PAYMENT_ACCOUNT:
            return rx.redirect("/settings/xero")
        try:
            run_id = await in_session_thread(xero_sync.fix, principal, parse_id(invoice_id) or 0, fix, str(value),
                                             shown=str(stamp))
        except (ActionRefused, NotFound) as refused:
            return [rx.toast.error(str(refused)), InvoiceDetailState.refresh, XeroPanelState.refresh]
        if run_id:
            follow(principal.business_id)
        return [rx.toast.success("Done. Sending to Xero again." if run_id else "Linked."), InvoiceDetailState.refresh,
                XeroPanelState.refresh]

    @rx.event
    async def fix_with_form(self, form: dict):
        form = form_values(form)
        return await self.apply_fix(parse_id(form.get("invoice_id")) or 0, str(form.get("stamp", "")),
                                    str(form.get("action", "")), str(form.get("value", "")))

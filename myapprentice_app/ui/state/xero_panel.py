"""The invoice page's Xero panel state: status, the error in plain words with its fixes, history."""

from __future__ import annotations

import asyncio

import reflex as rx

from myapprentice_app.db import in_session_thread, session_scope
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.roles import Permission
from myapprentice_app.domain.sync_errors import Fix
from myapprentice_app.selectors.sync import XeroPanel, xero_panel
from myapprentice_app.services import xero_sync
from myapprentice_app.services.errors import ActionRefused, NotFound
from myapprentice_app.services.principal import Principal
from myapprentice_app.ui.state.board import follow
from myapprentice_app.ui.state.invoice_detail import InvoiceDetailState
from myapprentice_app.ui.state.outcomes import parse_id
from myapprentice_app.ui.state.session import SessionState, authorise
from myapprentice_app.ui.state.urls import invoice_in_url

POLL_SECONDS = 0.5  # how often a Pending invoice's panel re-reads it


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
                    return InvoiceDetailState.refresh  # the header's badge and the actions
        finally:
            async with self:
                self._watching = False

    @rx.event
    async def apply_fix(self, invoice_id: int, stamp: str, action: str, value: str = ""):
        """One fix, for the invoice and the state of it (its stamp) that the panel showed when it was pressed."""
        fix = Fix(action) if action in {f.value for f in Fix} else None
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
            with session_scope() as session:
                run_id = xero_sync.fix(session, principal, int(invoice_id), fix, value, shown=str(stamp))
        except (ActionRefused, NotFound) as refused:
            return [rx.toast.error(str(refused)), InvoiceDetailState.refresh, XeroPanelState.refresh]
        if run_id:
            follow(principal.business_id)
        return [rx.toast.success("Done. Sending to Xero again." if run_id else "Linked."), InvoiceDetailState.refresh,
                XeroPanelState.refresh]

    @rx.event
    async def fix_with_form(self, form: dict):
        return await self.apply_fix(parse_id(form.get("invoice_id")) or 0, str(form.get("stamp", "")),
                                    str(form.get("action", "")), str(form.get("value", "")))

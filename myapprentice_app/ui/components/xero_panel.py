"""The invoice page's Xero panel: status, the error in plain words with its fixes, Xero's text, history."""

from __future__ import annotations

import asyncio

import reflex as rx

from myapprentice_app.db import session_scope
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.roles import Permission
from myapprentice_app.domain.sync_errors import Fix
from myapprentice_app.jobs import tasks
from myapprentice_app.selectors.sync import HistoryRow, XeroPanel, xero_panel
from myapprentice_app.services import xero_sync
from myapprentice_app.services.errors import ActionRefused, NotFound
from myapprentice_app.ui.components.badges import sync_badge
from myapprentice_app.ui.components.invoice_actions import reload_invoice_views
from myapprentice_app.ui.components.sync_actions import POLL_SECONDS, SyncActionsState
from myapprentice_app.ui.state.session import authorise


class XeroPanelState(rx.State):
    panel: XeroPanel = XeroPanel()
    _watching: bool = False

    @rx.event
    async def load(self, invoice_id: int):
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES)
        if principal is None:
            return refusal
        try:
            with session_scope() as session:
                self.panel = xero_panel(session, principal, int(invoice_id))
        except NotFound as missing:
            return rx.toast.error(str(missing))
        if self.panel.sync_status == SyncStatus.SYNCED and not self.panel.online_invoice:
            tasks.fetch_online_invoice_links(principal.business_id, [self.panel.invoice_id])  # the worker asks Xero
        if self.panel.sync_status == SyncStatus.PENDING:
            return XeroPanelState.watch

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
                    with session_scope() as session:
                        panel = xero_panel(session, principal, invoice_id)
                except NotFound:
                    return
                async with self:
                    if self.panel.invoice_id != invoice_id:
                        return  # another invoice is open now
                    self.panel = panel
                if panel.sync_status != SyncStatus.PENDING:
                    return reload_invoice_views()
        finally:
            async with self:
                self._watching = False

    @rx.event
    async def apply_fix(self, action: str, value: str = ""):
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
                run_id = xero_sync.fix(session, principal, self.panel.invoice_id, fix, value)
        except (ActionRefused, NotFound) as refused:
            return rx.toast.error(str(refused))
        tasks.enqueue(run_id)
        return [rx.toast.success("Done. Sending to Xero again." if run_id else "Linked."),
                XeroPanelState.load(self.panel.invoice_id)]

    @rx.event
    async def fix_with_form(self, form: dict):
        return await self.apply_fix(str(form.get("action", "")), str(form.get("value", "")))


def _fix_buttons() -> rx.Component:
    panel = XeroPanelState.panel
    return rx.vstack(
        rx.flex(rx.foreach(panel.fixes, lambda fix: rx.cond(
            (fix.value == "link_contact") | (fix.value == "pick_account") | (fix.value == "map_tax_rate"),
            rx.fragment(),
            rx.button(fix.label, size="2", on_click=XeroPanelState.apply_fix(fix.value, ""),
                      disabled=(fix.value == "link_invoice") & ~panel.can_link, data_testid=f"fix-{fix.value}"),
        )), spacing="2", wrap="wrap"),
        rx.cond(panel.offer_link_contact,
                _chooser("link_contact", "Link an existing Xero contact", panel.contact_suggestions), rx.fragment()),
        rx.cond(panel.offer_pick_account,
                _account_chooser(), rx.fragment()),
        rx.cond(panel.offer_map_tax,
                _tax_chooser(), rx.fragment()),
        align="start",
    )


def _chooser(action: str, label: str, options) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.form(
        rx.hstack(
            rx.input(type="hidden", name="action", value=action),
            rx.select.root(rx.select.trigger(placeholder=label),
                           rx.select.content(rx.foreach(options, lambda o: rx.select.item(o.label, value=o.value))),
                           name="value"),
            rx.button(label, type="submit", data_testid=f"fix-{action}"),
        ),
        on_submit=XeroPanelState.fix_with_form,
    )


def _account_chooser() -> rx.Component:
    panel = XeroPanelState.panel
    return rx.form(
        rx.hstack(
            rx.input(type="hidden", name="action", value="pick_account"),
            rx.select.root(rx.select.trigger(placeholder="Account"),
                           rx.select.content(rx.foreach(panel.accounts, lambda o: rx.select.item(
                               o.label, value="labour:" + o.value))), name="value"),
            rx.button(Fix.PICK_ACCOUNT.label, type="submit", data_testid="fix-pick_account"),
        ),
        on_submit=XeroPanelState.fix_with_form,
    )


def _tax_chooser() -> rx.Component:
    panel = XeroPanelState.panel
    return rx.form(
        rx.hstack(
            rx.input(type="hidden", name="action", value="map_tax_rate"),
            rx.select.root(rx.select.trigger(placeholder="Tax rate → Xero tax type"),
                           rx.select.content(rx.foreach(panel.tax_rates, lambda rate: rx.foreach(
                               panel.tax_types, lambda t: rx.select.item(rate.label + " = " + t.label,
                                                                         value=rate.value + ":" + t.value)))),
                           name="value"),
            rx.button(Fix.MAP_TAX_RATE.label, type="submit", data_testid="fix-map_tax_rate"),
        ),
        on_submit=XeroPanelState.fix_with_form,
    )


def _history_row(row: rx.Var[HistoryRow]) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.when), rx.table.cell(row.who), rx.table.cell(row.action), rx.table.cell(row.outcome),
        rx.table.cell(rx.el.details(rx.el.summary("Sent / answer"), rx.code(row.sent), rx.code(row.answer),
                                    rx.text("Idempotency-Key: ", row.key, size="1"))),
        data_testid="sync-history-row",
    )


def xero_panel_card(invoice_id: rx.Var | int) -> rx.Component:
    panel = XeroPanelState.panel
    return rx.card(
        rx.vstack(
            rx.hstack(rx.heading("Xero", size="4"), sync_badge(panel.sync_status, panel.sync_label), align="center"),
            rx.cond(panel.error_title != "", rx.callout(
                rx.vstack(rx.text(panel.error_title, weight="bold", data_testid="sync-error-title"),
                          rx.text(panel.error_message, data_testid="sync-error-message"),
                          _fix_buttons(),
                          rx.el.details(rx.el.summary("Details"), rx.code(panel.error_detail, data_testid="xero-raw")),
                          align="start"),
                color_scheme="red", icon="circle-alert"), rx.fragment()),
            rx.cond(panel.drift != "", rx.callout(panel.drift, icon="git-compare", color_scheme="amber",
                                                  data_testid="xero-drift"), rx.fragment()),
            rx.hstack(
                rx.button("Push to Xero", size="2", on_click=[SyncActionsState.push_invoice(invoice_id),
                                                                XeroPanelState.load(invoice_id)],
                          data_testid="push-to-xero"),
                rx.cond(panel.open_in_xero != "", rx.link("Open in Xero", href=panel.open_in_xero, is_external=True,
                                                          data_testid="open-in-xero"), rx.fragment()),
                rx.cond(panel.online_invoice != "", rx.link("Online invoice", href=panel.online_invoice,
                                                            is_external=True, data_testid="online-invoice"),
                        rx.fragment()),
            ),
            rx.cond(panel.history.length() > 0, rx.el.details(
                rx.el.summary("Sync history"),
                rx.table.root(rx.table.body(rx.foreach(panel.history, _history_row)), size="1"),
            ), rx.fragment()),
            align="start",
            width="100%",
        ),
        width="100%",
        on_mount=XeroPanelState.load(invoice_id),
        data_testid="xero-panel",
    )

"""The invoice page's Xero panel: status, the error in plain words with its fixes, Xero's text, history."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.domain.sync_errors import Fix
from myapprentice_app.selectors.sync import HistoryRow
from myapprentice_app.ui.components.badges import sync_badge
from myapprentice_app.ui.state.invoice_detail import XeroPanelState
from myapprentice_app.ui.state.sync_actions import SyncActionsState


def _fix_buttons() -> rx.Component:
    panel = XeroPanelState.panel
    return rx.vstack(
        rx.flex(rx.foreach(panel.fixes, lambda fix: rx.cond(
            (fix.value == "link_contact") | (fix.value == "pick_account") | (fix.value == "map_tax_rate"),
            rx.fragment(),
            rx.button(fix.label, size="2",
                      on_click=XeroPanelState.apply_fix(panel.invoice_id, panel.stamp, fix.value, ""),
                      disabled=(fix.value == "link_invoice") & ~panel.can_link, data_testid=f"fix-{fix.value}"),
        )), spacing="2", wrap="wrap"),
        rx.cond(panel.ask_for_fixes != "", rx.text(panel.ask_for_fixes, size="2", data_testid="ask-for-fixes"),
                rx.fragment()),
        rx.cond(panel.offer_link_contact,
                _chooser("link_contact", "Link an existing Xero contact", panel.contact_suggestions), rx.fragment()),
        rx.cond(panel.offer_pick_account,
                _account_chooser(), rx.fragment()),
        rx.cond(panel.offer_map_tax,
                _tax_chooser(), rx.fragment()),
        align="start",
    )


def _shown(action: str) -> list[rx.Component]:
    """A fix form's hidden fields: the fix, and the invoice and the state of it that this panel shows."""
    panel = XeroPanelState.panel
    return [rx.input(type="hidden", name="action", value=action),
            rx.input(type="hidden", name="invoice_id", value=panel.invoice_id.to_string()),
            rx.input(type="hidden", name="stamp", value=panel.stamp)]


def _chooser(action: str, label: str, options) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.form(
        rx.hstack(
            *_shown(action),
            rx.select.root(rx.select.trigger(placeholder=label, aria_label="Xero contact"),
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
            *_shown("pick_account"),
            rx.select.root(rx.select.trigger(placeholder="Account", aria_label="Account for labour lines"),
                           rx.select.content(rx.foreach(panel.accounts, lambda o: rx.select.item(
                               o.label, value=o.value))), name="value"),
            rx.button(Fix.PICK_ACCOUNT.label, type="submit", data_testid="fix-pick_account"),
        ),
        on_submit=XeroPanelState.fix_with_form,
    )


def _tax_chooser() -> rx.Component:
    panel = XeroPanelState.panel
    return rx.form(
        rx.hstack(
            *_shown("map_tax_rate"),
            rx.select.root(rx.select.trigger(placeholder="Tax rate → Xero tax type",
                                             aria_label="Tax rate and its Xero tax type"),
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
    return rx.card(rx.cond(
        panel.invoice_id == invoice_id,  # until the panel has read this page's invoice, it shows nothing else's
        rx.vstack(
            rx.hstack(rx.heading("Xero", size="4"), sync_badge(panel.sync_status, panel.sync_label), align="center"),
            rx.cond(panel.error_title != "", rx.callout(
                rx.vstack(rx.text(panel.error_title, weight="bold", data_testid="sync-error-title"),
                          rx.text(panel.error_message, white_space="pre-line",  # one problem a line
                                  data_testid="sync-error-message"),
                          _fix_buttons(),
                          rx.el.details(rx.el.summary("Details"), rx.code(panel.error_detail, data_testid="xero-raw")),
                          align="start"),
                color_scheme="red", icon="circle-alert"), rx.fragment()),
            rx.cond(panel.drift != "", rx.callout(panel.drift, icon="git-compare", color_scheme="amber",
                                                  data_testid="xero-drift"), rx.fragment()),
            rx.hstack(
                rx.cond(panel.can_push, rx.button("Push to Xero", size="2",
                                                  on_click=SyncActionsState.push_invoice(invoice_id),
                                                  data_testid="push-to-xero"), rx.fragment()),
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
        rx.center(rx.spinner(size="2"), width="100%"),
    ), width="100%", id="xero-panel", data_testid="xero-panel")  # the sync board's invoice chips link here

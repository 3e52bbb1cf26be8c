"""Errors by cause: one row per cause ("5 invoices: No Xero account is chosen for Labour lines."), with the fix
that settles it for every one of them. Shown on the Invoices page; the sync board can show it too."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.selectors.error_causes import CauseGroup
from myapprentice_app.ui.state.error_causes import ErrorCausesState
from myapprentice_app.ui.state.invoices import InvoicesState


def _picker(group: rx.Var[CauseGroup], label: str, choices: rx.Var) -> rx.Component:
    return rx.hstack(
        rx.el.label(label, html_for="fix-value-" + group.cause, class_name="rt-Text rt-r-size-2"),
        rx.select.root(rx.select.trigger(placeholder="Choose…", id="fix-value-" + group.cause),
                       rx.select.content(rx.foreach(choices, lambda c: rx.select.item(c.label, value=c.value))),
                       name="value", required=True),
        align="center", wrap="wrap",
    )


def _fix(group: rx.Var[CauseGroup]) -> rx.Component:
    causes = ErrorCausesState.causes
    return rx.form(
        rx.hstack(
            rx.el.input(type="hidden", name="cause", value=group.cause),
            rx.el.input(type="hidden", name="fix", value=group.fix),
            rx.match(
                group.fix,
                ("pick_account", _picker(group, "Account for these lines", causes.accounts)),
                ("map_tax_rate", _picker(group, "Xero tax type", causes.tax_types)),
                rx.fragment(),
            ),
            rx.button(rx.match(group.fix, ("pick_account", "Use it and retry all"),
                               ("map_tax_rate", "Map it and retry all"),
                               ("create_contact", "Create the contact and retry all"),
                               "Retry all"),
                      type="submit", size="2", data_testid="fix-cause"),
            align="center", wrap="wrap",
        ),
        # The board shows the run the fix queued; the list shows those invoices Pending.
        on_submit=[ErrorCausesState.fix, InvoicesState.refresh],
    )


def _offer(group: rx.Var[CauseGroup]) -> rx.Component:
    causes = ErrorCausesState.causes
    return rx.match(
        group.fix,
        ("reconnect", rx.text("A Business Owner or Admin reconnects Xero in Business Settings → Integrations; "
                              "these invoices then go again by themselves.", size="2")),
        ("open_each", rx.text("Open each invoice to link it to Xero's or renumber it.", size="2")),
        ("retry", rx.cond(causes.can_retry, _fix(group), rx.fragment())),
        rx.cond(causes.can_resolve, _fix(group),
                rx.text("Ask your Business Owner, Office Admin or Finance to fix this.", size="2")),
    )


def _group(group: rx.Var[CauseGroup]) -> rx.Component:
    return rx.vstack(
        rx.text(group.summary, weight="medium", data_testid="cause-summary"),
        rx.flex(
            rx.foreach(group.invoices, lambda invoice: rx.link(
                rx.badge(invoice.label, color_scheme="red", variant="soft"), href="/invoices/" + invoice.value)),
            rx.cond(group.more > 0, rx.text("and ", group.more, " more", size="1"), rx.fragment()),
            spacing="1", wrap="wrap", align="center",
        ),
        _offer(group),
        spacing="2", align="start", width="100%",
        data_testid="error-cause",
    )


def errors_by_cause_panel() -> rx.Component:
    return rx.box(
        rx.cond(
            ErrorCausesState.causes.groups.length() > 0,
            rx.card(rx.vstack(
                rx.heading("Errors by cause", size="3"),
                rx.text("Fix a cause once: every invoice in Error for it goes to Xero again.", size="2",
                        color_scheme="gray"),
                rx.foreach(ErrorCausesState.causes.groups, _group),
                spacing="3", width="100%",
            ), width="100%", data_testid="errors-by-cause"),
            rx.fragment(),
        ),
        on_mount=ErrorCausesState.load,
        width="100%",
    )

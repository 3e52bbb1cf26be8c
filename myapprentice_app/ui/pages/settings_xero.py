"""Business Settings → Integrations (connect / disconnect Xero, organisation picker) and → Xero (mappings)."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.domain.sync_states import ConnectionStatus
from myapprentice_app.ui.components.layout import field_error, field_label
from myapprentice_app.ui.components.sync_actions import send_all_button, sync_all_button
from myapprentice_app.ui.components.sync_board import sync_board_panel
from myapprentice_app.ui.state.xero_settings import XeroSettingsState

CONNECT_ROLES_HINT = "Ask your Business Owner or Admin to connect Xero."
RECONNECT_ROLES_HINT = "Ask your Business Owner or Admin to reconnect Xero."


def _step_up_prompt() -> rx.Component:
    return rx.cond(
        XeroSettingsState.step_up_for != "",
        rx.form(
            rx.vstack(
                rx.cond(XeroSettingsState.step_up_for == "disconnect",
                        rx.text("Disconnect Xero? Its access is revoked and nothing more is pushed until someone "
                                "connects again.", weight="bold", data_testid="disconnect-confirmation"),
                        rx.fragment()),
                field_label("Enter the code from your authenticator app to confirm it's you.", "xero_step_up_code"),
                rx.input(id="xero_step_up_code", name="code", placeholder="123456", auto_complete="one-time-code",
                         data_testid="step-up-code"),
                rx.hstack(rx.button("Confirm", type="submit", data_testid="step-up-confirm"),
                          rx.button("Cancel", variant="soft", type="button",
                                    on_click=XeroSettingsState.cancel_step_up)),
            ),
            on_submit=XeroSettingsState.confirm_step_up,
        ),
        rx.fragment(),
    )


def integrations_tab() -> rx.Component:
    connection = XeroSettingsState.connection
    return rx.vstack(
        rx.heading("Xero", size="4"),
        rx.hstack(
            rx.badge(connection.label,
                     color_scheme=rx.match(connection.status, (ConnectionStatus.CONNECTED.value, "green"),
                                           (ConnectionStatus.NEEDS_RECONNECT.value, "red"), "gray"),
                     data_testid="xero-connection-status"),
            rx.cond(connection.organisation != "", rx.text(" · "), rx.fragment()),
            rx.text(connection.organisation, weight="bold", data_testid="xero-organisation"),
            data_testid="xero-connection",
        ),
        rx.cond(connection.day_quota != "", rx.text(connection.day_quota, size="2", color_scheme="gray",
                                                    data_testid="xero-day-quota"), rx.fragment()),
        rx.cond(XeroSettingsState.message != "", rx.callout(XeroSettingsState.message, color_scheme="red"),
                rx.fragment()),
        rx.cond(
            XeroSettingsState.can_connect,
            rx.vstack(
                rx.cond(connection.status == ConnectionStatus.CHOOSE_ORG.value, rx.vstack(
                    rx.text("You allowed several organisations. Choose the one this business uses:"),
                    rx.foreach(connection.choices, lambda choice: rx.button(
                        choice["name"], variant="outline", data_testid="xero-organisation-choice",
                        on_click=XeroSettingsState.choose_organisation(choice["id"]))),
                ), rx.fragment()),
                rx.hstack(
                    rx.button(rx.cond(connection.status == ConnectionStatus.NOT_CONNECTED.value,
                                      "Connect to Xero", "Reconnect Xero"),
                              on_click=XeroSettingsState.ask_step_up("connect"), data_testid="connect-xero"),
                    rx.cond(connection.status != ConnectionStatus.NOT_CONNECTED.value,
                            rx.button("Disconnect", color_scheme="red", variant="soft",
                                      on_click=XeroSettingsState.ask_step_up("disconnect"),
                                      data_testid="disconnect-xero"), rx.fragment()),
                ),
                _step_up_prompt(),
                align="start",
            ),
            rx.cond(connection.status == ConnectionStatus.CONNECTED.value, rx.fragment(),  # nothing to ask for
                    rx.text(rx.cond(connection.status == ConnectionStatus.NOT_CONNECTED.value, CONNECT_ROLES_HINT,
                                    RECONNECT_ROLES_HINT),
                            size="2", color_scheme="gray", data_testid="xero-ask-owner")),
        ),
        align="start",
        on_mount=XeroSettingsState.load,
    )


def _suggestion_note(suggested: rx.Var) -> rx.Component:
    return rx.cond(suggested != "", rx.text("Suggested from your Xero chart: check it, then Save to confirm.",
                                            size="1", color_scheme="amber", data_testid="xero-suggestion"),
                   rx.fragment())


def _picker(label: str, name: str, choices: rx.Var) -> rx.Component:
    suggested = XeroSettingsState.suggested.get(name, "")
    return rx.vstack(
        rx.text(label, size="2", weight="medium"),
        rx.select.root(rx.select.trigger(placeholder="Choose…", aria_label=label),
                       rx.select.content(rx.foreach(choices, lambda c: rx.select.item(c.label, value=c.value))),
                       name=name, default_value=rx.cond(XeroSettingsState.values.get(name, "") != "",
                                                        XeroSettingsState.values.get(name, ""), suggested)),
        _suggestion_note(suggested),
        field_error(XeroSettingsState.errors.get(name, "")),
        spacing="1",
    )


def _tax_mapping(mapping: rx.Var) -> rx.Component:
    name = "tax_" + mapping.rate_id.to_string()
    return rx.vstack(
        rx.text(mapping.name, size="2", weight="medium"),
        rx.select.root(rx.select.trigger(placeholder="Xero tax type", aria_label=mapping.name),
                       rx.select.content(rx.foreach(XeroSettingsState.tax_types,
                                                    lambda c: rx.select.item(c.label, value=c.value))),
                       name=name, default_value=rx.cond(mapping.xero_tax_type != "", mapping.xero_tax_type,
                                                        mapping.suggested)),
        _suggestion_note(mapping.suggested),
        field_error(XeroSettingsState.errors.get(name, "")),
        spacing="1")


def _rate_warning() -> rx.Component:
    warning = XeroSettingsState.errors.get("accept_other_rates", "")
    return rx.cond(warning != "", rx.callout(rx.vstack(
        rx.text(warning),
        rx.el.label(rx.el.input(type="checkbox", name="accept_other_rates", data_testid="accept-other-rates"),
                    " Map it anyway", class_name="rt-Text rt-r-size-2"),
    ), color_scheme="amber", icon="triangle-alert", data_testid="tax-rate-warning"), rx.fragment())


def xero_tab() -> rx.Component:
    connected = XeroSettingsState.connection.status == ConnectionStatus.CONNECTED.value
    return rx.vstack(integrations_tab(),
                     rx.cond(connected, rx.vstack(rx.hstack(send_all_button(), sync_all_button()), sync_board_panel(),
                                                  width="100%"),
                             rx.fragment()),
                     rx.cond(connected, _mappings(), rx.fragment()), align="start", width="100%")


def _mappings() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.heading("Accounts", size="4"),
            _picker("Labour lines", "labour_account", XeroSettingsState.revenue_accounts),
            _picker("Materials lines", "materials_account", XeroSettingsState.revenue_accounts),
            _picker("Other lines", "other_account", XeroSettingsState.revenue_accounts),
            _picker("Payment account for manual payments", "payment_account", XeroSettingsState.payment_accounts),
            _picker("Stripe payment account (clearing)", "stripe_account", XeroSettingsState.payment_accounts),
            _picker("Stripe fee account", "stripe_fee_account", XeroSettingsState.expense_accounts),
            rx.heading("Tax rates", size="4"),
            rx.foreach(XeroSettingsState.tax_mappings, _tax_mapping),
            _rate_warning(),
            rx.heading("Pushing", size="4"),
            rx.select.root(rx.select.trigger(aria_label="Push invoices as"),
                           rx.select.content(rx.select.item("Authorised", value="authorised"),
                                             rx.select.item("Draft", value="draft")),
                           name="push_as", default_value=XeroSettingsState.values.get("push_as", "authorised")),
            rx.select.root(rx.select.trigger(aria_label="Contact policy"),
                           rx.select.content(rx.select.item("Create missing contacts automatically", value="create"),
                                             rx.select.item("Require a matching Xero contact", value="require_match")),
                           name="contact_policy",
                           default_value=XeroSettingsState.values.get("contact_policy", "create")),
            rx.button("Save", type="submit", data_testid="save-xero-settings"),
            align="start",
        ),
        on_submit=XeroSettingsState.save,
        on_mount=XeroSettingsState.load,
    )

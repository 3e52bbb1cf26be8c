"""Business Settings: one route per tab, each tab checked against the permission table on the server."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.ui.components.layout import field_error, field_label, page
from myapprentice_app.ui.pages.settings_security import security_tab
from myapprentice_app.ui.pages.settings_stripe import stripe_section
from myapprentice_app.ui.pages.settings_team import team_tab
from myapprentice_app.ui.pages.settings_xero import integrations_tab, xero_tab
from myapprentice_app.ui.state.settings import SettingsState


def _tab_bar() -> rx.Component:
    return rx.hstack(
        rx.foreach(SettingsState.tabs, lambda tab: rx.link(
            rx.button(tab.label, variant=rx.cond(tab.href.endswith(SettingsState.active_tab), "solid", "soft")),
            href=tab.href, data_testid="settings-tab")),
        wrap="wrap",
    )


def _text_field(label: str, name: str, value: rx.Var) -> rx.Component:
    return rx.vstack(
        field_label(label, name),
        rx.input(id=name, name=name, default_value=value, width="100%"),
        field_error(SettingsState.errors.get(name, "")),
        width="100%",
        spacing="1",
    )


def _business_tab() -> rx.Component:
    return rx.form(
        rx.vstack(
            _text_field("Business name", "name", SettingsState.details.name),
            _text_field("Accounts email", "email", SettingsState.details.email),
            _text_field("Phone", "phone", SettingsState.details.phone),
            _text_field("ABN", "abn", SettingsState.details.abn),
            _text_field("Address", "address", SettingsState.details.address),
            _text_field("Payment terms (days)", "payment_terms_days", SettingsState.details.payment_terms_days),
            rx.button("Save", type="submit"),
            max_width="32em",
            width="100%",
        ),
        on_submit=SettingsState.save_business,
    )


def settings_page() -> rx.Component:
    return page("Business Settings", lambda: rx.vstack(
        _tab_bar(),
        rx.match(
            SettingsState.active_tab,
            ("business", _business_tab()),
            ("team", team_tab()),
            ("security", security_tab()),
            ("integrations", rx.vstack(integrations_tab(), rx.divider(), stripe_section(),
                                       align="start", width="100%")),
            ("xero", xero_tab()),
            rx.fragment(),
        ),
        width="100%",
        spacing="4",
    ))

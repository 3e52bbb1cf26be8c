"""Business Settings: one route per tab, each tab checked against the permission table on the server."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import session_scope
from myapprentice_app.domain.roles import Permission
from myapprentice_app.services import business
from myapprentice_app.services.business import BusinessDetails, TeamMember
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.ui.components.layout import field_error, field_label, page
from myapprentice_app.ui.navigation import SETTINGS_TABS, NavItem, settings_tabs_for
from myapprentice_app.ui.pages.settings_security import security_tab
from myapprentice_app.ui.pages.settings_team import TeamState, team_tab
from myapprentice_app.ui.pages.settings_xero import integrations_tab, xero_tab
from myapprentice_app.ui.state.security import SecurityState
from myapprentice_app.ui.state.session import SessionState, authorise

TAB_PERMISSIONS = {slug: permission for slug, _, permission in SETTINGS_TABS}


class SettingsState(rx.State):
    active_tab: str = ""
    tabs: list[NavItem] = []
    details: BusinessDetails = BusinessDetails()
    members: list[TeamMember] = []
    errors: dict[str, str] = {}

    async def _authorise_tab(self, slug: str):
        permission = TAB_PERMISSIONS.get(slug)
        if permission is None:
            return await authorise(self, Permission.BUSINESS_SETTINGS, page=True)
        return await authorise(self, permission, page=True)

    @rx.event
    async def load(self):
        slug = str(self.router.page.params.get("tab", "business"))
        self.active_tab = slug
        self.errors = {}
        principal, refusal = await self._authorise_tab(slug)
        if principal is None:
            return refusal
        if slug not in TAB_PERMISSIONS:
            (await self.get_state(SessionState)).access = "forbidden"
            return
        self.tabs = settings_tabs_for(principal.role)
        with session_scope() as session:
            if slug == "business":
                self.details = business.business_details(session, principal)
            elif slug == "team":
                return TeamState.load
            elif slug == "security":
                return SecurityState.load

    @rx.event
    async def save_business(self, form: dict):
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS)
        if principal is None:
            return refusal
        details = BusinessDetails(**{key: str(form.get(key, "")) for key in BusinessDetails.__dataclass_fields__})
        with session_scope() as session:
            try:
                business.update_business(session, principal, details)
            except ValidationFailed as failed:
                self.errors = failed.errors
                return rx.toast.error("Check the highlighted fields.")
        self.errors = {}
        self.details = details
        return rx.toast.success("Business details saved.")


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


def _connection_status() -> rx.Component:
    return rx.vstack(
        rx.heading("Xero", size="4"),
        rx.text("Not connected", data_testid="xero-connection-status"),
        rx.text("Ask your Business Owner or Admin to connect Xero.", size="2", color_scheme="gray"),
        align="start",
    )


def settings_page() -> rx.Component:
    return page("Business Settings", lambda: rx.vstack(
        _tab_bar(),
        rx.match(
            SettingsState.active_tab,
            ("business", _business_tab()),
            ("team", team_tab()),
            ("security", security_tab()),
            ("integrations", integrations_tab()),
            ("xero", xero_tab()),
            rx.fragment(),
        ),
        width="100%",
        spacing="4",
    ))

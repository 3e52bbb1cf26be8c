"""Business Settings: one route per tab, each tab checked against the permission table on the server."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import session_scope
from myapprentice_app.domain.roles import Permission
from myapprentice_app.services import auth, business
from myapprentice_app.services.business import BusinessDetails, TeamMember
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.ui.components.layout import field_error, page
from myapprentice_app.ui.navigation import SETTINGS_TABS, NavItem, settings_tabs_for
from myapprentice_app.ui.pages.settings_team import TeamState, team_tab
from myapprentice_app.ui.pages.settings_xero import integrations_tab, xero_tab
from myapprentice_app.ui.state.session import SessionState, authorise

TAB_PERMISSIONS = {slug: permission for slug, _, permission in SETTINGS_TABS}


class SettingsState(rx.State):
    active_tab: str = ""
    tabs: list[NavItem] = []
    details: BusinessDetails = BusinessDetails()
    members: list[TeamMember] = []
    errors: dict[str, str] = {}
    mfa_enabled: bool = False
    enrolment_qr: str = ""
    enrolment_secret: str = ""
    _pending_secret: str = ""
    recovery_codes: list[str] = []

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
        self.recovery_codes = []
        self.enrolment_qr = ""
        principal, refusal = await self._authorise_tab(slug)
        if principal is None:
            return refusal
        if slug not in TAB_PERMISSIONS:
            (await self.get_state(SessionState)).access = "forbidden"
            return
        self.tabs = settings_tabs_for(principal.role)
        self.mfa_enabled = principal.mfa_enabled
        with session_scope() as session:
            if slug == "business":
                self.details = business.business_details(session, principal)
            elif slug == "team":
                return TeamState.load

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

    @rx.event
    async def begin_mfa(self):
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS)
        if principal is None:
            return refusal
        with session_scope() as session:
            enrolment = auth.begin_totp_enrolment(session, principal)
        self._pending_secret = enrolment.secret
        self.enrolment_secret = enrolment.secret
        self.enrolment_qr = enrolment.qr_svg_data_uri

    @rx.event
    async def confirm_mfa(self, form: dict):
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS)
        if principal is None:
            return refusal
        token = (await self.get_state(SessionState)).session_token
        with session_scope() as session:
            try:
                codes = auth.confirm_totp_enrolment(session, principal, token=token, secret=self._pending_secret,
                                                    code=str(form.get("code", "")))
            except ValidationFailed as failed:
                self.errors = failed.errors
                return
        self.errors, self.enrolment_qr, self._pending_secret = {}, "", ""
        self.mfa_enabled = True
        self.recovery_codes = codes
        return rx.toast.success("Two-step sign-in is on.")

    @rx.event
    async def new_recovery_codes(self):
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS)
        if principal is None:
            return refusal
        with session_scope() as session:
            self.recovery_codes = auth.regenerate_recovery_codes(session, principal)


def _tab_bar() -> rx.Component:
    return rx.hstack(
        rx.foreach(SettingsState.tabs, lambda tab: rx.link(
            rx.button(tab.label, variant=rx.cond(tab.href.endswith(SettingsState.active_tab), "solid", "soft")),
            href=tab.href, data_testid="settings-tab")),
        wrap="wrap",
    )


def _text_field(label: str, name: str, value: rx.Var) -> rx.Component:
    return rx.vstack(
        rx.text(label, as_="label", html_for=name, size="2", weight="medium"),
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


def _security_tab() -> rx.Component:
    return rx.vstack(
        rx.heading("Two-step sign-in (MFA)", size="4"),
        rx.cond(
            SettingsState.mfa_enabled,
            rx.vstack(
                rx.badge("On", color_scheme="green", data_testid="mfa-status"),
                rx.button("Make new recovery codes", variant="soft", on_click=SettingsState.new_recovery_codes),
            ),
            rx.cond(
                SettingsState.enrolment_qr != "",
                rx.form(
                    rx.vstack(
                        rx.text("Scan this with your authenticator app, then enter the code it shows."),
                        rx.image(src=SettingsState.enrolment_qr, width="12em", alt="MFA QR code"),
                        rx.text("Or type this key: ",
                                rx.code(SettingsState.enrolment_secret, data_testid="mfa-secret")),
                        rx.input(name="code", placeholder="123456", auto_complete="one-time-code"),
                        field_error(SettingsState.errors.get("code", "")),
                        rx.button("Turn on", type="submit"),
                    ),
                    on_submit=SettingsState.confirm_mfa,
                ),
                rx.vstack(
                    rx.text("Connecting Xero or Stripe needs two-step sign-in. Set it up with any authenticator app."),
                    rx.button("Set up two-step sign-in", on_click=SettingsState.begin_mfa),
                ),
            ),
        ),
        rx.cond(
            SettingsState.recovery_codes.length() > 0,
            rx.callout(
                rx.vstack(
                    rx.text("Recovery codes: each works once if you lose your phone. Keep them somewhere safe; "
                            "they won't be shown again."),
                    rx.foreach(SettingsState.recovery_codes, lambda code: rx.code(code, data_testid="recovery-code")),
                ),
                icon="key-round",
            ),
            rx.fragment(),
        ),
        align="start",
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
            ("security", _security_tab()),
            ("integrations", integrations_tab()),
            ("xero", xero_tab()),
            rx.fragment(),
        ),
        width="100%",
        spacing="4",
    ))

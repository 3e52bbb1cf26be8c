"""Business Settings → Integrations (connect / disconnect Xero, organisation picker) and → Xero (mappings)."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission, PermissionDenied, can
from myapprentice_app.domain.whole_numbers import whole_number
from myapprentice_app.security import signed_notice
from myapprentice_app.services import xero_connection, xero_settings
from myapprentice_app.services.errors import ActionRefused, ValidationFailed
from myapprentice_app.services.xero_connection import ConnectionView
from myapprentice_app.services.xero_settings import Choice, TaxMapping
from myapprentice_app.ui.state.outcomes import form_values
from myapprentice_app.ui.state.session import SessionState, authorise, authorise_with_code


class XeroSettingsState(SessionState):
    connection: ConnectionView = ConnectionView()
    can_connect: bool = False
    step_up_for: str = ""  # connect | disconnect, while the MFA prompt is open
    message: str = ""
    values: dict[str, str] = {}
    revenue_accounts: list[Choice] = []
    payment_accounts: list[Choice] = []
    expense_accounts: list[Choice] = []
    tax_types: list[Choice] = []
    tax_mappings: list[TaxMapping] = []
    suggested: dict[str, str] = {}  # from the organisation's chart, for what isn't chosen yet
    errors: dict[str, str] = {}

    @rx.event
    async def load(self):
        principal, refusal = await authorise(self, Permission.XERO_SETTINGS, page=True)  # the tab says no
        if principal is None:
            return refusal
        self.can_connect = can(principal.role, Permission.CONNECT_XERO)
        params = self.router.page.params
        self.message = signed_notice(str(params.get("xero_error", "") or ""), str(params.get("sig", "") or ""))
        self.connection = await in_session_thread(xero_connection.connection_view, principal)
        self._show(await in_session_thread(xero_settings.settings_view, principal))

    def _show(self, view: xero_settings.XeroSettingsView) -> None:
        self.values, self.suggested = view.values, view.suggested
        self.revenue_accounts, self.payment_accounts = view.revenue_accounts, view.payment_accounts
        self.expense_accounts = view.expense_accounts
        self.tax_types, self.tax_mappings = view.tax_types, view.tax_mappings

    @rx.event
    async def ask_step_up(self, purpose: str):
        principal, refusal = await authorise(self, Permission.CONNECT_XERO)
        if principal is None:
            return refusal
        if not principal.mfa_enabled:
            return rx.toast.error(xero_connection.NEEDS_MFA_SETUP)
        self.step_up_for = "disconnect" if purpose == "disconnect" else "connect"

    @rx.event
    async def confirm_step_up(self, form: dict):
        form = form_values(form)
        principal, refusal = await authorise_with_code(self, Permission.CONNECT_XERO, str(form.get("code", "")))
        if principal is None:
            return refusal
        purpose, self.step_up_for = self.step_up_for, ""
        try:
            if purpose == "disconnect":
                await in_session_thread(xero_connection.disconnect, principal)  # a worker revokes the token at Xero
                self.connection = await in_session_thread(xero_connection.connection_view, principal)
                return rx.toast.success("Xero is disconnected.")
            url = await in_session_thread(xero_connection.start_connect, principal)
        except (ActionRefused, PermissionDenied) as refused:
            return rx.toast.error(str(refused))
        return rx.redirect(url)

    @rx.event
    async def cancel_step_up(self):
        self.step_up_for = ""

    @rx.event
    async def choose_organisation(self, tenant_id: str):
        principal, refusal = await authorise(self, Permission.CONNECT_XERO)
        if principal is None:
            return refusal
        try:
            await in_session_thread(xero_connection.choose_organisation, principal, tenant_id)
        except ActionRefused as refused:
            return rx.toast.error(str(refused))
        self.connection = await in_session_thread(xero_connection.connection_view, principal)
        return rx.toast.success(f"Connected to {self.connection.organisation}.")

    @rx.event
    async def save(self, form: dict):
        form = form_values(form)
        principal, refusal = await authorise(self, Permission.XERO_SETTINGS)
        if principal is None:
            return refusal
        values = {name: str(form.get(name, "")) for name in xero_settings.SETTING_FIELDS}
        mappings = {rate_id: str(value) for key, value in form.items()
                    if key.startswith("tax_") and (rate_id := whole_number(key[4:])) is not None}
        try:
            await in_session_thread(xero_settings.save_settings, principal, values, mappings,
                                    accept_other_rates=bool(form.get("accept_other_rates")))
        except ValidationFailed as failed:
            self.errors = failed.errors
            return rx.toast.error("Check the highlighted choices.")
        self._show(await in_session_thread(xero_settings.settings_view, principal))
        self.errors = {}
        return rx.toast.success("Xero settings saved.")

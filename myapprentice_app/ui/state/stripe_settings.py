"""Business Settings → Integrations → Stripe: connect with a step-up, disconnect, and the account's status."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission, PermissionDenied, can
from myapprentice_app.integrations.stripe.client import StripeProblem
from myapprentice_app.security import signed_notice
from myapprentice_app.services import stripe_connection
from myapprentice_app.services.errors import ActionRefused
from myapprentice_app.services.stripe_connection import StripeView
from myapprentice_app.ui.state.outcomes import form_values
from myapprentice_app.ui.state.session import SessionState, authorise, authorise_with_code


class StripeSettingsState(SessionState):
    view: StripeView = StripeView()
    can_connect: bool = False
    step_up_for: str = ""  # connect | disconnect, while the code prompt is open
    message: str = ""

    @rx.event
    async def load(self):
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS, page=True)  # the tab says no
        if principal is None:
            return refusal
        self.can_connect = can(principal.role, Permission.CONNECT_STRIPE)
        params = self.router.page.params
        self.message = signed_notice(str(params.get("stripe_error", "") or ""), str(params.get("sig", "") or ""))
        if not self.can_connect:
            return
        self.view = await in_session_thread(stripe_connection.stripe_view, principal)

    @rx.event
    async def ask_step_up(self, purpose: str):
        principal, refusal = await authorise(self, Permission.CONNECT_STRIPE)
        if principal is None:
            return refusal
        if not principal.mfa_enabled:
            return rx.toast.error(stripe_connection.NEEDS_MFA_SETUP)
        self.step_up_for = "disconnect" if purpose == "disconnect" else "connect"

    @rx.event
    async def cancel_step_up(self):
        self.step_up_for = ""

    @rx.event
    async def confirm_step_up(self, form: dict):
        form = form_values(form)
        principal, refusal = await authorise_with_code(self, Permission.CONNECT_STRIPE, str(form.get("code", "")))
        if principal is None:
            return refusal
        purpose, self.step_up_for = self.step_up_for, ""
        try:
            if purpose == "disconnect":
                await in_session_thread(stripe_connection.disconnect, principal)
                self.view = await in_session_thread(stripe_connection.stripe_view, principal)
                return rx.toast.success("Stripe is disconnected. Pay links no longer offer card payment.")
            url = await in_session_thread(stripe_connection.start_connect, principal)  # calls Stripe
        except (ActionRefused, PermissionDenied, StripeProblem) as refused:
            return rx.toast.error(str(refused))
        return rx.redirect(url)

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import session_scope
from myapprentice_app.services import auth
from myapprentice_app.ui.components.layout import field_error
from myapprentice_app.ui.navigation import home_for
from myapprentice_app.ui.state.session import SessionState


class LoginState(rx.State):
    step: str = "password"  # password | code
    error: str = ""
    email_error: str = ""

    def _next_page(self, fallback: str) -> str:
        target = self.router.url.query_parameters.get("next", "")
        # Only same-site paths: an open redirect would let a phishing link borrow our login page.
        return target if target.startswith("/") and not target.startswith("//") else fallback

    @rx.event
    async def load(self):
        session_state = await self.get_state(SessionState)
        principal = session_state.current_principal()
        if principal is not None:
            return rx.redirect(self._next_page(home_for(principal.role)))
        with session_scope() as session:
            self.step = "code" if auth.awaiting_second_factor(session, session_state.session_token) else "password"
        self.error = ""

    @rx.event
    async def submit_password(self, form: dict):
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        self.email_error = "" if email.strip() else "Enter your email address."
        self.error = ""
        if not email.strip() or not password:
            self.error = "" if self.email_error else "Enter your password."
            return
        with session_scope() as session:
            try:
                outcome = auth.log_in(session, email=email, password=password)
            except auth.LoginRefused as refusal:
                self.error = str(refusal)
                return
        session_state = await self.get_state(SessionState)
        session_state.session_token = outcome.token
        if outcome.needs_mfa:
            self.step = "code"
            return
        return await self._enter(session_state)

    @rx.event
    async def submit_code(self, form: dict):
        session_state = await self.get_state(SessionState)
        with session_scope() as session:
            try:
                auth.verify_login_code(session, token=session_state.session_token, code=str(form.get("code", "")))
            except auth.LoginRefused as refusal:
                self.error = str(refusal)
                return
        return await self._enter(session_state)

    async def _enter(self, session_state: SessionState):
        principal = session_state.current_principal()
        self.error = ""
        self.step = "password"
        if principal is None:
            self.error = "Your session has expired. Sign in again."
            return
        return rx.redirect(self._next_page(home_for(principal.role)))


def _password_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Email", as_="label", html_for="email", size="2", weight="medium"),
            rx.input(id="email", name="email", type="email", placeholder="you@business.com", width="100%",
                     auto_complete="username"),
            field_error(LoginState.email_error),
            rx.text("Password", as_="label", html_for="password", size="2", weight="medium"),
            rx.input(id="password", name="password", type="password", width="100%",
                     auto_complete="current-password"),
            rx.button("Sign in", type="submit", width="100%"),
            width="100%",
        ),
        on_submit=LoginState.submit_password,
        width="100%",
    )


def _code_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Enter the 6-digit code from your authenticator app, or one of your recovery codes.", size="2"),
            rx.input(id="code", name="code", placeholder="123456", auto_complete="one-time-code", width="100%"),
            rx.button("Verify", type="submit", width="100%"),
            width="100%",
        ),
        on_submit=LoginState.submit_code,
        width="100%",
    )


def login_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.vstack(
                rx.heading("Sign in to MyApprentice", size="6"),
                rx.cond(LoginState.error != "",
                        rx.callout(LoginState.error, icon="triangle-alert", color_scheme="red", width="100%",
                                   data_testid="login-error"),
                        rx.fragment()),
                rx.cond(LoginState.step == "code", _code_form(), _password_form()),
                width="100%",
                spacing="3",
            ),
            width="min(24em, 92vw)",
            size="3",
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
    )

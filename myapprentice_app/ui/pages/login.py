"""Sign in: email and password, then the second factor when it is on. Both are plain form posts."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.ui.components.layout import card_page, field_label
from myapprentice_app.ui.components.post_form import post_form
from myapprentice_app.ui.state.login import LoginState


def _next_field() -> rx.Component:
    return rx.el.input(type="hidden", name="next", value=LoginState.next_path)


def _password_form() -> rx.Component:
    return post_form(
        rx.vstack(
            field_label("Email", "email"),
            rx.input(id="email", name="email", type="email", placeholder="you@business.com", width="100%",
                     auto_complete="username", default_value=LoginState.email),
            field_label("Password", "password"),
            rx.input(id="password", name="password", type="password", width="100%",
                     auto_complete="current-password"),
            _next_field(),
            rx.button("Sign in", type="submit", width="100%"),
            width="100%",
        ),
        action="/api/session/sign-in",
        width="100%",
    )


def _code_form() -> rx.Component:
    return post_form(
        rx.vstack(
            rx.text("Enter the 6-digit code from your authenticator app, or one of your recovery codes.", size="2",
                    as_="label", custom_attrs={"htmlFor": "code"}),
            rx.input(id="code", name="code", placeholder="123456", auto_complete="one-time-code", width="100%"),
            _next_field(),
            rx.button("Verify", type="submit", width="100%"),
            width="100%",
        ),
        action="/api/session/code",
        width="100%",
    )


def login_page() -> rx.Component:
    return card_page(
        "Sign in to MyApprentice",
        rx.cond(LoginState.error != "",
                rx.callout(LoginState.error, icon="triangle-alert", color_scheme="red", width="100%",
                           data_testid="login-error"),
                rx.fragment()),
        # Shown once the page knows where the session stands: a field that mounts after that keeps what is
        # typed into it, and starts with the email a refused attempt carried back.
        rx.cond(rx.State.is_hydrated,
                rx.cond(LoginState.step == "code", _code_form(), _password_form()),
                rx.center(rx.spinner(size="3"), width="100%", padding="2em")),
    )

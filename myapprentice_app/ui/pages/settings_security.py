"""Business Settings → Security: the two-step sign-in panel."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.ui.components.layout import field_error, field_label
from myapprentice_app.ui.state.security import SecurityState


def _enrolment_form() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Scan this with your authenticator app, then enter the code it shows."),
            rx.image(src=SecurityState.enrolment_qr, width="12em", alt="MFA QR code"),
            rx.text("Or type this key: ", rx.code(SecurityState.enrolment_secret, data_testid="mfa-secret")),
            field_label("Code from the app", "enrol_code"),
            rx.input(id="enrol_code", name="code", placeholder="123456", auto_complete="one-time-code"),
            field_error(SecurityState.errors.get("code", "")),
            rx.button("Turn on", type="submit"),
        ),
        on_submit=SecurityState.confirm_mfa,
    )


def _mfa_change_prompt() -> rx.Component:
    return rx.form(
        rx.vstack(
            rx.text("Enter a code from your authenticator app (or a recovery code) to continue.", as_="label",
                    custom_attrs={"htmlFor": "change_code"}, size="2"),
            rx.input(id="change_code", name="code", placeholder="Current code", auto_complete="one-time-code"),
            field_error(SecurityState.errors.get("change_code", "")),
            rx.hstack(
                rx.button("Continue", type="submit"),
                rx.button("Cancel", type="button", variant="soft", on_click=SecurityState.cancel_mfa_change),
            ),
        ),
        on_submit=SecurityState.confirm_mfa_change,
        data_testid="mfa-change-prompt",
    )


def _when_on() -> rx.Component:
    return rx.vstack(
        rx.badge("On", color_scheme="green", data_testid="mfa-status"),
        rx.hstack(
            rx.button("Move to a new phone", variant="soft", on_click=SecurityState.ask_mfa_change("replace")),
            rx.button("Make new recovery codes", variant="soft",
                      on_click=SecurityState.ask_mfa_change("recovery_codes")),
            rx.button("Turn off", variant="soft", color_scheme="red",
                      on_click=SecurityState.ask_mfa_change("turn_off")),
            wrap="wrap",
        ),
        rx.cond(SecurityState.mfa_change != "", _mfa_change_prompt(), rx.fragment()),
        rx.cond(SecurityState.enrolment_qr != "", _enrolment_form(), rx.fragment()),
    )


def _when_off() -> rx.Component:
    return rx.cond(
        SecurityState.enrolment_qr != "",
        _enrolment_form(),
        rx.vstack(
            rx.text("Connecting Xero or Stripe needs two-step sign-in. Set it up with any authenticator app."),
            rx.button("Set up two-step sign-in", on_click=SecurityState.begin_mfa),
        ),
    )


def _recovery_codes() -> rx.Component:
    return rx.cond(
        SecurityState.recovery_codes.length() > 0,
        rx.callout(
            rx.vstack(
                rx.text("Recovery codes: each works once if you lose your phone. Keep them somewhere safe; "
                        "they won't be shown again."),
                rx.foreach(SecurityState.recovery_codes, lambda code: rx.code(code, data_testid="recovery-code")),
            ),
            icon="key-round",
        ),
        rx.fragment(),
    )


def security_tab() -> rx.Component:
    return rx.vstack(
        rx.heading("Two-step sign-in (MFA)", size="4"),
        rx.cond(SecurityState.mfa_enabled, _when_on(), _when_off()),
        _recovery_codes(),
        align="start",
    )

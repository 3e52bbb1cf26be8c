"""Business Settings → Integrations → Stripe: connect (MFA step-up, then Stripe's onboarding), its status, what
Stripe still needs, disconnect, and card payments to review (Owner, Admin, Sole Trader)."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.ui.components.layout import field_label
from myapprentice_app.ui.state.stripe_settings import StripeSettingsState


def _step_up_prompt() -> rx.Component:
    return rx.cond(
        StripeSettingsState.step_up_for != "",
        rx.form(
            rx.vstack(
                field_label("Enter the code from your authenticator app to confirm it's you.", "stripe_step_up_code"),
                rx.input(id="stripe_step_up_code", name="code", placeholder="123456", auto_complete="one-time-code",
                         data_testid="stripe-step-up-code"),
                rx.hstack(rx.button("Confirm", type="submit", data_testid="stripe-step-up-confirm"),
                          rx.button("Cancel", variant="soft", type="button",
                                    on_click=StripeSettingsState.cancel_step_up)),
            ),
            on_submit=StripeSettingsState.confirm_step_up,
        ),
        rx.fragment(),
    )


def stripe_section() -> rx.Component:
    view = StripeSettingsState.view
    return rx.box(rx.cond(StripeSettingsState.can_connect, rx.vstack(
        rx.heading("Stripe", size="4"),
        rx.badge(view.label, color_scheme=rx.match(view.status, ("connected", "green"), ("not_connected", "gray"),
                                                   "amber"), data_testid="stripe-connection-status"),
        rx.cond(StripeSettingsState.message != "", rx.callout(StripeSettingsState.message, color_scheme="red"),
                rx.fragment()),
        rx.cond(view.missing.length() > 0, rx.vstack(
            rx.text("Stripe still needs:", size="2"),
            rx.foreach(view.missing, lambda item: rx.text("· ", item, size="2", data_testid="stripe-missing")),
            spacing="1"), rx.fragment()),
        rx.hstack(
            rx.button(rx.cond(view.status == "not_connected", "Connect Stripe", "Continue Stripe setup"),
                      on_click=StripeSettingsState.ask_step_up("connect"), data_testid="connect-stripe",
                      display=rx.cond(view.status == "connected", "none", "inline-flex")),
            rx.cond(view.status != "not_connected",
                    rx.button("Disconnect Stripe", color_scheme="red", variant="soft",
                              on_click=StripeSettingsState.ask_step_up("disconnect"), data_testid="disconnect-stripe"),
                    rx.fragment()),
        ),
        _step_up_prompt(),
        rx.cond(view.problems.length() > 0, rx.callout(rx.vstack(
            rx.text("Card payments to review", weight="bold"),
            rx.foreach(view.problems, lambda problem: rx.text(problem, size="2", data_testid="stripe-problem"))),
            color_scheme="amber"), rx.fragment()),
        align="start",
    ), rx.fragment()), on_mount=StripeSettingsState.load, width="100%")

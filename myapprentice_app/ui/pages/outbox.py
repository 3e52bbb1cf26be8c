"""Sent emails: the in-app outbox (used when no SMTP server is configured) and the SMTP log."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.ui.components.layout import page
from myapprentice_app.ui.state.outbox import OutboxState


def _message(message) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text(message.subject, weight="bold"),
                rx.spacer(),
                rx.badge(message.transport),
                width="100%",
                wrap="wrap",
            ),
            rx.text("To ", message.to_address, " · ", message.when, size="2", color_scheme="gray"),
            rx.text(message.body, white_space="pre-wrap", size="2", font_family="monospace"),
            spacing="2",
            width="100%",
        ),
        width="100%",
        data_testid="outbox-message",
    )


def outbox_page() -> rx.Component:
    return page(
        "Sent emails",
        lambda: rx.cond(
            OutboxState.loaded,
            rx.cond(
                OutboxState.messages.length() > 0,
                rx.vstack(rx.foreach(OutboxState.messages, _message), width="100%"),
                rx.callout(
                    "Nothing sent yet. Invoices you send to clients appear here.",
                    icon="inbox",
                    data_testid="empty-state",
                ),
            ),
            rx.center(rx.spinner(size="3"), padding="3em"),
        ),
    )

"""Sent emails: the in-app outbox (used when no SMTP server is configured) and the SMTP log."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import session_scope
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models.invoice_views import OutboxRow
from myapprentice_app.selectors.outbox import outbox
from myapprentice_app.ui.components.layout import page
from myapprentice_app.ui.state.session import authorise


class OutboxState(rx.State):
    messages: list[OutboxRow] = []
    loaded: bool = False

    @rx.event
    async def load(self):
        self.loaded = False
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES, page=True)
        if principal is None:
            return refusal
        with session_scope() as session:
            self.messages = outbox(session, principal)
        self.loaded = True


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

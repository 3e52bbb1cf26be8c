"""The invoice page's Send dialog: the email to the client (to, subject, message), reviewed before sending."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.ui.components.forms import labelled
from myapprentice_app.ui.state.invoice_detail import InvoiceDetailState, XeroPanelState


def send_dialog() -> rx.Component:
    s = InvoiceDetailState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(f"Send {s.invoice.number} to {s.invoice.client_name}"),
            rx.dialog.description("Review the email. Sending authorises a draft invoice.", size="2"),
            rx.vstack(
                labelled(
                    "To",
                    rx.input(
                        id="to_address",
                        value=s.email.to_address,
                        width="100%",
                        on_change=lambda v: s.set_email_field("to_address", v),
                    ),
                    s.errors.get("to_address", ""),
                    html_for="to_address",
                ),
                labelled(
                    "Subject",
                    rx.input(
                        id="subject",
                        value=s.email.subject,
                        width="100%",
                        on_change=lambda v: s.set_email_field("subject", v),
                    ),
                    s.errors.get("subject", ""),
                    html_for="subject",
                ),
                labelled(
                    "Message",
                    rx.text_area(
                        id="body",
                        value=s.email.body,
                        rows="12",
                        width="100%",
                        on_change=lambda v: s.set_email_field("body", v),
                    ),
                    s.errors.get("body", ""),
                    html_for="body",
                ),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button(
                        rx.icon("send", size=16), "Send", on_click=[s.send, XeroPanelState.refresh],  # sent: not synced
                        loading=s.sending, data_testid="confirm-send"
                    ),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                padding_top="1em",
            ),
            max_width="40em",
        ),
        open=s.send_open,
        on_open_change=s.set_send_open,
    )

"""Actions offered from both the invoices list and the invoice page: Mark as paid (a dialog) and CSV export."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.ui.components.forms import choice, text_input
from myapprentice_app.ui.components.layout import field_error
from myapprentice_app.ui.state.invoice_actions import METHODS, InvoiceActionsState


def payment_dialog() -> rx.Component:
    s = InvoiceActionsState
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(f"Mark {s.pay_number} as paid"),
            rx.dialog.description(
                "Record money received outside the app: bank transfer, cash or a card payment.", size="2"
            ),
            rx.vstack(
                text_input(
                    "Amount", "amount", s.amount, lambda v: s.set_pay_field("amount", v), s.errors, input_mode="decimal"
                ),
                text_input(
                    "Date received",
                    "paid_on",
                    s.paid_on,
                    lambda v: s.set_pay_field("paid_on", v),
                    s.errors,
                    type="date",
                ),
                choice("Method", "method", s.method, lambda v: s.set_pay_field("method", v), s.errors, METHODS),
                text_input(
                    "Reference",
                    "reference",
                    s.reference,
                    lambda v: s.set_pay_field("reference", v),
                    s.errors,
                    placeholder="Bank reference, receipt number…",
                ),
                field_error(s.errors.get("invoice", "")),
                rx.hstack(
                    rx.dialog.close(rx.button("Cancel", variant="soft", color_scheme="gray")),
                    rx.button("Record payment", on_click=s.record_payment, data_testid="record-payment"),
                    justify="end",
                    width="100%",
                ),
                spacing="3",
                padding_top="1em",
            ),
            max_width="28em",
        ),
        open=s.pay_open,
        on_open_change=s.set_pay_open,
    )

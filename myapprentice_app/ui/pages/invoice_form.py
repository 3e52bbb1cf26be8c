"""New invoice (manual, ?quote=ID or ?job=ID) and editing a draft: client, dates, reference, the line editor."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.ui.components.forms import client_choice, labelled, text_input
from myapprentice_app.ui.components.layout import field_error, page
from myapprentice_app.ui.components.line_editor import line_editor
from myapprentice_app.ui.state.invoice_form import InvoiceFormState


def _header() -> rx.Component:
    s = InvoiceFormState
    return rx.grid(
        client_choice(s),
        text_input(
            "Invoice number",
            "number",
            s.number,
            lambda v: s.set_field("number", v),
            s.errors,
            placeholder="Next number",
        ),
        text_input(
            "Invoice date", "issue_date", s.issue_date, lambda v: s.set_field("issue_date", v), s.errors, type="date"
        ),
        text_input("Due date", "due_date", s.due_date, lambda v: s.set_field("due_date", v), s.errors, type="date"),
        text_input(
            "Reference",
            "reference",
            s.reference,
            lambda v: s.set_field("reference", v),
            s.errors,
            placeholder="PO number, job name…",
        ),
        columns=rx.breakpoints(initial="1", sm="2", lg="3"),
        spacing="3",
        width="100%",
    )


def _another_invoice() -> rx.Component:
    """The quote or job has an invoice: say which, and make a further one only when the box is ticked."""
    s = InvoiceFormState
    return rx.callout(
        rx.vstack(
            rx.text(s.already_invoiced, data_testid="already-invoiced"),
            rx.el.label(
                rx.checkbox(checked=s.another, on_change=s.set_another, id="another"),
                "Create another invoice (a progress claim, say)",
                html_for="another",
                style={"display": "flex", "gap": "0.5em", "alignItems": "center"},
            ),
            spacing="2",
        ),
        icon="triangle-alert",
        color_scheme="amber",
        width="100%",
    )


def _form() -> rx.Component:
    s = InvoiceFormState
    return rx.cond(
        s.ready,
        rx.vstack(
            rx.heading(s.heading, size="5", data_testid="form-heading"),
            rx.cond(s.origin != "", rx.callout(s.origin, icon="copy", size="1"), rx.fragment()),
            rx.cond(s.already_invoiced != "", _another_invoice(), rx.fragment()),
            _header(),
            line_editor(s),
            field_error(s.errors.get("amounts_are", "")),
            rx.hstack(
                rx.button("Save draft", on_click=s.save, loading=s.saving, data_testid="save-invoice"),
                rx.link(rx.button("Cancel", variant="soft", color_scheme="gray"), href="/invoices"),
            ),
            width="100%",
            spacing="4",
        ),
        rx.center(rx.spinner(size="3"), padding="3em"),
    )


def invoice_form_page() -> rx.Component:
    return page("Invoices", _form)


__all__ = ["invoice_form_page", "labelled"]

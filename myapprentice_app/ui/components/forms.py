"""Labelled form fields bound to state, each with its server-side error message underneath."""

from __future__ import annotations

from typing import Any

import reflex as rx

from myapprentice_app.ui.components.layout import field_error, field_label


def labelled(label: str, control: rx.Component, error: Any, html_for: str = "") -> rx.Component:
    return rx.vstack(
        field_label(label, html_for),
        control,
        field_error(error),
        spacing="1",
        width="100%",
    )


def text_input(label: str, field: str, value: Any, on_change: Any, errors: Any, **props: Any) -> rx.Component:
    return labelled(
        label,
        rx.input(id=field, value=value, on_change=on_change, width="100%", **props),
        errors.get(field, ""),
        html_for=field,
    )


def choice(
    label: str, field: str, value: Any, on_change: Any, errors: Any, options: Any, placeholder: str = "Choose…"
) -> rx.Component:
    """A select over a list of Option(value, label) — a state var or a Python list of pairs."""
    if isinstance(options, list):
        items = [rx.select.item(text, value=key) for key, text in options]
    else:
        items = [rx.foreach(options, lambda option: rx.select.item(option.label, value=option.value))]
    return labelled(
        label,
        rx.select.root(
            rx.select.trigger(placeholder=placeholder, id=field, width="100%", aria_label=label),
            rx.select.content(*items),
            value=value,
            on_change=on_change,
        ),
        errors.get(field, ""),
        html_for=field,
    )


def client_choice(state: Any) -> rx.Component:
    """The client picker of the invoice, job and quote forms (their states share client_id, clients, errors)."""
    return choice("Client", "client_id", state.client_id, lambda v: state.set_field("client_id", v), state.errors,
                  state.clients, placeholder="Choose a client")

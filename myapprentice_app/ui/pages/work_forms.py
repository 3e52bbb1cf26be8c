"""Create and edit clients, jobs and quotes: /clients/new, /clients/<id>, and the same for jobs and quotes."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.services.work import JOB_STATUSES, QUOTE_STATUSES
from myapprentice_app.ui.components.forms import choice, client_choice, text_input
from myapprentice_app.ui.components.layout import page
from myapprentice_app.ui.components.line_editor import line_editor
from myapprentice_app.ui.state.client_form import CLIENT_FIELDS, ClientFormState
from myapprentice_app.ui.state.work_form import WorkFormState


def _buttons(save, back: str) -> rx.Component:  # type: ignore[no-untyped-def]
    return rx.hstack(
        rx.button("Save", on_click=save, data_testid="save"),
        rx.link(rx.button("Cancel", variant="soft", color_scheme="gray"), href=back),
    )


def _client_form() -> rx.Component:
    s = ClientFormState
    return rx.cond(
        s.ready,
        rx.vstack(
            rx.grid(
                *[
                    text_input(label, field, getattr(s.form, field), lambda v, f=field: s.set_field(f, v), s.errors)
                    for label, field in CLIENT_FIELDS
                ],
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            _buttons(s.save, "/clients"),
            width="100%",
            max_width="48em",
            spacing="4",
        ),
        rx.center(rx.spinner(size="3"), padding="3em"),
    )


def _work_form() -> rx.Component:
    s = WorkFormState
    statuses = rx.cond(s.kind == "job", "job", "quote")
    return rx.cond(
        s.ready,
        rx.vstack(
            rx.heading(s.heading, size="5"),
            rx.cond(s.invoiced.label != "", rx.link(s.invoiced.label, href=f"/invoices/{s.invoiced.invoice_id}",
                                                    data_testid="invoiced"), rx.fragment()),
            rx.grid(
                client_choice(s),
                text_input("Title", "title", s.title, lambda v: s.set_field("title", v), s.errors),
                rx.cond(
                    statuses == "job",
                    choice(
                        "Status",
                        "status",
                        s.status,
                        lambda v: s.set_field("status", v),
                        s.errors,
                        [(v, v.replace("_", " ").capitalize()) for v in JOB_STATUSES],
                    ),
                    choice(
                        "Status",
                        "status",
                        s.status,
                        lambda v: s.set_field("status", v),
                        s.errors,
                        [(v, v.capitalize()) for v in QUOTE_STATUSES],
                    ),
                ),
                rx.cond(
                    statuses == "job",
                    text_input(
                        "Site address",
                        "site_address",
                        s.site_address,
                        lambda v: s.set_field("site_address", v),
                        s.errors,
                    ),
                    rx.fragment(),
                ),
                rx.cond(
                    statuses == "job",
                    choice(
                        "Assigned to",
                        "assigned_user_id",
                        s.assigned_user_id,
                        lambda v: s.set_field("assigned_user_id", v),
                        s.errors,
                        s.team,
                    ),
                    rx.fragment(),
                ),
                columns=rx.breakpoints(initial="1", sm="2"),
                spacing="3",
                width="100%",
            ),
            line_editor(s),
            _buttons(s.save, rx.cond(statuses == "job", "/jobs", "/quotes")),
            width="100%",
            spacing="4",
        ),
        rx.center(rx.spinner(size="3"), padding="3em"),
    )


def client_form_page() -> rx.Component:
    return page("Client", _client_form)


def job_form_page() -> rx.Component:
    return page("Job", _work_form)


def quote_form_page() -> rx.Component:
    return page("Quote", _work_form)

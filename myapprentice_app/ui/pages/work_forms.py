"""Create and edit clients, jobs and quotes: /clients/new, /clients/<id>, and the same for jobs and quotes."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import session_scope
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models.invoice_views import Option
from myapprentice_app.selectors.pickers import client_options, tax_rate_choices, team_options
from myapprentice_app.services import clients, work
from myapprentice_app.services.clients import ClientForm
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.services.work import JOB_STATUSES, QUOTE_STATUSES, JobForm, QuoteForm
from myapprentice_app.ui.components.forms import choice, client_choice, text_input
from myapprentice_app.ui.components.layout import page
from myapprentice_app.ui.components.line_editor import LineEditorMixin, line_editor
from myapprentice_app.ui.components.outcomes import CHECK_FIELDS, REFUSED, parse_id, refused
from myapprentice_app.ui.state.session import authorise

UNASSIGNED = "unassigned"
CLIENT_FIELDS = [
    ("Name", "name"),
    ("Email", "email"),
    ("Phone", "phone"),
    ("Address line 1", "address_line1"),
    ("Address line 2", "address_line2"),
    ("City", "city"),
    ("State / region", "region"),
    ("Postcode", "postcode"),
    ("Country", "country"),
]


class ClientFormState(rx.State):
    client_id: int = 0
    form: ClientForm = ClientForm()
    errors: dict[str, str] = {}
    ready: bool = False

    @rx.event
    async def load(self):
        self.ready, self.errors = False, {}
        principal, refusal = await authorise(self, Permission.MANAGE_CLIENTS, page=True)
        if principal is None:
            return refusal
        self.client_id = parse_id(self.router.page.params.get("id")) or 0
        try:
            with session_scope() as session:
                self.form = clients.client_form(session, principal, self.client_id) if self.client_id else ClientForm()
        except REFUSED as reason:
            return [refused(reason), rx.redirect("/clients")]
        self.ready = True

    @rx.event
    def set_field(self, field: str, value: str):
        if field in ClientForm.__dataclass_fields__:
            self.form = ClientForm(**{**self.form.__dict__, field: str(value)[:1000]})
            self.errors.pop(field, None)

    @rx.event
    async def save(self):
        principal, refusal = await authorise(self, Permission.MANAGE_CLIENTS)
        if principal is None:
            return refusal
        try:
            with session_scope() as session:
                if self.client_id:
                    saved = clients.update_client(session, principal, self.client_id, self.form)
                else:
                    saved = clients.create_client(session, principal, self.form)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return rx.toast.error(CHECK_FIELDS)
        except REFUSED as reason:
            return refused(reason)
        return [rx.toast.success(f"{saved.name} saved."), rx.redirect("/clients")]


class WorkFormState(LineEditorMixin, rx.State):
    """Jobs and quotes share one form: client, title, status, lines (and for jobs, site and assignee)."""

    kind: str = "job"  # job | quote
    record_id: int = 0
    heading: str = ""
    client_id: str = ""
    title: str = ""
    status: str = ""
    site_address: str = ""
    assigned_user_id: str = UNASSIGNED
    clients: list[Option] = []
    team: list[Option] = []
    ready: bool = False

    async def _load(self, kind: str):
        self.ready, self.errors, self.kind = False, {}, kind
        permission = Permission.MANAGE_CLIENTS if kind == "job" else Permission.EDIT_INVOICES
        principal, refusal = await authorise(self, permission, page=True)
        if principal is None:
            return refusal
        self.record_id = parse_id(self.router.page.params.get("id")) or 0
        try:
            with session_scope() as session:
                self.clients = client_options(session, principal)
                self.team = [Option(value=UNASSIGNED, label="Unassigned"), *team_options(session, principal)]
                self._use_rates(tax_rate_choices(session, principal))
                self._show(session, principal)
        except REFUSED as reason:
            return [refused(reason), rx.redirect(f"/{kind}s")]
        self.ready = True

    def _show(self, session, principal) -> None:  # type: ignore[no-untyped-def]
        if self.kind == "job":
            form = work.job_form(session, principal, self.record_id) if self.record_id else JobForm()
            self.site_address = form.site_address
            self.assigned_user_id = str(form.assigned_user_id) if form.assigned_user_id else UNASSIGNED
            self.heading = f"Edit job: {form.title}" if self.record_id else "New job"
        else:
            quote = work.quote_form(session, principal, self.record_id) if self.record_id else QuoteForm()
            self.amounts_are = quote.amounts_are
            self.heading = f"Edit quote {quote.number}" if self.record_id else "New quote"
            self.client_id, self.title, self.status = str(quote.client_id or ""), quote.title, quote.status
            self._use_lines(quote.lines)
            return
        self.client_id, self.title, self.status = str(form.client_id or ""), form.title, form.status
        self._use_lines(form.lines)

    @rx.event
    async def load_job(self):
        return await self._load("job")

    @rx.event
    async def load_quote(self):
        return await self._load("quote")

    @rx.event
    def set_field(self, field: str, value: str):
        if field in ("client_id", "title", "status", "site_address", "assigned_user_id"):
            setattr(self, field, str(value)[:1000])
            self.errors.pop(field, None)

    @rx.event
    async def save(self):
        permission = Permission.MANAGE_CLIENTS if self.kind == "job" else Permission.EDIT_INVOICES
        principal, refusal = await authorise(self, permission)
        if principal is None:
            return refusal
        lines = [line for line in self._drafts() if line.description.strip() or line.unit_amount.strip()]
        try:
            with session_scope() as session:
                if self.kind == "job":
                    work.save_job(
                        session,
                        principal,
                        self.record_id or None,
                        JobForm(
                            client_id=parse_id(self.client_id),
                            title=self.title,
                            site_address=self.site_address,
                            status=self.status,
                            assigned_user_id=parse_id(self.assigned_user_id),
                            lines=lines,
                        ),
                    )
                else:
                    work.save_quote(
                        session,
                        principal,
                        self.record_id or None,
                        QuoteForm(
                            client_id=parse_id(self.client_id),
                            title=self.title,
                            status=self.status,
                            amounts_are=self.amounts_are,
                            lines=lines,
                        ),
                    )
        except ValidationFailed as failed:
            self.errors = failed.errors
            return rx.toast.error(CHECK_FIELDS)
        except REFUSED as reason:
            return refused(reason)
        return [rx.toast.success(f"{self.title.strip()} saved."), rx.redirect(f"/{self.kind}s")]


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

"""The job and quote forms' state: a job or quote with its lines, and making an invoice from it."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models.invoice_views import Option
from myapprentice_app.models.views import Invoiced
from myapprentice_app.selectors.pickers import client_options, tax_rate_choices, team_options
from myapprentice_app.selectors.work import invoiced_for
from myapprentice_app.services import work
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.services.work import JobForm, QuoteForm
from myapprentice_app.ui.state.line_editor import LineEditorMixin
from myapprentice_app.ui.state.outcomes import CHECK_FIELDS, REFUSED, parse_id, refused
from myapprentice_app.ui.state.session import SessionState, authorise

UNASSIGNED = "unassigned"


class WorkFormState(LineEditorMixin, SessionState):
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
    invoiced: Invoiced = Invoiced()
    ready: bool = False

    async def _load(self, kind: str):
        self.ready, self.errors, self.kind = False, {}, kind
        permission = Permission.MANAGE_CLIENTS if kind == "job" else Permission.EDIT_INVOICES
        principal, refusal = await authorise(self, permission, page=True)
        if principal is None:
            return refusal
        self.record_id = parse_id(self.router.page.params.get("id")) or 0
        try:
            await in_session_thread(self._read_form, principal)
        except REFUSED as reason:
            return [refused(reason), rx.redirect(f"/{self.kind}s")]
        self.ready = True

    def _read_form(self, session, principal) -> None:  # type: ignore[no-untyped-def]
        """In a thread, while the handler awaits it: the choices, the job or quote, and what invoiced it."""
        self.clients = client_options(session, principal)
        self.team = [Option(value=UNASSIGNED, label="Unassigned"), *team_options(session, principal)]
        self._use_rates(tax_rate_choices(session, principal))
        self._show(session, principal)  # refuses another business's job or quote
        source = {"quote_id" if self.kind == "quote" else "job_id": self.record_id}
        self.invoiced = invoiced_for(session, principal, **source) if self.record_id else Invoiced()

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
            if self.kind == "job":
                job = JobForm(client_id=parse_id(self.client_id), title=self.title, site_address=self.site_address,
                              status=self.status, assigned_user_id=parse_id(self.assigned_user_id), lines=lines)
                await in_session_thread(work.save_job, principal, self.record_id or None, job)
            else:
                quote = QuoteForm(client_id=parse_id(self.client_id), title=self.title, status=self.status,
                                  amounts_are=self.amounts_are, lines=lines)
                await in_session_thread(work.save_quote, principal, self.record_id or None, quote)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return rx.toast.error(CHECK_FIELDS)
        except REFUSED as reason:
            return refused(reason)
        return [rx.toast.success(f"{self.title.strip()} saved."), rx.redirect(f"/{self.kind}s")]

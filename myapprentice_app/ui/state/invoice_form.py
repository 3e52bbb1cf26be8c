"""The new/edit invoice form's state: header fields plus the shared line editor."""

from __future__ import annotations

import datetime as dt

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models.invoice_views import Option
from myapprentice_app.selectors.pickers import client_options, tax_rate_choices
from myapprentice_app.services import invoice_sources, invoiced, invoices
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.services.invoices import InvoiceDraft
from myapprentice_app.ui.state.line_editor import LineEditorMixin
from myapprentice_app.ui.state.outcomes import CHECK_FIELDS, REFUSED, parse_id, refused
from myapprentice_app.ui.state.session import SessionState, authorise

HEADER_FIELDS = ("client_id", "issue_date", "due_date", "reference", "number")


class InvoiceFormState(LineEditorMixin, SessionState):
    invoice_id: int = 0
    heading: str = "New invoice"
    origin: str = ""
    client_id: str = ""
    issue_date: str = ""
    due_date: str = ""
    reference: str = ""
    number: str = ""
    clients: list[Option] = []
    ready: bool = False
    saving: bool = False
    already_invoiced: str = ""  # "Quote Q-0004 already has invoice INV-0061.": the form asks to confirm another
    another: bool = False
    _quote_id: int | None = None
    _job_id: int | None = None

    @rx.event
    async def load(self):
        self.ready, self.errors = False, {}
        principal, refusal = await authorise(self, Permission.EDIT_INVOICES, page=True)
        if principal is None:
            return refusal
        params, query = self.router.page.params, self.router.url.query_parameters
        invoice_id = parse_id(params.get("id"))
        try:
            draft = await in_session_thread(self._read_form, principal, invoice_id, query)
        except REFUSED as reason:
            return [refused(reason), rx.redirect("/invoices")]
        self._show(draft)
        self.another = query.get("another") == "1"  # confirmed in the list's dialog; the form's box shows it
        self.ready = True

    def _read_form(self, session, principal, invoice_id, query) -> InvoiceDraft:  # type: ignore[no-untyped-def]
        """In a thread, while the handler awaits it: the clients and tax rates to choose from, and the draft."""
        self.clients = client_options(session, principal)
        self._use_rates(tax_rate_choices(session, principal))
        return self._starting_draft(session, principal, invoice_id, query)

    def _starting_draft(self, session, principal, invoice_id, query) -> InvoiceDraft:  # type: ignore[no-untyped-def]
        self.invoice_id, self.origin, self.heading, self.already_invoiced = invoice_id or 0, "", "New invoice", ""
        if invoice_id:
            draft = invoice_sources.draft_of_invoice(session, principal, invoice_id)
            self.heading = f"Edit {draft.number}"
            return draft
        if quote_id := parse_id(query.get("quote")):
            self.origin = "Lines copied from the accepted quote: change anything before saving."
            draft = invoice_sources.draft_from_quote(session, principal, quote_id)
        elif job_id := parse_id(query.get("job")):
            self.origin = "Lines copied from the completed job: change anything before saving."
            draft = invoice_sources.draft_from_job(session, principal, job_id)
        else:
            return invoice_sources.blank_draft(session, principal)
        self.already_invoiced = invoiced.already_invoiced(session, principal.business_id, quote_id=draft.quote_id,
                                                          job_id=draft.job_id)
        return draft

    def _show(self, draft: InvoiceDraft) -> None:
        self.client_id = str(draft.client_id or "")
        self.issue_date = draft.issue_date.isoformat() if draft.issue_date else ""
        self.due_date = draft.due_date.isoformat() if draft.due_date else ""
        self.reference, self.number, self.amounts_are = draft.reference, draft.number, draft.amounts_are
        self._quote_id, self._job_id = draft.quote_id, draft.job_id
        self._use_lines(draft.lines)

    @rx.event
    def set_field(self, field: str, value: str):
        if field in HEADER_FIELDS:
            setattr(self, field, str(value)[:300])
            self.errors.pop(field, None)

    @rx.event
    def set_another(self, value: bool):
        self.another = bool(value)

    @rx.event
    async def save(self):
        principal, refusal = await authorise(self, Permission.EDIT_INVOICES)
        if principal is None:
            return refusal
        draft = InvoiceDraft(
            client_id=parse_id(self.client_id),
            issue_date=_date(self.issue_date),
            due_date=_date(self.due_date),
            lines=self._drafts(),
            reference=self.reference,
            amounts_are=self.amounts_are,
            number=self.number,
            quote_id=self._quote_id,
            job_id=self._job_id,
            another=self.another,
        )
        try:
            if self.invoice_id:
                invoice = await in_session_thread(invoices.update_invoice, principal, self.invoice_id, draft)
            else:
                invoice = await in_session_thread(invoices.create_invoice, principal, draft)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return rx.toast.error(CHECK_FIELDS)
        except REFUSED as reason:
            return refused(reason)
        self.errors = {}
        return [rx.toast.success(f"Invoice {invoice.number} saved as a draft."), rx.redirect(f"/invoices/{invoice.id}")]


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        return None

"""The invoice page's state: the invoice, its lines and payments, its actions and the send dialog."""

from __future__ import annotations

from dataclasses import replace

import reflex as rx
from sqlmodel import Session

from myapprentice_app.db import in_session_thread, session_scope
from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.models.invoice_views import InvoiceDetail
from myapprentice_app.selectors.invoice_detail import invoice_detail
from myapprentice_app.selectors.sync import XeroPanel, xero_panel
from myapprentice_app.services import invoice_delivery, invoices
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.services.invoice_delivery import EmailDraft
from myapprentice_app.services.principal import Principal
from myapprentice_app.ui.state.outcomes import CHECK_FIELDS, REFUSED, refused
from myapprentice_app.ui.state.session import SessionState, authorise
from myapprentice_app.ui.state.urls import invoice_in_url

EMAIL_FIELDS = ("to_address", "subject", "body")


def _invoice_and_panel(session: Session, principal: Principal, invoice_id: int) -> tuple[InvoiceDetail, XeroPanel]:
    return invoice_detail(session, principal, invoice_id), xero_panel(session, principal, invoice_id)


class InvoiceDetailState(SessionState):
    invoice: InvoiceDetail = InvoiceDetail()
    found: bool = False
    missing: str = ""  # why the URL's invoice can't be shown ("That invoice was not found."): the page says it
    can_edit: bool = False
    can_pay: bool = False
    can_export: bool = False
    send_open: bool = False
    email: EmailDraft = EmailDraft()
    errors: dict[str, str] = {}
    sending: bool = False

    def _invoice_id(self) -> int:
        return invoice_in_url(self) or 0

    @rx.event
    async def load(self):
        """The page's on_load: the invoice in the URL and its Xero panel, read in one thread with one session.
        Client-side navigation keeps the previous invoice in state until then; the page shows only the URL's."""
        from myapprentice_app.ui.state.xero_panel import XeroPanelState  # imports this module (its refreshes)

        self.send_open = False
        invoice_id = invoice_in_url(self)
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES, page=True)
        panel_state = await self.get_state(XeroPanelState)
        if principal is None or invoice_id is None:
            self.invoice, self.found, self.missing = InvoiceDetail(), False, ""
            panel_state.panel = XeroPanel()
            return refusal
        try:
            self.invoice, panel = await in_session_thread(_invoice_and_panel, principal, invoice_id)
        except REFUSED as reason:
            self.invoice, self.found, self.missing = InvoiceDetail(), False, str(reason)
            panel_state.panel = XeroPanel()
            return None
        self._show(principal)
        return panel_state._show(principal, panel)

    @rx.event
    async def refresh(self):
        if invoice_in_url(self) is None:
            return  # an action elsewhere asked every invoice view to refresh; none is open
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES, page=True)
        if principal is None:
            return refusal
        try:
            self.invoice = await in_session_thread(invoice_detail, principal, self._invoice_id())
        except REFUSED as reason:
            self.invoice, self.found, self.missing = InvoiceDetail(), False, str(reason)
            return None
        self._show(principal)

    def _show(self, principal: Principal) -> None:
        self.found, self.missing = True, ""
        self.can_edit = can(principal.role, Permission.EDIT_INVOICES)
        self.can_pay = can(principal.role, Permission.RECORD_PAYMENT)
        self.can_export = can(principal.role, Permission.EXPORT_INVOICE_CSV)

    async def _change(self, change, done: str):  # type: ignore[no-untyped-def]
        principal, refusal = await authorise(self, Permission.EDIT_INVOICES)
        if principal is None:
            return refusal
        try:
            with session_scope() as session:
                change(session, principal, self._invoice_id())
        except REFUSED as reason:
            return refused(reason)
        await self.refresh()
        return rx.toast.success(done)

    @rx.event
    async def authorise_invoice(self):
        return await self._change(invoices.authorise_invoice, "Invoice authorised.")

    @rx.event
    async def void_invoice(self):
        return await self._change(invoices.void_invoice, "Invoice voided.")

    @rx.event
    async def open_send(self):
        principal, refusal = await authorise(self, Permission.EDIT_INVOICES)
        if principal is None:
            return refusal
        try:
            with session_scope() as session:
                self.email = invoice_delivery.draft_email(session, principal, self._invoice_id())
        except REFUSED as reason:
            return refused(reason)
        self.errors, self.send_open = {}, True

    @rx.event
    def set_send_open(self, value: bool):
        self.send_open = bool(value)

    @rx.event
    def set_email_field(self, field: str, value: str):
        if field in EMAIL_FIELDS:
            self.email = replace(self.email, **{field: str(value)[:25_000]})
            self.errors.pop(field, None)

    @rx.event
    async def send(self):
        principal, refusal = await authorise(self, Permission.EDIT_INVOICES)
        if principal is None:
            yield refusal
            return
        self.sending = True
        yield
        try:
            with session_scope() as session:
                invoice_delivery.send_to_client(session, principal, self._invoice_id(), self.email)
        except ValidationFailed as failed:
            self.errors, self.sending = failed.errors, False
            yield rx.toast.error(CHECK_FIELDS)
            return
        except REFUSED as reason:
            self.sending = False
            yield refused(reason)
            return
        self.sending, self.send_open = False, False
        await self.refresh()
        yield rx.toast.success(f"Sent to {self.email.to_address}.")

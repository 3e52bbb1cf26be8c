"""Invoice actions shared by the list and the detail page (record a payment), and the refresh of
whichever invoice view is open."""

from __future__ import annotations

import datetime as dt

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.invoice_status import InvoiceStatus
from myapprentice_app.domain.roles import Permission
from myapprentice_app.services import invoice_export, invoices
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.ui.state.invoice_detail import InvoiceDetailState, XeroPanelState
from myapprentice_app.ui.state.invoices import InvoicesState
from myapprentice_app.ui.state.outcomes import CHECK_FIELDS, REFUSED, parse_id, refused
from myapprentice_app.ui.state.session import SessionState, authorise

METHODS = [("bank_transfer", "Bank transfer"), ("cash", "Cash"), ("card", "Card")]


PAYMENT_FIELDS = ("amount", "paid_on", "method", "reference")


class InvoiceActionsState(SessionState):
    pay_open: bool = False
    pay_invoice_id: int = 0
    pay_number: str = ""
    amount: str = ""
    paid_on: str = ""
    method: str = "bank_transfer"
    reference: str = ""
    errors: dict[str, str] = {}
    saving: bool = False

    @rx.event
    async def export_csv(self, invoice_id: int):
        principal, refusal = await authorise(self, Permission.EXPORT_INVOICE_CSV)
        if principal is None:
            return refusal
        try:
            exported = await in_session_thread(invoice_export.invoice_csv, principal, parse_id(invoice_id) or 0)
        except REFUSED as reason:
            return refused(reason)
        return [
            rx.download(data=exported.text, filename=exported.filename, mime_type="text/csv"),
            rx.toast.success(f"Downloaded {exported.filename}"),
        ]

    @rx.event
    async def open_payment(self, invoice_id: int):
        principal, refusal = await authorise(self, Permission.RECORD_PAYMENT)
        if principal is None:
            return refusal
        try:
            invoice = await in_session_thread(invoices.get_invoice, principal, parse_id(invoice_id) or 0)
        except REFUSED as reason:
            return refused(reason)
        self.pay_invoice_id, self.pay_number = invoice.id or 0, invoice.number
        self.amount, self.paid_on = f"{invoice.amount_due:.2f}", dt.date.today().isoformat()
        self.method, self.reference, self.errors, self.pay_open = "bank_transfer", "", {}, True

    @rx.event
    def set_pay_field(self, field: str, value: str):
        if field in PAYMENT_FIELDS:
            setattr(self, field, str(value)[:255])
            self.errors.pop(field, None)

    @rx.event
    def set_pay_open(self, value: bool):
        self.pay_open = bool(value)

    @rx.event
    async def record_payment(self):
        principal, refusal = await authorise(self, Permission.RECORD_PAYMENT)
        if principal is None:
            return refusal
        try:
            paid_on = dt.date.fromisoformat(self.paid_on) if self.paid_on else None
        except ValueError:
            paid_on = None
        try:
            await in_session_thread(invoices.record_payment, principal, self.pay_invoice_id, amount=self.amount,
                                    paid_on=paid_on, method=self.method, reference=self.reference)
            invoice = await in_session_thread(invoices.get_invoice, principal, self.pay_invoice_id)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return rx.toast.error(CHECK_FIELDS)
        except REFUSED as reason:
            return refused(reason)
        self.pay_open = False
        status = ("paid in full" if invoice.status == InvoiceStatus.PAID
                  else f"part paid, {invoice.amount_due:,.2f} still owing")
        return [rx.toast.success(f"Payment recorded: {invoice.number} is {status}."), *reload_invoice_views()]


def reload_invoice_views():  # noqa: ANN202 (an event spec)
    """Refresh whichever invoice view is open."""
    return [InvoicesState.refresh, InvoiceDetailState.refresh, XeroPanelState.refresh]

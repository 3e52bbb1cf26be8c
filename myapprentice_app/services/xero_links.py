"""Which Xero organisation the business's Xero ids belong to, and starting afresh in another one.

Every id the app keeps of an invoice, contact, payment, fee or credit note in Xero is an id in one organisation.
A business that disconnects it and connects another starts afresh there: its invoices turn Not synced (Send
all then sends them all to the new one), and the ids and cached lists of the first are forgotten. The first
organisation keeps what it holds.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, delete, update

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.models import (
    Client,
    Invoice,
    Payment,
    StripeCredit,
    StripeDispute,
    StripePayment,
    SyncProblem,
    XeroAccount,
    XeroContact,
    XeroInvoiceRef,
    XeroTaxRate,
)
from myapprentice_app.services import audit
from myapprentice_app.services.xero_settings import settings_row

_FORGOTTEN: list[tuple[Any, dict[str, object]]] = [
    (Invoice, {"xero_invoice_id": None, "synced_version": None, "sync_status": SyncStatus.NOT_SYNCED.value,
               "sync_error_code": None, "sync_error_message": None, "sync_error_detail": None, "xero_drift": None,
               "xero_online_invoice_url": None}),
    (Client, {"xero_contact_id": None}),
    (Payment, {"xero_payment_id": None, "sync_status": "not_synced", "sync_error_message": None,
               "xero_reversal_due": False}),
    (StripePayment, {"xero_fee_transaction_id": None, "fee_sync_message": None}),
    (StripeDispute, {"noted_in_xero": None}),
    (StripeCredit, {"xero_credit_note_id": None, "xero_refund_id": None, "sync_message": None}),
]
_CACHED = (XeroAccount, XeroTaxRate, XeroContact, XeroInvoiceRef, SyncProblem)


def now_in(session: Session, business_id: int, tenant_id: str) -> bool:
    """Record that the business's Xero ids are the organisation `tenant_id`'s from now on; when they were
    another's, forget those first. Returns whether they were (the caller commits)."""
    settings = settings_row(session, business_id)
    moved = settings.linked_tenant_id not in (None, tenant_id)
    if moved:
        for model, values in _FORGOTTEN:
            session.execute(update(model).where(col(model.business_id) == business_id).values(**values))
        for cached in _CACHED:
            session.execute(delete(cached).where(col(cached.business_id) == business_id))
        audit.record(session, None, business_id, "xero.organisation_changed",
                     detail="invoices, contacts and payments start afresh in the new organisation")
    settings.linked_tenant_id = tenant_id
    return moved


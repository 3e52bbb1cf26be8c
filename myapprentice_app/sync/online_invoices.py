"""After a push: fetch the online-invoice link of each invoice Xero now holds as approved, and keep it."""

from __future__ import annotations

import functools

from sqlmodel import col, select

from myapprentice_app.db import session_scope
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.sync_states import ConnectionStatus, ItemOutcome
from myapprentice_app.integrations.xero import online_invoice
from myapprentice_app.integrations.xero.errors import (
    ConnectionRevoked,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Unavailable,
)
from myapprentice_app.models import Invoice, SyncRun, SyncRunItem, XeroConnection, XeroInvoiceRef
from myapprentice_app.sync import retry
from myapprentice_app.sync.context import OrgContext
from myapprentice_app.sync.runs import settings_for


def links_missing(business_id: int, invoice_ids: list[int] | None = None) -> list[tuple[int, str]]:
    """(invoice id, Xero InvoiceID) of synced invoices that are approved in Xero and have no link yet."""
    with session_scope() as session:
        query = (select(Invoice.id, Invoice.xero_invoice_id)
                 .join(XeroInvoiceRef, (col(XeroInvoiceRef.business_id) == Invoice.business_id)
                       & (col(XeroInvoiceRef.invoice_id) == Invoice.xero_invoice_id))
                 .where(Invoice.business_id == business_id, Invoice.sync_status == SyncStatus.SYNCED,
                        col(Invoice.xero_online_invoice_url).is_(None),
                        col(XeroInvoiceRef.status).in_(online_invoice.STATUSES_WITH_A_LINK)))
        if invoice_ids is not None:
            query = query.where(col(Invoice.id).in_(invoice_ids))
        return [(invoice_id, xero_id) for invoice_id, xero_id in session.exec(query).all()
                if invoice_id is not None and xero_id]


def invoices_synced_by(run_id: int) -> tuple[int, list[int]] | None:
    """(business id, invoice ids Synced by the run), for a push of one invoice.

    Not after Send all: Xero has no batch call for online invoices, so a link costs one call from the
    organisation's 60-a-minute budget; those invoices get theirs on demand, when someone opens them.
    """
    with session_scope() as session:
        run = session.get(SyncRun, run_id)
        if run is None or run.kind != "push":
            return None
        ids = session.exec(select(SyncRunItem.invoice_id).where(SyncRunItem.run_id == run_id,
                                                                SyncRunItem.outcome == ItemOutcome.SYNCED)).all()
        return run.business_id, list(ids)


def fetch_links(business_id: int, invoice_ids: list[int] | None = None) -> int:
    """Ask Xero for each missing link (inside the organisation's shared rate-limit budget). Returns how many."""
    wanted = links_missing(business_id, invoice_ids)
    if not wanted:
        return 0
    with session_scope() as session:
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == business_id)).first()
        if connection is None or connection.status != ConnectionStatus.CONNECTED or not connection.tenant_id:
            return 0
        ctx = OrgContext(business_id=business_id, tenant_id=connection.tenant_id,
                         settings=settings_for(session, business_id))
    stored = 0
    for invoice_id, xero_id in wanted:
        try:
            reply = retry.read(ctx, functools.partial(online_invoice.request, invoice_id=xero_id))
        except Rejected:
            continue  # a draft in Xero after all, or gone: no link
        except (RateLimited, Unavailable, OutcomeUnknown, ConnectionRevoked):
            return stored  # Xero is busy (or the connection is gone): the next push or an on-demand fetch retries
        url = online_invoice.url_in(reply)
        if url is None:
            continue
        with session_scope() as session:
            invoice = session.get(Invoice, invoice_id)
            if invoice is not None and invoice.xero_invoice_id == xero_id:
                invoice.xero_online_invoice_url = url
                session.commit()
                stored += 1
    return stored

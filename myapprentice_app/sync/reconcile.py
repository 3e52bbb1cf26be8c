"""Reconcile before retry: an invoice batch whose outcome is unknown is looked up by number first."""

from __future__ import annotations

from decimal import Decimal

from myapprentice_app.db import session_scope
from myapprentice_app.domain.sync_states import BatchState
from myapprentice_app.integrations.xero.mapping import brief
from myapprentice_app.models import XeroBatch
from myapprentice_app.sync import outcomes
from myapprentice_app.sync.batches import close_batch, items_of, unknown_batches
from myapprentice_app.sync.cache import remember_invoice
from myapprentice_app.sync.context import OrgContext
from myapprentice_app.sync.snapshot import InvoiceSnapshot, load_invoices


def reconcile_by_number(ctx: OrgContext, snapshots: list[InvoiceSnapshot], batch: XeroBatch) -> list[InvoiceSnapshot]:
    """Link the invoices Xero has (same number, same contact, same total); return those it hasn't."""
    versions = dict(items_of(batch))
    numbers = [s.invoice.number for s in snapshots]
    found = {(element.get("InvoiceNumber") or "").upper(): element
             for element in ctx.read(lambda xero: xero.invoices_by_number(numbers)).items("Invoices")}
    missing = []
    with session_scope() as session:
        for snapshot in snapshots:
            element = found.get(snapshot.invoice.number.upper())
            if element is None:
                missing.append(snapshot)
                continue
            remember_invoice(session, ctx.business_id, element)
            if _ours(snapshot, element):
                outcomes.synced(session, ctx, snapshot.invoice.id or 0,
                                versions.get(snapshot.invoice.id or 0, snapshot.invoice.version),
                                element["InvoiceID"], action="link", key=batch.idempotency_key,
                                answer="Found in Xero by number after an unknown outcome: " + brief(element))
            else:
                missing.append(snapshot)  # someone else's invoice: the next try reports the conflict
        session.commit()
    close_batch(batch, BatchState.RECONCILED)
    return missing


def reconcile_leftovers(ctx: OrgContext) -> None:
    """Batches this run left `sending` when its worker died: settle them before pushing anything again."""
    for batch in unknown_batches(ctx, "invoices"):
        ids = [local_id for local_id, _ in items_of(batch)]
        with session_scope() as session:
            snapshots = load_invoices(session, ids)
        reconcile_by_number(ctx, [s for s in snapshots if not s.invoice.xero_invoice_id], batch)
    for kind in ("updates", "contacts", "payments"):
        for batch in unknown_batches(ctx, kind):
            close_batch(batch, BatchState.ABANDONED)  # updates are idempotent by InvoiceID; the others re-check


def _ours(snapshot: InvoiceSnapshot, element: dict) -> bool:
    contact = (element.get("Contact") or {}).get("ContactID")
    total = Decimal(str(element.get("Total") or 0))
    return contact == snapshot.client.xero_contact_id and total == snapshot.invoice.total

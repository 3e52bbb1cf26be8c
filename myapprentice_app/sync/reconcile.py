"""Reconcile before retry: an invoice batch whose outcome is unknown is looked up by number first."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

from myapprentice_app.db import session_scope
from myapprentice_app.domain.sync_states import BatchState
from myapprentice_app.domain.xero_limits import CONCURRENT
from myapprentice_app.integrations.xero.results import InvoiceResult
from myapprentice_app.models import XeroBatch
from myapprentice_app.sync import outcomes, payments, retry
from myapprentice_app.sync.batches import close_batch, items_of, sent_totals, unknown_batches
from myapprentice_app.sync.cache import remember_invoices
from myapprentice_app.sync.context import OrgContext
from myapprentice_app.sync.snapshot import InvoiceSnapshot, load_invoices


def reconcile_by_number(ctx: OrgContext, snapshots: list[InvoiceSnapshot], batch: XeroBatch) -> list[InvoiceSnapshot]:
    """Link the invoices Xero has (same number, same contact, the total that was sent); return those it hasn't.
    One edited here since is linked as it was sent, and the edit goes to Xero as an update."""
    versions = dict(items_of(batch))
    totals = sent_totals(batch)
    numbers = [s.invoice.number for s in snapshots]
    found = {result.number.upper(): result
             for result in retry.read(ctx, lambda xero: xero.invoices_by_number(numbers)).invoices()}
    missing = []
    with ctx.writing() as session:
        remember_invoices(session, ctx.business_id, list(found.values()))
        linked = []
        for snapshot in snapshots:
            result = found.get(snapshot.invoice.number.upper())
            sent_total = totals.get(snapshot.invoice.id or 0, snapshot.invoice.total)
            if result is None or not _ours(snapshot, result, sent_total):
                missing.append(snapshot)  # not there; or someone else's invoice: the next try reports the conflict
                continue
            linked.append(outcomes.Synced(
                snapshot.invoice.id or 0, versions.get(snapshot.invoice.id or 0, snapshot.invoice.version),
                result.xero_id or "", action="link", key=batch.idempotency_key,
                answer="Found in Xero by number after an unknown outcome: " + result.brief))
        outcomes.synced_many(session, ctx, linked)
        close_batch(batch, BatchState.RECONCILED, session)
    return missing


def reconcile_leftovers(ctx: OrgContext, stale_after: dt.timedelta) -> list[XeroBatch]:
    """Every batch of the business whose outcome is unknown, settled before anything is sent: invoice batches
    are looked up by number, five at a time within the budget, and payment batches by reference.

    Returns the batches Xero has none of. They are sent again as they were, under their own Idempotency-Key:
    should the worker that stored one still send it (it was stopped, not dead), Xero answers the second
    arrival with the first one's answer instead of creating the invoices twice."""
    batches = unknown_batches(ctx, stale_after)
    for batch in batches:
        if batch.kind == "payments":
            payments.recover(ctx, batch)
        elif batch.kind != "invoices":  # updates are idempotent by InvoiceID; contacts re-check
            close_batch(batch, BatchState.ABANDONED)
    invoice_batches = [batch for batch in batches if batch.kind == "invoices"]
    if not invoice_batches:
        return []
    with ThreadPoolExecutor(max_workers=CONCURRENT, thread_name_prefix="xero-lookup") as lookups:
        unsent = list(lookups.map(lambda batch: _settle(ctx, batch), invoice_batches))
    return [batch for batch, none_there in zip(invoice_batches, unsent, strict=True) if none_there]


def _settle(ctx: OrgContext, batch: XeroBatch) -> bool:
    """Link what Xero has of the batch; True when it has none of it."""
    with session_scope() as session:
        snapshots = load_invoices(session, [local_id for local_id, _ in items_of(batch)])
    unlinked = [s for s in snapshots if not s.invoice.xero_invoice_id]
    if unlinked and len(reconcile_by_number(ctx, unlinked, batch)) == len(snapshots):
        return True
    if not unlinked:
        close_batch(batch, BatchState.RECONCILED)
    return False


def _ours(snapshot: InvoiceSnapshot, found: InvoiceResult, sent_total: Decimal) -> bool:
    return found.contact_id == snapshot.client.xero_contact_id and found.total == sent_total

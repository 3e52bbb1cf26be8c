"""Reconcile before retry: an invoice batch whose outcome is unknown is looked up by number first."""

from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import sqlalchemy as sa

from myapprentice_app.db import session_scope
from myapprentice_app.domain.sync_states import BatchState
from myapprentice_app.domain.xero_limits import CONCURRENT
from myapprentice_app.integrations.xero.results import InvoiceResult
from myapprentice_app.models import Invoice, XeroBatch
from myapprentice_app.sync import outcomes, payments, retry
from myapprentice_app.sync.batches import SentInvoice, close_batch, items_of, sent_invoices, unknown_batches
from myapprentice_app.sync.cache import remember_invoices
from myapprentice_app.sync.context import OrgContext
from myapprentice_app.sync.snapshot import InvoiceSnapshot, load_invoices

_invoices = Invoice.__table__  # type: ignore[attr-defined]


def reconcile_by_number(ctx: OrgContext, snapshots: list[InvoiceSnapshot], batch: XeroBatch) -> list[InvoiceSnapshot]:
    """Link the invoices Xero has as they were sent (that number exactly, that contact, that total); return those
    it hasn't. One edited here since (its lines, number or client) is linked as it was sent, and the edit goes to
    Xero as an update. A Xero invoice another one here is linked to already is never linked again."""
    versions = dict(items_of(batch))
    recorded = sent_invoices(batch)
    sent = {s.invoice.id or 0: recorded.get(s.invoice.id or 0) or _as_now(s) for s in snapshots}
    numbers = [what.number for what in sent.values()]
    found = {result.number: result
             for result in retry.read(ctx, lambda xero: xero.invoices_by_number(numbers)).invoices()}
    missing = []
    with ctx.writing() as session:
        remember_invoices(session, ctx.business_id, list(found.values()))
        held = dict(session.execute(sa.select(_invoices.c.xero_invoice_id, _invoices.c.id).where(
            _invoices.c.business_id == ctx.business_id,
            _invoices.c.xero_invoice_id.in_([result.xero_id for result in found.values()]))).all())
        linked = []
        for snapshot in snapshots:
            what = sent[snapshot.invoice.id or 0]
            result = found.get(what.number)
            anothers = result is not None and held.get(result.xero_id, snapshot.invoice.id) != snapshot.invoice.id
            if result is None or anothers or not _ours(result, what):
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


def _as_now(snapshot: InvoiceSnapshot) -> SentInvoice:
    """For a batch stored before what it sent was: the invoice as it is."""
    return SentInvoice(snapshot.invoice.total, snapshot.invoice.number, snapshot.client.xero_contact_id)


def _ours(found: InvoiceResult, sent: SentInvoice) -> bool:
    return found.contact_id == sent.contact_id and found.total == sent.total

"""Pushing invoices: pre-flight, contacts, then batches of 50 with summarizeErrors=false, five at a time."""

from __future__ import annotations

import datetime as dt
import functools
import time
from concurrent.futures import ThreadPoolExecutor

from myapprentice_app.db import session_scope, utcnow
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.sync_errors import ErrorCode
from myapprentice_app.integrations.xero.client import Reply, XeroClient
from myapprentice_app.integrations.xero.errors import OutcomeUnknown, RateLimited, Rejected, Unavailable, classify
from myapprentice_app.integrations.xero.mapping import as_json, brief, element_result, invoice_model
from myapprentice_app.models import XeroBatch
from myapprentice_app.sync import budget, outcomes, preflight
from myapprentice_app.sync.batches import close_batch, open_batch
from myapprentice_app.sync.cache import remember_invoice
from myapprentice_app.sync.contacts import ensure_contacts
from myapprentice_app.sync.context import OrgContext
from myapprentice_app.sync.reconcile import reconcile_by_number
from myapprentice_app.sync.snapshot import InvoiceSnapshot, OrgCache, load_cache, load_invoices

BATCH = 50
MAX_FAILURES = 8


def push(ctx: OrgContext, invoice_ids: list[int], create_contacts: bool | None = None) -> list[int]:
    """Push the invoices that are still Pending. Returns the ids left Pending (Xero unavailable)."""
    with session_scope() as session:
        snapshots = [s for s in load_invoices(session, invoice_ids) if s.invoice.sync_status == SyncStatus.PENDING]
        cache = load_cache(session, ctx.business_id)
    ready = _preflight(ctx, snapshots, cache, forced_contacts=bool(create_contacts))
    allow_create = create_contacts or ctx.settings.contact_policy == "create"
    ready = ensure_contacts(ctx, ready, cache, create=bool(allow_create))
    creates = [s for s in ready if not s.invoice.xero_invoice_id]
    updates = [s for s in ready if s.invoice.xero_invoice_id]
    chunks = [("create", creates[i:i + BATCH]) for i in range(0, len(creates), BATCH)]
    chunks += [("update", updates[i:i + BATCH]) for i in range(0, len(updates), BATCH)]
    with ThreadPoolExecutor(max_workers=budget.CONCURRENT) as pool:
        left = pool.map(lambda chunk: _send(ctx, chunk[0], chunk[1], cache), chunks)
        return [invoice_id for ids in left for invoice_id in ids]


def _preflight(ctx: OrgContext, snapshots: list[InvoiceSnapshot], cache: OrgCache,
               forced_contacts: bool) -> list[InvoiceSnapshot]:
    ready = []
    with session_scope() as session:
        for snapshot in snapshots:
            problem = preflight.invoice_problem(snapshot, cache, ctx.settings)
            if problem and not (forced_contacts and problem.code == ErrorCode.CONTACT_NOT_FOUND
                                and not snapshot.client.xero_contact_id):
                outcomes.failed(session, ctx, snapshot.invoice.id or 0, problem.code, problem.detail,
                                action="preflight", detail="Found before sending anything to Xero (pre-flight).")
            else:
                ready.append(snapshot)
        session.commit()
    return ready


def _send(ctx: OrgContext, mode: str, snapshots: list[InvoiceSnapshot], cache: OrgCache) -> list[int]:
    remaining = snapshots
    batch: XeroBatch | None = None
    unknown: XeroBatch | None = None  # sent, but whether Xero applied it is not known
    failures = 0
    while failures < MAX_FAILURES:
        if unknown is not None:
            # Xero may have created them. Idempotency keys are forgotten after ~6 minutes, so look the numbers
            # up first and link what is there; only the rest is sent again, under a new key.
            try:
                remaining = reconcile_by_number(ctx, remaining, unknown)
                unknown = None
            except (RateLimited, Unavailable, OutcomeUnknown) as trouble:
                failures += not isinstance(trouble, RateLimited)
                _pause(failures)
                continue
        if not remaining:
            return []
        items = [(s.invoice.id or 0, s.invoice.version) for s in remaining]
        if batch is None:
            batch = open_batch(ctx, "invoices" if mode == "create" else "updates", items)
        models = [invoice_model(preflight.outgoing(s, cache, ctx.settings)) for s in remaining]
        key = batch.idempotency_key
        try:
            reply = ctx.call(functools.partial(_write_invoices, mode=mode, models=models, key=key))
        except RateLimited as limited:
            _note_retry(ctx, items, key, f"429 {limited.problem}: retry after {limited.retry_after:.0f}s",
                        limited.retry_after)
            continue  # not processed by Xero: the same request, same key, once the budget allows
        except (Unavailable, OutcomeUnknown) as trouble:
            failures += 1
            _note_retry(ctx, items, key, f"{type(trouble).__name__}: {trouble}", _backoff(failures))
            if mode == "create":
                unknown = batch
            else:
                close_batch(batch, "retried")  # updates name their InvoiceID: sending again is safe
            batch = None
            _pause(failures)
            continue
        except Rejected as rejected:
            _record_rejection(ctx, remaining, key, models, rejected)
            close_batch(batch, "done")
            return []
        _record(ctx, remaining, key, models, reply.items("Invoices"))
        close_batch(batch, "done")
        return []
    next_try = utcnow() + dt.timedelta(minutes=1)
    with session_scope() as session:
        outcomes.waiting(session, ctx, [s.invoice.id or 0 for s in remaining], next_try, "Xero kept failing")
        session.commit()
    return [s.invoice.id or 0 for s in remaining]


def _write_invoices(xero: XeroClient, mode: str, models: list, key: str) -> Reply:
    return (xero.create_invoices if mode == "create" else xero.update_invoices)(models, key)


def _backoff(failures: int) -> float:
    return min(0.2 * 2 ** failures, 15.0)


def _pause(failures: int) -> None:
    time.sleep(_backoff(failures))


def _note_retry(ctx: OrgContext, items: list[tuple[int, int]], key: str, reason: str, seconds: float) -> None:
    with session_scope() as session:
        ids = [invoice_id for invoice_id, _ in items]
        outcomes.retrying(session, ctx, ids, "push", key, reason)
        outcomes.waiting(session, ctx, ids, utcnow() + dt.timedelta(seconds=seconds), reason)
        session.commit()


def _record(ctx: OrgContext, snapshots: list[InvoiceSnapshot], key: str, models: list, elements: list[dict]) -> None:
    conflicts = []
    with session_scope() as session:
        for snapshot, model, element in zip(snapshots, models, elements, strict=False):
            invoice = snapshot.invoice
            result = element_result(element, "InvoiceID")
            action = "update" if invoice.xero_invoice_id else "create"
            if result.ok and result.xero_id:
                outcomes.synced(session, ctx, invoice.id or 0, invoice.version, result.xero_id, action=action,
                                key=key, sent=as_json(model), answer=brief(element))
                remember_invoice(session, ctx.business_id, element)
                continue
            code = classify(result.messages)
            if code == ErrorCode.NUMBER_CONFLICT:
                conflicts.append(invoice.number)
            outcomes.failed(session, ctx, invoice.id or 0, code, _plain(code, snapshot, result.messages),
                            action=action, detail="\n".join(result.messages), key=key, sent=as_json(model),
                            answer=brief(element))
        session.commit()
    if conflicts:
        _remember_conflicting(ctx, conflicts)


def _record_rejection(ctx: OrgContext, snapshots: list[InvoiceSnapshot], key: str, models: list,
                      rejected: Rejected) -> None:
    messages = [str(error.get("Message")) for element in rejected.body.get("Elements") or []
                for error in element.get("ValidationErrors") or []] or [str(rejected.body.get("Message") or
                                                                            rejected.text[:500])]
    code = classify(messages)
    with session_scope() as session:
        for snapshot, model in zip(snapshots, models, strict=False):
            outcomes.failed(session, ctx, snapshot.invoice.id or 0, code, _plain(code, snapshot, messages),
                            action="push", detail="\n".join(messages), key=key, sent=as_json(model),
                            answer=rejected.text[:2000])
        session.commit()


def _plain(code: ErrorCode, snapshot: InvoiceSnapshot, messages: list[str]) -> str:
    invoice = snapshot.invoice
    return {
        ErrorCode.NUMBER_CONFLICT: f"Xero already has an invoice numbered {invoice.number}.",
        ErrorCode.INVALID_ACCOUNT: "Xero doesn't accept the account one of the lines is mapped to.",
        ErrorCode.MISSING_TAX_MAPPING: "Xero doesn't accept the tax type one of the lines is mapped to.",
        ErrorCode.CONTACT_NOT_FOUND: f"Xero can't find the contact for {snapshot.client.name}.",
    }.get(code, "Xero didn't accept this invoice. Its reason is under Details.")


def _remember_conflicting(ctx: OrgContext, numbers: list[str]) -> None:
    """Fetch the invoices that hold our numbers, so 'link' can compare client and total without a call."""
    try:
        found = ctx.read(lambda xero: xero.invoices_by_number(numbers)).items("Invoices")
    except (Unavailable, OutcomeUnknown, RateLimited, Rejected):
        return
    with session_scope() as session:
        for element in found:
            remember_invoice(session, ctx.business_id, element)
        session.commit()

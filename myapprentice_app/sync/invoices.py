"""Pushing invoices: pre-flight, contacts, then batches of 50 with summarizeErrors=false, five at a time."""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor

from myapprentice_app.db import session_scope, utcnow
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.sync_errors import ErrorCode
from myapprentice_app.domain.sync_states import BatchState
from myapprentice_app.integrations.xero.client import Reply, XeroClient
from myapprentice_app.integrations.xero.errors import OutcomeUnknown, RateLimited, Rejected, Unavailable
from myapprentice_app.integrations.xero.mapping import contact_ref, invoice_model, wire
from myapprentice_app.models import XeroBatch
from myapprentice_app.sync import budget, outcomes, preflight
from myapprentice_app.sync.batches import close_batch, close_batches, open_batch, open_batches
from myapprentice_app.sync.contacts import ensure_contacts
from myapprentice_app.sync.context import OrgContext
from myapprentice_app.sync.invoice_answers import note_retry, record_answer, record_rejection
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
    if not ready:
        return []
    allow_create = bool(create_contacts or ctx.settings.contact_policy == "create")
    plan = _Plan()
    made = ctx.calls
    # The contacts are the one call the invoices wait for. Meanwhile everything else is made ready, so the
    # first invoices go the moment the contacts are known: up to five senders take the organisation's
    # slots (and the calls are counted against the minute budget up front, in one write), the invoices
    # are serialised, and every first request is stored with its key, all before any is sent.
    # One recorder writes the answers down, so a sender goes straight on to its next request.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="xero-record") as recorder, \
            ThreadPoolExecutor(max_workers=1, thread_name_prefix="xero-contacts") as helper:
        linked = helper.submit(ensure_contacts, ctx, ready, cache, create=allow_create)
        ctx.wait_for_call(linked, made)  # once it has started: serialising the invoices holds the GIL
        chunks = _chunks(ready)
        with budget.reserve(ctx.tenant_id, len(chunks)), \
                ThreadPoolExecutor(max_workers=budget.CONCURRENT, thread_name_prefix="xero-send") as pool:
            senders = [pool.submit(_sender, ctx, plan, recorder) for _ in range(min(budget.CONCURRENT, len(chunks)))]
            try:
                plan.start(*_jobs(ctx, ready, cache, chunks, linked))
            finally:
                plan.close()  # senders still waiting (the contacts failed) have nothing to send
            sent = [sender.result() for sender in senders]
    return [invoice_id for left in sent for invoice_id in left]


Chunk = tuple[str, list[InvoiceSnapshot]]  # ("create" | "update", up to 50 invoices)
Job = tuple[Chunk, XeroBatch]


def _jobs(ctx: OrgContext, ready: list[InvoiceSnapshot], cache: OrgCache, chunks: list[Chunk],
          linked: Future[list[InvoiceSnapshot]]) -> tuple[list[Job], dict[int, dict]]:
    """While the contacts are made: the invoices serialised, and their first requests stored with their keys.

    Once the contacts are known, invoices whose contact couldn't be made are left out (already in Error).
    """
    bodies = _wire_all(ctx, ready, cache)
    opened = open_batches(ctx, _requests(chunks))
    try:
        with_contacts = linked.result()
    except BaseException:
        close_batches(opened, BatchState.UNSENT)
        raise
    if len(with_contacts) != len(ready):
        close_batches(opened, BatchState.UNSENT)
        chunks = _chunks(with_contacts)
        opened = open_batches(ctx, _requests(chunks))
    return list(zip(chunks, opened, strict=True)), _with_contacts(with_contacts, bodies)


class _Plan:
    """The jobs for the senders, handed over once the contacts are known (or none, if that failed)."""

    def __init__(self) -> None:
        self._known = threading.Event()
        self._take = threading.Lock()
        self._jobs: Iterator[Job] = iter(())
        self.bodies: dict[int, dict] = {}

    def start(self, jobs: list[Job], bodies: dict[int, dict]) -> None:
        self._jobs, self.bodies = iter(jobs), bodies
        self._known.set()

    def close(self) -> None:
        self._known.set()

    def next_job(self) -> Job | None:
        self._known.wait()
        with self._take:
            return next(self._jobs, None)


def _sender(ctx: OrgContext, plan: _Plan, recorder: Executor) -> list[int]:
    """Send chunks until none are left, keeping one of the organisation's slots from one to the next.

    Returns the ids left Pending, once Xero's answers to this sender's chunks are written down."""
    left: list[int] = []
    recorded: list[Future[None]] = []
    with budget.keep_slot(ctx.tenant_id):
        while (job := plan.next_job()) is not None:
            (mode, chunk), batch = job
            ids, written = _send(ctx, mode, chunk, plan.bodies, batch, recorder)
            left += ids
            if written is not None:
                recorded.append(written)
    for written in recorded:
        written.result()
    return left


def _chunks(snapshots: list[InvoiceSnapshot]) -> list[Chunk]:
    """New invoices are created, linked ones updated (never re-created): in batches of up to 50 each."""
    creates = [s for s in snapshots if not s.invoice.xero_invoice_id]
    updates = [s for s in snapshots if s.invoice.xero_invoice_id]
    return ([("create", creates[i:i + BATCH]) for i in range(0, len(creates), BATCH)]
            + [("update", updates[i:i + BATCH]) for i in range(0, len(updates), BATCH)])


def _requests(chunks: list[Chunk]) -> list[tuple[str, list[tuple[int, int]]]]:
    return [(_kind(mode), _items(chunk)) for mode, chunk in chunks]


def _kind(mode: str) -> str:
    return "invoices" if mode == "create" else "updates"


def _items(snapshots: list[InvoiceSnapshot]) -> list[tuple[int, int]]:
    return [(s.invoice.id or 0, s.invoice.version) for s in snapshots]


def _wire_all(ctx: OrgContext, snapshots: list[InvoiceSnapshot], cache: OrgCache) -> dict[int, dict]:
    """Each invoice as the SDK puts it on the wire, by invoice id (its contact is set by `_with_contacts`)."""
    return {s.invoice.id or 0: wire(invoice_model(preflight.outgoing(s, cache, ctx.settings))) for s in snapshots}


def _with_contacts(snapshots: list[InvoiceSnapshot], bodies: dict[int, dict]) -> dict[int, dict]:
    contacts: dict[str, dict] = {}
    for snapshot in snapshots:
        contact_id = snapshot.client.xero_contact_id or ""
        if contact_id not in contacts:
            contacts[contact_id] = contact_ref(contact_id)
        bodies[snapshot.invoice.id or 0]["Contact"] = contacts[contact_id]
    return bodies


def _preflight(ctx: OrgContext, snapshots: list[InvoiceSnapshot], cache: OrgCache,
               forced_contacts: bool) -> list[InvoiceSnapshot]:
    ready = []
    with session_scope() as session:
        for snapshot in snapshots:
            problems = [problem for problem in preflight.invoice_problems(snapshot, cache, ctx.settings)
                        if not (forced_contacts and problem.code == ErrorCode.CONTACT_NOT_FOUND
                                and not snapshot.client.xero_contact_id)]
            if problems:
                outcomes.failed_before_sending(session, ctx, snapshot.invoice.id or 0, problems)
            else:
                ready.append(snapshot)
        session.commit()
    return ready


def _send(ctx: OrgContext, mode: str, snapshots: list[InvoiceSnapshot], bodies: dict[int, dict],
          opened: XeroBatch | None, recorder: Executor) -> tuple[list[int], Future[None] | None]:
    """Send one chunk until Xero has answered it. Returns the ids left Pending, and the recording of the answer."""
    remaining = snapshots
    batch: XeroBatch | None = opened
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
            return [], None
        items = _items(remaining)
        if batch is None:
            batch = open_batch(ctx, _kind(mode), items)
        models = [bodies[s.invoice.id or 0] for s in remaining]
        key = batch.idempotency_key
        try:
            reply = ctx.call(functools.partial(_write_invoices, mode=mode, models=models, key=key))
        except RateLimited as limited:
            note_retry(ctx, items, key, f"429 {limited.problem}: retry after {limited.retry_after:.0f}s",
                       limited.retry_after)
            continue  # not processed by Xero: the same request, same key, once the budget allows
        except (Unavailable, OutcomeUnknown) as trouble:
            failures += 1
            note_retry(ctx, items, key, f"{type(trouble).__name__}: {trouble}", _backoff(failures))
            if mode == "create":
                unknown = batch
            else:
                close_batch(batch, BatchState.RETRIED)  # updates name their InvoiceID: sending again is safe
            batch = None
            _pause(failures)
            continue
        except Rejected as rejected:
            return [], recorder.submit(record_rejection, ctx, remaining, key, models, rejected, batch)
        return [], recorder.submit(record_answer, ctx, remaining, key, models, reply.items("Invoices"), batch)
    next_try = utcnow() + dt.timedelta(minutes=1)
    with session_scope() as session:
        outcomes.waiting(session, ctx, [s.invoice.id or 0 for s in remaining], next_try, "Xero kept failing")
        session.commit()
    return [s.invoice.id or 0 for s in remaining], None


def _write_invoices(xero: XeroClient, mode: str, models: list, key: str) -> Reply:
    return (xero.create_invoices if mode == "create" else xero.update_invoices)(models, key)


def _backoff(failures: int) -> float:
    return min(0.2 * 2 ** failures, 15.0)


def _pause(failures: int) -> None:
    time.sleep(_backoff(failures))



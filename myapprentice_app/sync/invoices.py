"""Pushing invoices, as one pipeline:

    prepare (snapshot, pre-flight, contacts) → batches of 50 → at most five at a time in the process's shared
    sender pool (`senders`), each put on the wire and sent in a slot of the organisation's RateBudget → Xero's
    answer written down as the slot is given back.

Every write is fenced by the run's token (`OrgContext`), and a batch is stored with its Idempotency-Key in the
transaction that takes its slot, so a batch whose answer is lost is found again (`reconcile`) before anything is
re-sent.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import wait

from sqlmodel import Session

from myapprentice_app.db import session_scope
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.sync_errors import ErrorCode
from myapprentice_app.domain.sync_states import BatchState
from myapprentice_app.domain.xero_limits import BATCH, CONCURRENT
from myapprentice_app.integrations.xero.client import Reply, XeroClient
from myapprentice_app.integrations.xero.errors import ConnectionRevoked, Rejected
from myapprentice_app.integrations.xero.mapping import invoice_wire
from myapprentice_app.models import XeroBatch
from myapprentice_app.sync import outcomes, preflight, retry, senders
from myapprentice_app.sync.batches import adopt, close_batch, items_of, new_batch
from myapprentice_app.sync.budget import WaitForXero, Write
from myapprentice_app.sync.contacts import ensure_contacts
from myapprentice_app.sync.context import OrgContext, Superseded
from myapprentice_app.sync.invoice_answers import (
    read_answer,
    record_rejection,
    remember_conflicting,
    settle_unanswered,
    write_answer,
)
from myapprentice_app.sync.snapshot import InvoiceSnapshot, OrgCache, load_cache, load_invoices


def push(ctx: OrgContext, invoice_ids: list[int], create_contacts: bool | None = None,
         unsent: list[XeroBatch] | None = None) -> None:
    """Push the invoices that are still Pending. Raises WaitForXero when Xero can't take them for a while.

    `unsent`: batches another worker stored and Xero has none of (see `reconcile_leftovers`): sent again as
    they were, under their own keys, when their invoices are still as they were."""
    ready, cache = _prepare(ctx, invoice_ids, bool(create_contacts))
    batches = _resent(ctx, ready, cache, unsent or [])
    again = {s.invoice.id for batch in batches for s in batch.snapshots}
    batches += [_Batch(ctx, mode, chunk, cache) for mode, chunk in _chunks([s for s in ready
                                                                            if s.invoice.id not in again])]
    _send_all(batches)


def _send_all(batches: list[_Batch]) -> None:
    """Up to five senders in the shared pool, each sending the run's next batch until none is left (each
    writes its own answer down). After a failure nothing more is sent; once the batches in flight are done the
    most telling failure is raised (a lost claim first)."""
    waiting = deque(batches)
    failures: list[BaseException] = []

    def sender() -> None:
        while waiting and not failures:
            try:
                batch = waiting.popleft()
            except IndexError:
                return  # another sender took the last one
            try:
                batch.send()
            except BaseException as error:
                failures.append(error)

    wait([senders.pool().submit(sender) for _ in range(min(CONCURRENT, len(waiting)))])
    if failures:
        raise max(failures, key=lambda error: (isinstance(error, Superseded), isinstance(error, ConnectionRevoked),
                                               not isinstance(error, WaitForXero)))


def _prepare(ctx: OrgContext, invoice_ids: list[int], forced_contacts: bool) -> tuple[list[InvoiceSnapshot],
                                                                                     OrgCache | None]:
    """The invoices that pass pre-flight and have a Xero contact, and the organisation's cache to wire them with.

    Each batch is put on the wire by its sender (`_Batch.send`): 10,000 invoices take seconds to serialise, and
    this way the first batch doesn't wait for the last one's."""
    with session_scope() as session:
        snapshots = [s for s in load_invoices(session, invoice_ids) if s.invoice.sync_status == SyncStatus.PENDING]
        cache = load_cache(session, ctx.business_id)
    ready = _preflight(ctx, snapshots, cache, forced_contacts)
    if not ready:
        return [], None
    return ensure_contacts(ctx, ready, cache, create=forced_contacts or ctx.settings.contact_policy == "create"), cache


class _Batch:
    """Up to 50 invoices, created (or, when linked already, updated) in one call until Xero has answered it."""

    def __init__(self, ctx: OrgContext, mode: str, snapshots: list[InvoiceSnapshot], cache: OrgCache | None) -> None:
        self.ctx, self.mode, self.snapshots, self.cache = ctx, mode, snapshots, cache
        self.bodies: dict[int, dict] = {}
        self.stored: XeroBatch | None = None  # committed, with its key
        self.leaving: XeroBatch | None = None  # being stored with the slot being taken
        self.conflicts: list[str] = []
        self.unanswered: list[InvoiceSnapshot] = []

    def send(self) -> None:
        """Wire the batch and send it; it is stored with the slot it leaves in, and Xero's answer is written
        down with the slot given back (`OrgContext.call`)."""
        assert self.cache is not None  # there are invoices to send, so there is a cache
        self.bodies = _wire_all(self.ctx, self.snapshots, self.cache)
        try:
            retry.call(self.ctx, self._write, before=self._store, after=self._answer)
        except Rejected as rejected:
            with self.ctx.writing() as session:
                self.unanswered = record_rejection(session, self.ctx, self.snapshots, self._models(), rejected,
                                                   self._sent())
        except WaitForXero as later:
            if self.stored is not None and later.problem != "unavailable":
                close_batch(self.stored, BatchState.UNSENT)  # refused with a 429: not processed by Xero
            raise
        if self.unanswered:
            settle_unanswered(self.ctx, self.unanswered, self._sent())
        if self.conflicts:
            remember_conflicting(self.ctx, self.conflicts)

    def _store(self, session: Session) -> None:
        """Store the batch under the run's token in the transaction that takes its slot (one a 429 left stored
        and unsent goes again as it is, under its own key)."""
        if self.stored is None:
            sent = [(s.invoice.id or 0, s.invoice.version, str(s.invoice.total), s.invoice.number,
                     s.client.xero_contact_id) for s in self.snapshots]
            self.leaving = new_batch(self.ctx, "invoices" if self.mode == "create" else "updates", sent)
            session.add(self.leaving)

    def _write(self, xero: XeroClient) -> Reply:
        if self.stored is None:
            self.stored = self.leaving  # its slot is taken, so its transaction committed
        write = xero.create_invoices if self.mode == "create" else xero.update_invoices
        return write(self._models(), self._sent().idempotency_key)

    def _answer(self, reply: Reply) -> Write:
        answer = read_answer(self.snapshots, self._models(), reply.invoices(), self._sent())

        def write(session: Session) -> None:
            self.conflicts = write_answer(session, self.ctx, answer)
            self.unanswered = answer.unanswered
        return write

    def _models(self) -> list[dict]:
        return [self.bodies[s.invoice.id or 0] for s in self.snapshots]

    def _sent(self) -> XeroBatch:
        assert self.stored is not None
        return self.stored


def _resent(ctx: OrgContext, ready: list[InvoiceSnapshot], cache: OrgCache | None,
            unsent: list[XeroBatch]) -> list[_Batch]:
    by_id = {s.invoice.id: s for s in ready if not s.invoice.xero_invoice_id}
    resent = []
    for stored in unsent:
        items = items_of(stored)
        if all(local_id in by_id and by_id[local_id].invoice.version == version for local_id, version in items):
            adopt(ctx, stored)
            batch = _Batch(ctx, "create", [by_id.pop(local_id) for local_id, _ in items], cache)
            batch.stored = stored
            resent.append(batch)
    return resent


def _chunks(snapshots: list[InvoiceSnapshot]) -> list[tuple[str, list[InvoiceSnapshot]]]:
    """New invoices are created, linked ones updated (never re-created): in batches of up to 50 each."""
    creates = [s for s in snapshots if not s.invoice.xero_invoice_id]
    updates = [s for s in snapshots if s.invoice.xero_invoice_id]
    return ([("create", creates[i:i + BATCH]) for i in range(0, len(creates), BATCH)]
            + [("update", updates[i:i + BATCH]) for i in range(0, len(updates), BATCH)])


def _wire_all(ctx: OrgContext, snapshots: list[InvoiceSnapshot], cache: OrgCache) -> dict[int, dict]:
    """Each invoice as the SDK puts it on the wire, by invoice id."""
    return {snapshot.invoice.id or 0: invoice_wire(preflight.outgoing(snapshot, cache, ctx.settings))
            for snapshot in snapshots}


def _preflight(ctx: OrgContext, snapshots: list[InvoiceSnapshot], cache: OrgCache,
               forced_contacts: bool) -> list[InvoiceSnapshot]:
    ready = []
    with ctx.writing() as session:
        for snapshot in snapshots:
            problems = [problem for problem in preflight.invoice_problems(snapshot, cache, ctx.settings)
                        if not (forced_contacts and problem.code == ErrorCode.CONTACT_NOT_FOUND
                                and not snapshot.client.xero_contact_id)]
            if problems:
                outcomes.failed_before_sending(session, ctx, snapshot.invoice.id or 0, problems)
            else:
                ready.append(snapshot)
    return ready

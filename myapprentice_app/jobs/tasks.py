"""Huey tasks: thin wrappers that load ids and call the sync engine."""

from __future__ import annotations

import logging
import threading
import time

from huey import crontab

from myapprentice_app.db import session_scope
from myapprentice_app.domain.sync_states import ConnectionStatus
from myapprentice_app.jobs.huey_app import huey
from myapprentice_app.services import follow_up, stripe_pay, xero_connection, xero_sync
from myapprentice_app.sync import history_notes, online_invoices, runs, stripe_credits, stripe_xero
from myapprentice_app.sync.cache import refresh as refresh_cache
from myapprentice_app.sync.context import OrgContext

log = logging.getLogger(__name__)


@huey.task()
def run_sync(run_id: int) -> None:
    if not runs.execute(run_id):
        return  # the worker holding the run does what follows it
    synced = online_invoices.invoices_synced_by(run_id)
    if synced is not None and synced[1]:
        fetch_online_invoice_links(*synced)
    owed = history_notes.notes_for(run_id)
    if owed is not None and owed.notes:
        if owed.deferred:
            write_history_notes(owed.business_id, owed.notes)
        else:
            history_notes.write(owed.business_id, owed.notes)


NOTES_LATER_SECONDS = 60


@huey.task(priority=-10)
def write_history_notes(business_id: int, notes: list[history_notes.Note]) -> None:
    """Send all's "Pushed from MyApprentice" notes, from spare budget only (see sync/history_notes.py)."""
    left = history_notes.write(business_id, notes, spare_only=True)
    if left:
        write_history_notes.schedule(args=(business_id, left), delay=NOTES_LATER_SECONDS)


@huey.task()
def fetch_online_invoice_links(business_id: int, invoice_ids: list[int] | None = None) -> int:
    """The Xero online-invoice link of approved invoices that lack one (after a push, or on demand)."""
    return online_invoices.fetch_links(business_id, invoice_ids)


@huey.task()
def disconnect_at_xero(token_enc: str, tenant_id: str) -> None:
    xero_connection.disconnect_at_xero(token_enc, tenant_id)


@huey.task(retries=10, retry_delay=30)
def close_stripe_checkouts(invoice_id: int) -> None:
    """After a void or a payment recorded by hand: the invoice's open card checkouts can't be paid any more."""
    with session_scope() as session:
        stripe_pay.close_checkouts(session, invoice_id)


@huey.task()
def refresh_organisation_cache(business_id: int) -> None:
    """After connecting: load accounts, tax rates, contacts and invoice numbers for the pickers and pre-flight."""
    from sqlmodel import select

    from myapprentice_app.models import XeroConnection

    with session_scope() as session:
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == business_id)).first()
        if connection is None or connection.status != ConnectionStatus.CONNECTED or not connection.tenant_id:
            return
        settings = runs.settings_for(session, business_id)
    refresh_cache(OrgContext(business_id=business_id, tenant_id=connection.tenant_id, settings=settings))


@huey.periodic_task(crontab(minute="*"))
def recover_and_sync_payments() -> None:
    """Crash safety and the payment cycle: re-enqueue runs no live worker holds; sync new payments."""
    if first_this_minute("recover_and_sync_payments"):
        recover()


def first_this_minute(name: str) -> bool:
    """Every worker process's scheduler queues the periodic tasks, so with N workers each is queued N times a
    minute: the first to run takes the minute's key in the queue's storage (shared by every worker), the others
    find it taken. The key of two minutes before is dropped, so keys don't pile up."""
    minute = int(time.time() // 60)
    if not huey.put_if_empty(f"periodic:{name}:{minute}", "taken"):
        return False
    huey.delete(f"periodic:{name}:{minute - 2}")
    return True


def recover() -> None:
    for run_id in runs.due_runs():
        run_sync(run_id)
    waiting = (set(runs.businesses_with_unsynced_payments()) | set(stripe_xero.businesses_with_stripe_work())
               | set(stripe_credits.businesses_with_credits_due()))
    for business_id in sorted(waiting):
        with session_scope() as session:
            xero_sync.payments_run(session, business_id)  # queues its run


# The services queue these by name once their transaction commits (services/follow_up.py says why by name).
for _name, _task in {"run_sync": run_sync, "fetch_online_invoice_links": fetch_online_invoice_links,
                     "disconnect_at_xero": disconnect_at_xero,
                     "refresh_organisation_cache": refresh_organisation_cache,
                     "close_stripe_checkouts": close_stripe_checkouts}.items():
    follow_up.register(_name, _task)


# -- when a worker process starts -------------------------------------------------------------------------------

WATCH_SECONDS = 1.0
_started = threading.Lock()


@huey.on_startup()
def on_worker_start() -> None:
    """huey runs its startup hooks in every worker thread: the process's first thread does this, once.

    A worker that starts after a crash can't tell a dead run from a live one until its heartbeat is stale, so
    it looks for runs to recover once that has passed. And one thread per worker process, the lease watcher,
    looks every second for a run whose worker died or stalled (its lease lapsed) or whose wait for Xero is
    over, and takes it over itself. Not through the queue: a stopped worker still waiting on the queue would
    swallow the task."""
    if _started.acquire(blocking=False):
        recover_and_sync_payments.schedule(delay=runs.STALE.total_seconds() + 1)
        threading.Thread(target=_watch, name="run-lease-watcher", daemon=True).start()


def _watch() -> None:
    taking: set[int] = set()  # runs this process is taking over (or trying to) right now

    def take(run_id: int) -> None:
        try:
            run_sync.call_local(run_id)
        finally:
            taking.discard(run_id)

    while True:
        time.sleep(WATCH_SECONDS)
        try:
            for run_id in set(runs.overdue_runs()) - taking:
                taking.add(run_id)
                threading.Thread(target=take, args=(run_id,), name=f"run-{run_id}", daemon=True).start()
        except Exception:  # the database is away for a moment: look again in a second
            log.exception("the lease watcher could not look for overdue runs")

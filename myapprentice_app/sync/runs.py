"""A sync run from claim to finish: one worker at a time, a heartbeat, and recovery when a worker dies."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading

import sqlalchemy as sa
from sqlalchemy.exc import OperationalError
from sqlmodel import Session, col, select

from myapprentice_app.db import session_scope, utcnow, write_scope
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.sync_errors import ErrorCode
from myapprentice_app.domain.sync_states import ConnectionStatus, ItemOutcome, RunKind, RunState
from myapprentice_app.integrations.xero.errors import (
    ConnectionRevoked,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Unavailable,
)
from myapprentice_app.models import Invoice, Payment, SyncRun, SyncRunItem, XeroConnection, XeroSettings
from myapprentice_app.sync import cache, invoices, outcomes, payments, pull, stripe_credits, stripe_xero
from myapprentice_app.sync.budget import WaitForXero
from myapprentice_app.sync.context import OrgContext, Superseded
from myapprentice_app.sync.reconcile import reconcile_leftovers

# A run's lease: renewed by the heartbeat (and by every fenced write); a run whose lease has lapsed is taken
# over within seconds by the lease watcher every worker process runs (jobs/tasks.py `on_worker_start`).
STALE = dt.timedelta(seconds=5)
HEARTBEAT_SECONDS = 1.5
RETRY_AFTER = dt.timedelta(seconds=30)
_runs = SyncRun.__table__  # type: ignore[attr-defined]
log = logging.getLogger(__name__)


def execute(run_id: int) -> bool:
    """Claim the run and work it. False when another worker has it (or took it over meanwhile)."""
    claim = _claim(run_id)
    if claim is None:
        return False  # another worker has it, or it is finished
    generation, owner = claim
    log.info("run %s claimed (token %s)", run_id, generation)
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(run_id, generation, stop), daemon=True)
    beat.start()
    try:
        _execute_claimed(run_id, generation, owner)
    except Superseded:
        log.warning("run %s: another worker took it over; this one stops", run_id)
        return False
    except OperationalError:
        if _still_held(run_id, generation):
            raise
        # Stopped past its lease inside a transaction: the worker that took the run over ended that session.
        log.warning("run %s: this worker's database session was ended while it was stopped, and another worker "
                    "has taken the run over; this one stops", run_id)
        return False
    finally:
        stop.set()
    return True


def _still_held(run_id: int, generation: int) -> bool:
    with session_scope() as session:
        return session.execute(sa.select(_runs.c.generation).where(_runs.c.id == run_id)).scalar() == generation


def _execute_claimed(run_id: int, generation: int, owner: str) -> None:
    with session_scope() as session:
        run = session.get(SyncRun, run_id)
        assert run is not None
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == run.business_id)).first()
        settings = settings_for(session, run.business_id)
        pending_ids = list(session.exec(select(SyncRunItem.invoice_id).where(
            SyncRunItem.run_id == run_id, SyncRunItem.outcome == ItemOutcome.PENDING)))
    ctx = OrgContext(business_id=run.business_id, tenant_id=(connection.tenant_id if connection else None) or "",
                     settings=settings, run_id=run_id, user_id=run.started_by_user_id, generation=generation,
                     owner=owner)
    if connection is None or connection.status != ConnectionStatus.CONNECTED or not connection.tenant_id:
        _connection_lost(ctx, "Xero isn't connected.")
        return
    try:
        unsent = reconcile_leftovers(ctx, STALE)  # before anything is sent for the organisation
        cache.refresh_if_stale(ctx)
        if run.kind in (RunKind.PUSH, RunKind.SEND_ALL):
            invoices.push(ctx, pending_ids, create_contacts=run.create_contacts, unsent=unsent)
        stripe_xero.reverse_refunded(ctx)
        payments.sync_payments(ctx)
        stripe_xero.post_fees(ctx)
        stripe_credits.post_credits(ctx)
        stripe_xero.note_disputes(ctx)
        if run.kind == RunKind.SYNC_ALL:
            pull.pull(ctx)
    except ConnectionRevoked as revoked:
        _connection_lost(ctx, str(revoked))
        return
    except WaitForXero as later:
        _wait(ctx, pending_ids, dt.datetime.fromtimestamp(later.until, dt.UTC), later.problem, str(later))
        return
    except (Unavailable, OutcomeUnknown, RateLimited, Rejected) as trouble:
        _wait(ctx, pending_ids, utcnow() + RETRY_AFTER, "unavailable", f"{type(trouble).__name__}: {trouble}")
        return
    except (Superseded, OperationalError):
        raise  # see `execute`
    except Exception as unexpected:
        # A bug, or data nothing foresaw. Left 'running', the run would be taken over within seconds and stop
        # the same way, again and again: it waits instead, saying so, and is tried again later.
        log.exception("run %s stopped on an unexpected error", run_id)
        _wait(ctx, pending_ids, utcnow() + RETRY_AFTER, "unexpected", type(unexpected).__name__)
        return
    _finish(ctx)


def settings_for(session: Session, business_id: int) -> XeroSettings:
    return session.get(XeroSettings, business_id) or XeroSettings(business_id=business_id)


def _claim(run_id: int) -> tuple[int, str] | None:
    """Take the run (queued, waiting, or running under a lapsed lease): its token is bumped, so the writes of
    a worker that held it before are refused from now on. Returns (token, owner)."""
    now = utcnow()
    owner = f"{os.uname().nodename[:30]}:{os.getpid()}:{threading.get_ident() % 100000}"
    with write_scope() as session:
        if session.get_bind().dialect.name == "postgresql":
            # A stopped worker's open transaction may still lock the row: try again later rather than queue.
            session.execute(sa.text("SET LOCAL lock_timeout = '1s'"))
        try:
            result = session.execute(
                sa.update(_runs).where(_runs.c.id == run_id).where(sa.or_(
                _runs.c.state.in_((RunState.QUEUED, RunState.WAITING)),
                    sa.and_(_runs.c.state == RunState.RUNNING, _runs.c.heartbeat_at < now - STALE)))
                .values(state=RunState.RUNNING, heartbeat_at=now, owner=owner, generation=_runs.c.generation + 1))
        except OperationalError:
            session.rollback()
            _end_stalled_sessions(session, run_id)
            return None
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return None
        generation = session.execute(sa.select(_runs.c.generation).where(_runs.c.id == run_id)).scalar_one()
        session.commit()
    return int(generation), owner


def _end_stalled_sessions(session: Session, run_id: int) -> None:
    """The run's row is locked by its owner, whose lease has lapsed: end that process's transactions open longer
    than the lease (they are rolled back, so nothing the stalled owner was writing is kept). Whatever their state:
    a process stopped halfway through a pipelined statement (psycopg's executemany) leaves its session "active",
    waiting to read the rest, and no server timeout ends that."""
    owner = session.execute(sa.select(_runs.c.owner).where(
        _runs.c.id == run_id, _runs.c.state == RunState.RUNNING, _runs.c.heartbeat_at < utcnow() - STALE)).scalar()
    if owner:
        host_and_pid = ":".join(owner.split(":")[:2])
        session.execute(sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = :name"
                                " AND xact_start < now() - make_interval(secs => :lease) AND pid <> pg_backend_pid()"),
                        {"name": host_and_pid, "lease": STALE.total_seconds()})
    session.commit()


def _heartbeat(run_id: int, generation: int, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            with write_scope() as session:
                renewed = session.execute(sa.update(_runs).where(
                    _runs.c.id == run_id, _runs.c.generation == generation, _runs.c.state == RunState.RUNNING)
                    .values(heartbeat_at=utcnow()))
                session.commit()
        except OperationalError:
            log.warning("run %s: its heartbeat lost the database; the run's next write tells whether it still "
                        "holds the run", run_id)
            continue  # a session ended under a stopped worker, or the database away for a moment
        if renewed.rowcount != 1:  # type: ignore[attr-defined]
            return  # taken over (or finished): the next fenced write tells the run


def _finish(ctx: OrgContext) -> None:
    with ctx.writing() as session:
        session.execute(sa.update(_runs).where(_runs.c.id == ctx.run_id).values(
            state=RunState.DONE, finished_at=utcnow(), active_send_all=None,
            calls_made=_runs.c.calls_made + ctx.calls))


_WHY = {"day": " (the organisation's daily limit is used up)",
        "unexpected": " (the last try stopped on an unexpected error, which is logged)"}


def _wait(ctx: OrgContext, invoice_ids: list[int], next_try: dt.datetime, problem: str, reason: str) -> None:
    """Xero can't take more for now: the invoices stay Pending saying when the next try is, and the run waits
    for it (the watcher resumes it then; nothing is retried meanwhile)."""
    with ctx.writing() as session:
        outcomes.waiting(session, ctx, invoice_ids, next_try, reason, _WHY.get(problem, ""))
        message = outcomes.waiting_message(next_try, _WHY.get(problem, ""))
        if problem == "day":
            message = _day_spent(session, ctx.run_id or 0, next_try)
        session.execute(sa.update(_runs).where(_runs.c.id == ctx.run_id).values(
            state=RunState.WAITING, next_try_at=next_try, calls_made=_runs.c.calls_made + ctx.calls,
            message=message))


def _day_spent(session: Session, run_id: int, next_try: dt.datetime) -> str:
    """How much of the run today's quota took, and when the rest goes."""
    counts = dict(session.exec(select(SyncRunItem.outcome, sa.func.count()).where(SyncRunItem.run_id == run_id)
                               .group_by(col(SyncRunItem.outcome))).all())
    waiting = counts.get(ItemOutcome.PENDING, 0)
    return (f"Today's Xero quota took {sum(counts.values()) - waiting:,} of the {sum(counts.values()):,} invoices; "
            f"the other {waiting:,} go after Xero's reset — next try at {next_try:%H:%M} UTC.")


def _connection_lost(ctx: OrgContext, reason: str) -> None:
    """Mark the connection for reconnecting, and every Pending invoice Error with the reconnect fix."""
    with ctx.writing() as session:
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == ctx.business_id)).first()
        if connection is not None and connection.status == ConnectionStatus.CONNECTED:
            connection.status, connection.problem = ConnectionStatus.NEEDS_RECONNECT, reason[:500]
        pending = session.exec(select(Invoice.id).where(Invoice.business_id == ctx.business_id,
                                                        Invoice.sync_status == SyncStatus.PENDING)).all()
        for invoice_id in pending:
            outcomes.failed(session, ctx, invoice_id or 0, ErrorCode.NEEDS_RECONNECT,
                            "The Xero connection needs reconnecting.", action="push", detail=reason[:2000])
        session.execute(sa.update(_runs).where(_runs.c.business_id == ctx.business_id,
                                               _runs.c.state != RunState.DONE)
                        .values(state=RunState.DONE, finished_at=utcnow(), active_send_all=None,
                                message="Stopped: the Xero connection needs reconnecting."))


def overdue_runs() -> list[int]:
    """Runs whose worker died or stalled (the lease lapsed), and runs whose wait for Xero is over."""
    now = utcnow()
    with session_scope() as session:
        rows = session.exec(select(SyncRun.id).where(sa.or_(
            sa.and_(col(SyncRun.state) == RunState.RUNNING, col(SyncRun.heartbeat_at) < now - STALE),
            sa.and_(col(SyncRun.state) == RunState.WAITING, col(SyncRun.next_try_at) <= now),
        ))).all()
    return [run_id for run_id in rows if run_id is not None]


def due_runs() -> list[int]:
    """Runs a dead worker left behind, and runs whose wait for Xero is over."""
    now = utcnow()
    with session_scope() as session:
        rows = session.exec(select(SyncRun.id).where(sa.or_(
            sa.and_(col(SyncRun.state).in_((RunState.QUEUED, RunState.RUNNING)),
                    sa.func.coalesce(SyncRun.heartbeat_at, SyncRun.created_at) < now - STALE),
            sa.and_(col(SyncRun.state) == RunState.WAITING, col(SyncRun.next_try_at) <= now),
        ))).all()
    return [run_id for run_id in rows if run_id is not None]


def businesses_with_unsynced_payments() -> list[int]:
    """The businesses with a payment the payment cycle would send now (as `payments._ready_payments` picks them,
    or once its invoice, changed here since Xero had it, has gone again: `xero_sync.payments_run`), one no cycle
    has looked at yet, or one a stopped run left Pending: one Xero refused, or held back for want of an account
    or of its invoice in Xero, doesn't start a run every minute."""
    account = sa.case((col(Payment.source) == "stripe", col(XeroSettings.stripe_account)),
                      else_=col(XeroSettings.payment_account))
    with session_scope() as session:
        rows = session.exec(
            select(Payment.business_id).join(XeroConnection, col(XeroConnection.business_id) == Payment.business_id)
            .join(XeroSettings, col(XeroSettings.business_id) == Payment.business_id)
            .join(Invoice, col(Invoice.id) == Payment.invoice_id)
            .where(XeroConnection.status == ConnectionStatus.CONNECTED,
                   col(Payment.sync_status).not_in((SyncStatus.SYNCED, SyncStatus.ERROR)),
                   col(Payment.xero_payment_id).is_(None), Payment.source != "xero", Payment.amount > 0,
                   sa.or_(sa.and_(account.is_not(None),
                                  col(Invoice.sync_status).in_((SyncStatus.SYNCED, SyncStatus.NOT_SYNCED)),
                                  col(Invoice.xero_invoice_id).is_not(None)),
                          col(Payment.sync_error_message).is_(None)))  # not looked at yet: a cycle says why
            .distinct()).all()
    return list(rows)

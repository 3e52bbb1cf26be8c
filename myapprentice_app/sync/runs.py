"""A sync run from claim to finish: one worker at a time, a heartbeat, and recovery when a worker dies."""

from __future__ import annotations

import datetime as dt
import threading

import sqlalchemy as sa
from sqlmodel import Session, col, select

from myapprentice_app.db import session_scope, utcnow
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
from myapprentice_app.sync.context import OrgContext
from myapprentice_app.sync.reconcile import reconcile_leftovers

STALE = dt.timedelta(seconds=12)
HEARTBEAT_SECONDS = 3.0
RETRY_AFTER = dt.timedelta(seconds=30)
_runs = SyncRun.__table__  # type: ignore[attr-defined]


def execute(run_id: int) -> None:
    if not _claim(run_id):
        return  # another worker has it, or it is finished
    stop = threading.Event()
    beat = threading.Thread(target=_heartbeat, args=(run_id, stop), daemon=True)
    beat.start()
    try:
        _execute_claimed(run_id)
    finally:
        stop.set()


def _execute_claimed(run_id: int) -> None:
    with session_scope() as session:
        run = session.get(SyncRun, run_id)
        assert run is not None
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == run.business_id)).first()
        settings = settings_for(session, run.business_id)
        pending_ids = list(session.exec(select(SyncRunItem.invoice_id).where(
            SyncRunItem.run_id == run_id, SyncRunItem.outcome == ItemOutcome.PENDING)))
    if connection is None or connection.status != ConnectionStatus.CONNECTED or not connection.tenant_id:
        _connection_lost(run.business_id, run_id, "Xero isn't connected.")
        return
    ctx = OrgContext(business_id=run.business_id, tenant_id=connection.tenant_id, settings=settings,
                     run_id=run_id, user_id=run.started_by_user_id)
    left: list[int] = []
    try:
        reconcile_leftovers(ctx)
        cache.refresh_if_stale(ctx)
        if run.kind in (RunKind.PUSH, RunKind.SEND_ALL):
            left = invoices.push(ctx, pending_ids, create_contacts=run.create_contacts)
        stripe_xero.reverse_refunded(ctx)
        payments.sync_payments(ctx)
        stripe_xero.post_fees(ctx)
        stripe_credits.post_credits(ctx)
        stripe_xero.note_disputes(ctx)
        if run.kind == RunKind.SYNC_ALL:
            pull.pull(ctx)
    except ConnectionRevoked as revoked:
        _connection_lost(run.business_id, run_id, str(revoked))
        return
    except (Unavailable, OutcomeUnknown, RateLimited, Rejected) as trouble:
        left = pending_ids
        with session_scope() as session:
            outcomes.waiting(session, ctx, left, utcnow() + RETRY_AFTER, f"{type(trouble).__name__}: {trouble}")
            session.commit()
    _finish(run_id, ctx.calls, waiting=bool(left))


def settings_for(session: Session, business_id: int) -> XeroSettings:
    return session.get(XeroSettings, business_id) or XeroSettings(business_id=business_id)


def _claim(run_id: int) -> bool:
    now = utcnow()
    with session_scope() as session:
        result = session.execute(
            sa.update(_runs).where(_runs.c.id == run_id).where(sa.or_(
                _runs.c.state.in_((RunState.QUEUED, RunState.WAITING)),
                sa.and_(_runs.c.state == RunState.RUNNING, _runs.c.heartbeat_at < now - STALE)))
            .values(state=RunState.RUNNING, heartbeat_at=now))
        session.commit()
        return result.rowcount == 1  # type: ignore[attr-defined]


def _heartbeat(run_id: int, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        with session_scope() as session:
            session.execute(sa.update(_runs).where(_runs.c.id == run_id, _runs.c.state == RunState.RUNNING)
                            .values(heartbeat_at=utcnow()))
            session.commit()


def _finish(run_id: int, calls: int, waiting: bool) -> None:
    with session_scope() as session:
        run = session.get(SyncRun, run_id)
        assert run is not None
        run.calls_made += calls
        if waiting:
            run.state, run.next_try_at = RunState.WAITING, utcnow() + RETRY_AFTER
        else:
            run.state, run.finished_at, run.active_send_all = RunState.DONE, utcnow(), None
        session.commit()


def _connection_lost(business_id: int, run_id: int, reason: str) -> None:
    """Mark the connection for reconnecting, and every Pending invoice Error with the reconnect fix."""
    with session_scope() as session:
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == business_id)).first()
        if connection is not None and connection.status == ConnectionStatus.CONNECTED:
            connection.status, connection.problem = ConnectionStatus.NEEDS_RECONNECT, reason[:500]
        ctx = outcomes.RunRef(business_id, run_id)
        pending = session.exec(select(Invoice.id).where(Invoice.business_id == business_id,
                                                        Invoice.sync_status == SyncStatus.PENDING)).all()
        for invoice_id in pending:
            outcomes.failed(session, ctx, invoice_id or 0, ErrorCode.NEEDS_RECONNECT,
                            "The Xero connection needs reconnecting.", action="push", detail=reason[:2000])
        session.execute(sa.update(_runs).where(_runs.c.business_id == business_id, _runs.c.state != RunState.DONE)
                        .values(state=RunState.DONE, finished_at=utcnow(), active_send_all=None,
                                message="Stopped: the Xero connection needs reconnecting."))
        session.commit()


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
    with session_scope() as session:
        rows = session.exec(
            select(Payment.business_id).join(XeroConnection, col(XeroConnection.business_id) == Payment.business_id)
            .where(XeroConnection.status == ConnectionStatus.CONNECTED, Payment.sync_status != SyncStatus.SYNCED,
                   col(Payment.xero_payment_id).is_(None), Payment.source != "xero").distinct()).all()
    return list(rows)

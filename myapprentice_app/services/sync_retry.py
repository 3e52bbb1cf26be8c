"""Retry failed, from the sync board: push again exactly the invoices a run left in Error."""

from __future__ import annotations

from sqlmodel import Session, col, select

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.roles import Permission
from myapprentice_app.domain.sync_states import BOARD_RUN_KINDS, ItemOutcome
from myapprentice_app.models import Invoice, SyncRun, SyncRunItem
from myapprentice_app.services import xero_sync
from myapprentice_app.services.errors import ActionRefused, NotFound
from myapprentice_app.services.principal import Principal


def retry_failed(session: Session, actor: Principal, run_id: int) -> tuple[int, int]:
    """Queue a push of the run's invoices that ended in Error and are still in Error (one fixed or pushed
    since is left alone). Returns (the new run's id, how many invoices it retries)."""
    actor.require(Permission.RETRY_SYNC)
    run = session.get(SyncRun, run_id)
    if run is None or run.business_id != actor.business_id or run.kind not in BOARD_RUN_KINDS:
        raise NotFound("That run")
    failed = list(session.exec(
        select(Invoice.id).join(SyncRunItem, col(SyncRunItem.invoice_id) == Invoice.id)
        .where(SyncRunItem.run_id == run_id, SyncRunItem.outcome == ItemOutcome.ERROR,
               Invoice.business_id == actor.business_id, Invoice.sync_status == SyncStatus.ERROR)).all())
    if not failed:
        raise ActionRefused("No invoice of that run is in Error any more.")
    new_run = xero_sync.requeue(session, actor, [invoice_id or 0 for invoice_id in failed])
    return new_run or 0, len(failed)

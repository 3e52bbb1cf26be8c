"""Write requests stored with their Idempotency-Key before they are sent, under the run's fencing token."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from dataclasses import dataclass
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from myapprentice_app.db import session_scope, utcnow, write_scope
from myapprentice_app.domain.sync_states import BatchState, RunState
from myapprentice_app.models import SyncRun, XeroBatch
from myapprentice_app.sync.context import OrgContext

_batches = XeroBatch.__table__  # type: ignore[attr-defined]
_runs = SyncRun.__table__  # type: ignore[attr-defined]
_SETTLE = sa.update(_batches).where(_batches.c.id == sa.bindparam("b_id")).values(state=sa.bindparam("b_state"))


# Each item's id and the version sent; for an invoice also its total, number and Xero contact as sent.
Items = list[tuple[int, int]] | list[tuple[int, int, str, str, str | None]]


@dataclass(frozen=True)
class SentInvoice:
    total: Decimal
    number: str
    contact_id: str | None


def open_batch(ctx: OrgContext, kind: str, items: Items) -> XeroBatch:
    """Store the batch (state `sending`) and its key, committed (fenced) right before it is sent."""
    batch = new_batch(ctx, kind, items)
    with ctx.writing() as session:
        session.add(batch)
    return batch


def new_batch(ctx: OrgContext, kind: str, items: Items) -> XeroBatch:
    """A batch (state `sending`) under the run's token, to be stored in the transaction it leaves in.

    The key names what is sent (ids and versions) plus a fresh part, so a retry after an unknown outcome never
    reuses a key Xero may have cached an error under.
    """
    digest = hashlib.sha256(json.dumps([kind, sorted(items)]).encode()).hexdigest()[:24]
    return XeroBatch(business_id=ctx.business_id, run_id=ctx.run_id, kind=kind, item_ids=json.dumps(items),
                     idempotency_key=f"ma-{ctx.business_id}-{kind}-{digest}-{uuid.uuid4().hex[:12]}",
                     owner=ctx.owner, generation=ctx.generation)


def adopt(ctx: OrgContext, batch: XeroBatch) -> None:
    """Take over another worker's batch to send it again as it was, under its own key (fenced)."""
    with ctx.writing() as session:
        session.execute(sa.update(_batches).where(_batches.c.id == batch.id).values(
            state=BatchState.SENDING, run_id=ctx.run_id, owner=ctx.owner, generation=ctx.generation))


def close_batch(batch: XeroBatch, state: BatchState, session: Session | None = None) -> None:
    """Settle the batch; inside the caller's transaction when a session is given (the caller commits)."""
    if session is not None:
        session.execute(_SETTLE, {"b_id": batch.id, "b_state": state})
        return
    with write_scope() as own:
        close_batch(batch, state, own)
        own.commit()


def unknown_batches(ctx: OrgContext, stale_after: dt.timedelta) -> list[XeroBatch]:
    """The business's batches still `sending` that no live worker is sending: from any run (this one under an
    earlier claim too), any worker, any connection. Whether Xero applied them is unknown."""
    live = sa.select(_runs.c.id).where(_runs.c.id == _batches.c.run_id, _runs.c.generation == _batches.c.generation,
                                       _runs.c.state == RunState.RUNNING,
                                       _runs.c.heartbeat_at >= utcnow() - stale_after)
    with session_scope() as session:
        rows = session.execute(sa.select(XeroBatch).where(
            _batches.c.business_id == ctx.business_id, _batches.c.state == BatchState.SENDING,
            ~sa.exists(live)).order_by(_batches.c.id)).scalars().all()
        return list(rows)


def items_of(batch: XeroBatch) -> list[tuple[int, int]]:
    """Each item's id and the version of it that was sent."""
    return [(int(item[0]), int(item[1])) for item in json.loads(batch.item_ids)]


def sent_invoices(batch: XeroBatch) -> dict[int, SentInvoice]:
    """What an invoice batch sent of each invoice, by its id (batches stored before this was have none)."""
    return {int(item[0]): SentInvoice(Decimal(item[2]), item[3], item[4])
            for item in json.loads(batch.item_ids) if len(item) == 5}

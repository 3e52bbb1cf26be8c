"""Write requests stored with their Idempotency-Key before they are sent."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from sqlmodel import Session, select

from myapprentice_app.db import session_scope, write_scope
from myapprentice_app.domain.sync_states import BatchState
from myapprentice_app.models import XeroBatch
from myapprentice_app.sync.context import OrgContext

_batches = XeroBatch.__table__  # type: ignore[attr-defined]


def open_batch(ctx: OrgContext, kind: str, items: list[tuple[int, int]]) -> XeroBatch:
    """Store the batch (state `sending`) and its deterministic key, committed before the request leaves.

    The key is derived from what is sent (ids and versions) plus the batch row's id, so a retry after an
    unknown outcome never reuses a key Xero may have cached an error under.
    """
    return open_batches(ctx, [(kind, items)])[0]


def open_batches(ctx: OrgContext, wanted: list[tuple[str, list[tuple[int, int]]]]) -> list[XeroBatch]:
    """`open_batch` for several requests at once, in one transaction (all stored before any is sent)."""
    if not wanted:
        return []
    with write_scope() as session:
        batches = []
        for kind, items in wanted:
            digest = hashlib.sha256(json.dumps([kind, sorted(items)]).encode()).hexdigest()[:24]
            batch = XeroBatch(business_id=ctx.business_id, run_id=ctx.run_id, kind=kind,
                              item_ids=json.dumps(items), idempotency_key=f"pending-{digest}-{id(items)}")
            batches.append((batch, kind, digest))
        session.add_all([batch for batch, _, _ in batches])
        session.flush()
        for batch, kind, digest in batches:
            batch.idempotency_key = f"ma-{ctx.business_id}-{kind}-{digest}-{batch.id}"
        session.commit()
        return [batch for batch, _, _ in batches]


def close_batch(batch: XeroBatch, state: BatchState, session: Session | None = None) -> None:
    """Settle the batch; inside the caller's transaction when a session is given (the caller commits)."""
    if session is None:
        close_batches([batch], state)
        return
    session.execute(sa.update(_batches).where(_batches.c.id == batch.id).values(state=state))


def close_batches(batches: list[XeroBatch], state: BatchState) -> None:
    """Settle several batches in one transaction (the `unsent` ones were stored but never sent)."""
    with write_scope() as session:
        session.execute(sa.update(_batches).where(_batches.c.id.in_([batch.id for batch in batches]))
                        .values(state=state))
        session.commit()


def unknown_batches(ctx: OrgContext, kind: str) -> list[XeroBatch]:
    """Batches of this run still `sending`: a worker died (or lost the answer) after storing them."""
    with session_scope() as session:
        return list(session.exec(select(XeroBatch).where(XeroBatch.run_id == ctx.run_id, XeroBatch.kind == kind,
                                                         XeroBatch.state == BatchState.SENDING)))


def items_of(batch: XeroBatch) -> list[tuple[int, int]]:
    return [(int(local_id), int(version)) for local_id, version in json.loads(batch.item_ids)]

"""Write requests stored with their Idempotency-Key before they are sent."""

from __future__ import annotations

import hashlib
import json

from sqlmodel import select

from myapprentice_app.db import session_scope
from myapprentice_app.models import XeroBatch
from myapprentice_app.sync.context import OrgContext


def open_batch(ctx: OrgContext, kind: str, items: list[tuple[int, int]]) -> XeroBatch:
    """Store the batch (state `sending`) and its deterministic key, committed before the request leaves.

    The key is derived from what is sent (ids and versions) plus the batch row's id, so a retry after an
    unknown outcome never reuses a key Xero may have cached an error under.
    """
    digest = hashlib.sha256(json.dumps([kind, sorted(items)]).encode()).hexdigest()[:24]
    with session_scope() as session:
        batch = XeroBatch(business_id=ctx.business_id, run_id=ctx.run_id, kind=kind, item_ids=json.dumps(items),
                          idempotency_key=f"pending-{digest}-{id(items)}")
        session.add(batch)
        session.flush()
        batch.idempotency_key = f"ma-{ctx.business_id}-{kind}-{digest}-{batch.id}"
        session.commit()
        return batch


def close_batch(batch: XeroBatch, state: str) -> None:
    with session_scope() as session:
        row = session.get(XeroBatch, batch.id)
        assert row is not None
        row.state = state
        session.commit()


def unknown_batches(ctx: OrgContext, kind: str) -> list[XeroBatch]:
    """Batches of this run still `sending`: a worker died (or lost the answer) after storing them."""
    with session_scope() as session:
        return list(session.exec(select(XeroBatch).where(XeroBatch.run_id == ctx.run_id, XeroBatch.kind == kind,
                                                         XeroBatch.state == "sending")))


def items_of(batch: XeroBatch) -> list[tuple[int, int]]:
    return [(int(local_id), int(version)) for local_id, version in json.loads(batch.item_ids)]

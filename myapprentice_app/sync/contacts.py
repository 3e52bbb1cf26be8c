"""Clients become Xero contacts: matched by name when possible, else created in batches (policy permitting)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

from myapprentice_app.db import session_scope
from myapprentice_app.domain.sync_errors import ErrorCode
from myapprentice_app.domain.sync_states import BatchState
from myapprentice_app.integrations.xero.mapping import contact_model
from myapprentice_app.integrations.xero.results import first_by
from myapprentice_app.models import Client
from myapprentice_app.sync import cache as org_cache
from myapprentice_app.sync import outcomes, retry
from myapprentice_app.sync.batches import close_batch, open_batch
from myapprentice_app.sync.context import OrgContext
from myapprentice_app.sync.snapshot import ClientRow, InvoiceSnapshot, OrgCache, load_cache

BATCH = 50
_clients = Client.__table__  # type: ignore[attr-defined]


def ensure_contacts(ctx: OrgContext, snapshots: list[InvoiceSnapshot], cache: OrgCache,
                    create: bool) -> list[InvoiceSnapshot]:
    """Give every snapshot's client a Xero contact; returns the snapshots that now have one."""
    missing = {s.client.id: s.client for s in snapshots if not s.client.xero_contact_id}
    _link_by_name(ctx, list(missing.values()), cache)
    to_create = [client for client in missing.values() if not client.xero_contact_id]
    if to_create and create:
        failures = _create(ctx, to_create)
    else:
        failures = {client.id: f"No active Xero contact is named {client.name!r}." for client in to_create}
    ready = [snapshot for snapshot in snapshots if snapshot.client.xero_contact_id]
    if len(ready) < len(snapshots):
        with ctx.writing() as session:
            for snapshot in snapshots:
                if not snapshot.client.xero_contact_id:
                    outcomes.failed(session, ctx, snapshot.invoice.id or 0, ErrorCode.CONTACT_NOT_FOUND,
                                    f"{snapshot.client.name} couldn't be matched or created in Xero.",
                                    action="contact", detail=failures.get(snapshot.client.id))
    return ready


def _link_by_name(ctx: OrgContext, clients: list[ClientRow], cache: OrgCache) -> None:
    linked: dict[int | None, str] = {}
    for client in clients:
        matches = cache.contacts_named(client.name)
        if matches:
            linked[client.id] = matches[0].contact_id
            client.xero_contact_id = matches[0].contact_id
    if linked:
        _store_links(linked)


def _store_links(links: dict[int | None, str], session: Session | None = None) -> None:
    """Store the clients' contact ids; inside the caller's transaction when a session is given."""
    if not links:
        return
    if session is None:
        with session_scope() as own:
            _store_links(links, own)
            own.commit()
        return
    session.execute(sa.update(_clients).where(_clients.c.id == sa.bindparam("b_id"))
                    .values(xero_contact_id=sa.bindparam("b_contact")),
                    [{"b_id": client_id, "b_contact": contact_id} for client_id, contact_id in links.items()])


def _create(ctx: OrgContext, clients: list[ClientRow]) -> dict[int | None, str]:
    failures: dict[int | None, str] = {}
    for start in range(0, len(clients), BATCH):
        failures.update(_create_chunk(ctx, clients[start:start + BATCH]))
    return failures


def _create_chunk(ctx: OrgContext, clients: list[ClientRow]) -> dict[int | None, str]:
    failures: dict[int | None, str] = {}
    batch = open_batch(ctx, "contacts", [(client.id or 0, 0) for client in clients])
    reply = retry.call(ctx, lambda xero: xero.create_contacts(
        [contact_model(client.name, client.email) for client in clients], batch.idempotency_key))
    assert reply is not None
    links: dict[int | None, str] = {}
    by_name = first_by(reply.contacts(), lambda element: element.name.strip().casefold())
    look_up = []  # Xero has them under that name already, or its answer didn't say
    with ctx.writing() as session:
        for client in clients:
            result = by_name.get(client.name.strip().casefold())
            if result is not None and result.ok and result.xero_id:
                links[client.id] = result.xero_id
                client.xero_contact_id = result.xero_id
                org_cache.remember_contact(session, ctx.business_id, result)
            elif result is None or any("already assigned to another contact" in m for m in result.messages):
                look_up.append(client)
            else:
                failures[client.id] = "; ".join(result.messages) or result.brief
        _store_links(links, session)
        close_batch(batch, BatchState.DONE, session)
    if look_up:
        _link_fresh(ctx, look_up)
    return failures


def _link_fresh(ctx: OrgContext, clients: list[ClientRow]) -> None:
    org_cache.refresh_contacts(ctx)
    with session_scope() as session:
        fresh = load_cache(session, ctx.business_id)
    _link_by_name(ctx, clients, fresh)

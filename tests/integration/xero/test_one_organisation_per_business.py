"""One Xero organisation serves one MyApprentice business: a second business connecting it is refused. A business
that moves to another organisation starts afresh there."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from myapprentice_app.db import get_engine, locked, utcnow
from myapprentice_app.models import Client, Invoice, OAuthState, XeroConnection
from myapprentice_app.services import xero_connection, xero_sync
from myapprentice_app.services.errors import ActionRefused
from myapprentice_app.services.principal import Principal
from tests.integration.xero.conftest import consent, make_invoices, other_business_owner
from tests.support.concurrently import while_held


def connect(session: Session, admin, actor: Principal, tenant_ids: list[str]) -> str:
    back = consent(admin, xero_connection.start_connect(session, actor), tenant_ids)
    return xero_connection.finish_connect(session, actor, state=back["state"], code=back.get("code"), error=None)


def test_a_second_business_connecting_the_same_organisation_is_refused_and_nothing_changes(
        session, connected, admin, tenant):
    rival = other_business_owner(session)

    with pytest.raises(ActionRefused, match="already connected to another MyApprentice business"):
        connect(session, admin, rival, [tenant])

    connections = session.exec(select(XeroConnection)).all()
    assert [(c.business_id, c.tenant_id) for c in connections] == [(connected.business_id, tenant)]
    assert xero_connection.connection_view(session, rival).label == "Not connected"
    assert xero_connection.connection_view(session, connected).label == "Connected"  # the first is untouched


def test_allowing_a_used_and_a_free_organisation_connects_the_free_one(session, connected, admin, tenant):
    free = admin.new_organisation("Rival Plumbing (Xero)")
    rival = other_business_owner(session)

    assert connect(session, admin, rival, [tenant, free]) == "connected"  # no choice left to make

    assert xero_connection.connection_view(session, rival).organisation == "Rival Plumbing (Xero)"


def test_an_organisation_taken_while_the_picker_was_open_is_refused(session, owner, admin, tenant):
    other = admin.new_organisation("Second Org")
    assert connect(session, admin, owner, [tenant, other]) == "choose_org"
    rival = other_business_owner(session)
    if connect(session, admin, rival, [tenant]) == "choose_org":  # the rival gets there first
        xero_connection.choose_organisation(session, rival, tenant)
    assert xero_connection.connection_view(session, rival).label == "Connected"

    with pytest.raises(ActionRefused, match="already connected to another MyApprentice business"):
        xero_connection.choose_organisation(session, owner, tenant)

    xero_connection.choose_organisation(session, owner, other)
    assert xero_connection.connection_view(session, owner).organisation == "Second Org"


def test_the_database_refuses_two_connections_to_one_organisation(session, connected, tenant):
    rival = other_business_owner(session)
    session.add(XeroConnection(business_id=rival.business_id, status="connected", tenant_id=tenant,
                               token_enc="", access_expires_at=utcnow()))

    with pytest.raises(IntegrityError):
        session.commit()
    session.rollback()
    assert session.exec(select(sa.func.count()).select_from(XeroConnection)).one() == 1


def _pushed(session: Session, actor: Principal, count: int) -> list[int]:
    ids = make_invoices(session, actor.business_id, count, clients=1)
    for invoice_id in ids:
        xero_sync.push_invoice(session, actor, invoice_id)
    return ids


def _sync_states(session: Session, ids: list[int]) -> list[tuple[str, bool]]:
    session.expire_all()
    return [(invoice.sync_status, invoice.xero_invoice_id is not None)
            for invoice in (session.get(Invoice, invoice_id) for invoice_id in ids) if invoice is not None]


def test_connecting_another_organisation_starts_afresh_there_and_the_first_keeps_its_invoices(
        session, connected, admin, tenant):
    ids = _pushed(session, connected, 2)
    assert _sync_states(session, ids) == [("synced", True)] * 2
    xero_connection.disconnect(session, connected)
    second = admin.new_organisation("Bright Spark Holdings (Xero)")

    assert connect(session, admin, connected, [second]) == "connected"

    assert _sync_states(session, ids) == [("not_synced", False)] * 2  # no ids of the first organisation kept
    assert session.exec(select(Client.xero_contact_id).where(Client.business_id == connected.business_id)).all() \
        == [None]
    xero_sync.send_all(session, connected)
    assert _sync_states(session, ids) == [("synced", True)] * 2
    numbers = {session.get(Invoice, invoice_id).number for invoice_id in ids}
    assert numbers <= set(admin.invoices_numbered(second)) and numbers <= set(admin.invoices_numbered(tenant))


def test_reconnecting_the_same_organisation_keeps_every_link(session, connected, admin, tenant):
    ids = _pushed(session, connected, 2)
    xero_connection.disconnect(session, connected)

    assert connect(session, admin, connected, [tenant]) == "connected"

    assert _sync_states(session, ids) == [("synced", True)] * 2


def test_xeros_redirect_back_loaded_twice_at_the_same_moment_connects_once_and_says_the_link_is_used(
        session, owner, admin, tenant):
    back = consent(admin, xero_connection.start_connect(session, owner), [tenant])

    def arrive() -> str:  # the browser loads the callback twice (a reload, a prefetch)
        with Session(get_engine(), expire_on_commit=False) as own:
            return xero_connection.finish_connect(own, owner, state=back["state"], code=back["code"], error=None)

    outcomes = while_held(lambda held: locked(held, OAuthState, back["state"]), arrive, arrive)

    refused = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert "connected" in outcomes and len(refused) == 1, outcomes
    assert str(refused[0]) == "That Xero sign-in link has expired or wasn't started here. Try connecting again."
    assert xero_connection.connection_view(session, owner).label == "Connected"

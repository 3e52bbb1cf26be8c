"""Text as typed, on SQLite and PostgreSQL alike: a name as long as its form allows is kept whole (the audit row
that records it cuts it to fit its own column instead of failing the change); text no database can store is
refused with a message before it reaches one."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from myapprentice_app.db import get_engine
from myapprentice_app.domain.roles import Role
from myapprentice_app.domain.stored_text import UnstorableText
from myapprentice_app.models import AuditEvent, Business, Client, Membership
from myapprentice_app.services import auth, clients
from myapprentice_app.services.clients import ClientForm
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.services.principal import Principal
from tests.conftest import PASSWORD


@pytest.fixture
def owner(app_database: None) -> Principal:
    with Session(get_engine(), expire_on_commit=False) as session:
        business = Business(name="Bright Spark Electrical")
        session.add(business)
        session.commit()
        user = auth.create_user(session, email="owner@text.test", name="Owner", password=PASSWORD)
        session.add(Membership(user_id=user.id or 0, business_id=business.id or 0, role=Role.OWNER.value))
        session.commit()
        principal = auth.resolve(session, auth.log_in(session, email="owner@text.test", password=PASSWORD).token)
        assert principal is not None
        return principal


def test_a_client_with_a_name_of_the_longest_allowed_length_is_added_whole(owner: Principal) -> None:
    with Session(get_engine()) as session:
        name = "Harbourside Cafe and Function Centre Pty Ltd " * 4 + "x" * 20  # 200 characters

        clients.create_client(session, owner, ClientForm(name=name[:200]))

        assert session.exec(select(Client.name)).all() == [name[:200]]
        [target] = session.exec(select(AuditEvent.target).where(AuditEvent.action == "client.created")).all()
        assert target is not None and len(target) == 120 and target.endswith("…")


@pytest.mark.parametrize("name", ["Bad\x00Name", "Bad\ud800Name"])
def test_a_name_holding_a_nul_byte_or_half_a_surrogate_pair_is_refused_with_a_message(
        owner: Principal, name: str) -> None:
    with Session(get_engine()) as session:
        with pytest.raises(UnstorableText, match="invisible control characters"):
            clients.create_client(session, owner, ClientForm(name=name))
        session.rollback()
        assert session.exec(select(Client)).all() == []


def test_a_client_name_with_an_accented_capital_added_twice_is_refused_with_its_message(owner: Principal) -> None:
    with Session(get_engine()) as session:
        clients.create_client(session, owner, ClientForm(name="Émile Électrique"))
    with Session(get_engine()) as session:
        with pytest.raises(ValidationFailed) as refused:
            clients.create_client(session, owner, ClientForm(name="Émile Électrique"))
        assert refused.value.errors == {"name": "You already have a client with this name."}

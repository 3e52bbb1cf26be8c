"""Choices for forms: the business's clients, tax rates and team members."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session, col, select

from myapprentice_app.domain.roles import Permission
from myapprentice_app.models import Client, Membership, TaxRate, User
from myapprentice_app.models.invoice_views import Option
from myapprentice_app.services.principal import Principal


def client_options(session: Session, actor: Principal) -> list[Option]:
    actor.require(Permission.MANAGE_CLIENTS)
    rows = session.exec(
        select(Client.id, Client.name).where(Client.business_id == actor.business_id).order_by(Client.name)
    )
    return [Option(value=str(client_id), label=name) for client_id, name in rows]


def tax_rate_choices(session: Session, actor: Principal) -> list[tuple[int, str, Decimal, bool]]:
    actor.require(Permission.MANAGE_CLIENTS)
    rates = session.exec(select(TaxRate).where(TaxRate.business_id == actor.business_id).order_by(col(TaxRate.id)))
    return [(rate.id or 0, rate.name, rate.rate, rate.is_default) for rate in rates]


def team_options(session: Session, actor: Principal) -> list[Option]:
    actor.require(Permission.MANAGE_CLIENTS)
    rows = session.exec(
        select(User.id, User.name)
        .join(Membership, col(Membership.user_id) == User.id)
        .where(Membership.business_id == actor.business_id)
        .order_by(User.name)
    )
    return [Option(value=str(user_id), label=name) for user_id, name in rows]

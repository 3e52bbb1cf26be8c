"""Clients: who invoices are addressed to (and the Xero contact they become)."""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlmodel import Session, func, select

from myapprentice_app.db import locked
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models import Business, Client
from myapprentice_app.services import audit
from myapprentice_app.services.auth import EMAIL_PATTERN
from myapprentice_app.services.errors import NotFound, ValidationFailed
from myapprentice_app.services.principal import Principal

LIMITS = {
    "name": 200,
    "email": 320,
    "phone": 40,
    "address_line1": 200,
    "address_line2": 200,
    "city": 100,
    "region": 100,
    "postcode": 20,
    "country": 100,
}


@dataclass
class ClientForm:
    name: str = ""
    email: str = ""
    phone: str = ""
    address_line1: str = ""
    address_line2: str = ""
    city: str = ""
    region: str = ""
    postcode: str = ""
    country: str = ""


def client_form(session: Session, actor: Principal, client_id: int) -> ClientForm:
    client = _owned(session, actor, client_id)
    return ClientForm(**{f.name: getattr(client, f.name) or "" for f in fields(ClientForm)})


def create_client(session: Session, actor: Principal, form: ClientForm) -> Client:
    actor.require(Permission.MANAGE_CLIENTS)
    _validate(session, actor.business_id, form, client_id=None)
    client = Client(business_id=actor.business_id, name=form.name.strip())
    _apply(client, form)
    session.add(client)
    session.flush()
    audit.record(session, actor, actor.business_id, "client.created", target=client.name)
    session.commit()
    return client


def update_client(session: Session, actor: Principal, client_id: int, form: ClientForm) -> Client:
    client = _owned(session, actor, client_id)
    _validate(session, actor.business_id, form, client_id=client_id)
    _apply(client, form)
    audit.record(session, actor, actor.business_id, "client.edited", target=client.name)
    session.commit()
    return client


def _owned(session: Session, actor: Principal, client_id: int) -> Client:
    actor.require(Permission.MANAGE_CLIENTS)
    client = session.get(Client, client_id)
    if client is None or client.business_id != actor.business_id:
        raise NotFound("That client")
    return client


def _validate(session: Session, business_id: int, form: ClientForm, client_id: int | None) -> None:
    problems = {}
    for name, limit in LIMITS.items():
        if len(getattr(form, name)) > limit:
            problems[name] = f"Keep this under {limit} characters."
    if not form.name.strip():
        problems["name"] = "Enter the client's name."
    elif "name" not in problems and _name_taken(session, business_id, form.name.strip(), client_id):
        problems["name"] = "You already have a client with this name."
    if form.email.strip() and "email" not in problems and not EMAIL_PATTERN.match(form.email.strip()):
        problems["email"] = "Enter an email address like accounts@client.com."
    if problems:
        raise ValidationFailed(problems)


def _name_taken(session: Session, business_id: int, name: str, client_id: int | None) -> bool:
    """Looked for with the business locked until the client is committed: the same client added in another tab
    at the same moment is found (names are also unique per business in the database)."""
    locked(session, Business, business_id)
    query = select(Client.id).where(
        # The database lowers both sides, as its unique index does (SQLite's lower() folds ASCII letters only).
        Client.business_id == business_id, func.lower(Client.name) == func.lower(name)
    )
    if client_id is not None:
        query = query.where(Client.id != client_id)
    return session.exec(query).first() is not None


def _apply(client: Client, form: ClientForm) -> None:
    for name in LIMITS:
        value = getattr(form, name).strip()
        setattr(client, name, value or (None if name != "name" else value))

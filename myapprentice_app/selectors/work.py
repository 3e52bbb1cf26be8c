"""Clients, jobs and quotes as each role may see them."""

from __future__ import annotations

from sqlmodel import Session, col, select

from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.models import Client, Job, Quote, User
from myapprentice_app.models.views import ClientRow, JobRow, QuoteRow
from myapprentice_app.services.principal import Principal


def list_jobs(session: Session, actor: Principal) -> list[JobRow]:
    actor.require(Permission.VIEW_OWN_JOBS)
    query = (
        select(Job, Client.name, User.name)
        .join(Client, col(Client.id) == Job.client_id)
        .outerjoin(User, col(User.id) == Job.assigned_user_id)
        .where(Job.business_id == actor.business_id)
        .order_by(col(Job.id).desc())
    )
    if not can(actor.role, Permission.VIEW_ALL_JOBS):
        query = query.where(Job.assigned_user_id == actor.user_id)
    return [JobRow(id=job.id or 0, title=job.title, client_name=client, status=job.status.replace("_", " "),
                   assigned_to=assignee or "Unassigned") for job, client, assignee in session.exec(query)]


def list_clients(session: Session, actor: Principal) -> list[ClientRow]:
    actor.require(Permission.MANAGE_CLIENTS)
    clients = session.exec(select(Client).where(Client.business_id == actor.business_id).order_by(Client.name))
    return [ClientRow(id=c.id or 0, name=c.name, email=c.email or "", phone=c.phone or "", city=c.city or "")
            for c in clients]


def list_quotes(session: Session, actor: Principal) -> list[QuoteRow]:
    actor.require(Permission.EDIT_INVOICES)
    rows = session.exec(
        select(Quote, Client.name).join(Client, col(Client.id) == Quote.client_id)
        .where(Quote.business_id == actor.business_id).order_by(col(Quote.id).desc())
    )
    return [QuoteRow(id=q.id or 0, number=q.number, title=q.title, client_name=name, status=q.status)
            for q, name in rows]

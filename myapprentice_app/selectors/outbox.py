"""The in-app outbox: every email the business sent, newest first."""

from __future__ import annotations

from sqlmodel import Session, col, select

from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.models import EmailMessage, Invoice
from myapprentice_app.models.invoice_views import OutboxRow
from myapprentice_app.services.principal import Principal

TRANSPORT_LABELS = {"outbox": "Outbox", "smtp": "Emailed"}


def outbox(session: Session, actor: Principal, limit: int = 100) -> list[OutboxRow]:
    actor.require(Permission.VIEW_INVOICES)
    query = (
        select(EmailMessage, Invoice.number)
        .outerjoin(Invoice, col(Invoice.id) == EmailMessage.invoice_id)
        .where(EmailMessage.business_id == actor.business_id)
        .order_by(col(EmailMessage.id).desc())
        .limit(limit)
    )
    if not can(actor.role, Permission.BUSINESS_SETTINGS):
        # team invitations carry sign-up links: only those who manage the team may read them
        query = query.where(col(EmailMessage.invoice_id).is_not(None))
    rows = session.exec(query)
    return [
        OutboxRow(
            when=f"{message.created_at:%d %b %Y %H:%M} UTC",
            to_address=message.to_address,
            subject=message.subject,
            body=message.body,
            transport=TRANSPORT_LABELS.get(message.transport, message.transport),
            invoice_number=number or "",
        )
        for message, number in rows
    ]

"""The in-app outbox: every email the business sent, newest first."""

from __future__ import annotations

import re

from sqlmodel import Session, col, select

from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.models import EmailMessage, Invoice
from myapprentice_app.models.invoice_views import OutboxRow
from myapprentice_app.services.principal import Principal

TRANSPORT_LABELS = {"outbox": "Outbox", "smtp": "Emailed"}
INVITATION_LINK = re.compile(r"\S+/invite/\S+")
SENDER_ONLY = "[the invitation link is shown only to whoever sent it]"


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
            body=_readable_body(message, actor),
            transport=TRANSPORT_LABELS.get(message.transport, message.transport),
            invoice_number=number or "",
        )
        for message, number in rows
    ]


def _readable_body(message: EmailMessage, actor: Principal) -> str:
    """An invitation's link lets whoever holds it join with the invitation's role, which may be above the
    reader's own (an Owner's invitation read by an Admin): only its sender sees it."""
    if message.invoice_id is None and message.sent_by_user_id != actor.user_id:
        return INVITATION_LINK.sub(SENDER_ONLY, message.body)
    return message.body

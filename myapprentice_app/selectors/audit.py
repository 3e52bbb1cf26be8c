from __future__ import annotations

from sqlmodel import Session, col, select

from myapprentice_app.domain.roles import Permission
from myapprentice_app.models import AuditEvent, User
from myapprentice_app.models.views import AuditRow
from myapprentice_app.services.principal import Principal


def describe(action: str) -> str:
    """'invoice.payment_recorded' -> 'Invoice payment recorded': readable without a lookup table to maintain."""
    return action.replace(".", " ").replace("_", " ").capitalize()


def recent_events(session: Session, actor: Principal, limit: int = 200) -> list[AuditRow]:
    actor.require(Permission.VIEW_AUDIT)
    rows = session.exec(
        select(AuditEvent, User.name).outerjoin(User, col(User.id) == AuditEvent.actor_user_id)
        .where(AuditEvent.business_id == actor.business_id)
        .order_by(col(AuditEvent.id).desc()).limit(limit)
    )
    return [AuditRow(when=event.created_at.strftime("%d %b %Y %H:%M UTC"), who=name or "System",
                     action=describe(event.action), target=event.target or "", detail=event.detail or "")
            for event, name in rows]

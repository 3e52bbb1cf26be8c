from __future__ import annotations

from sqlmodel import Session

from myapprentice_app.models import AuditEvent
from myapprentice_app.services.principal import Principal

TARGET_LENGTH = AuditEvent.__table__.c.target.type.length  # type: ignore[attr-defined]


def record(session: Session, actor: Principal | None, business_id: int, action: str,
           target: str | None = None, detail: str | None = None) -> None:
    """Add an audit row to the caller's transaction. The target (a client's name, an email address) is cut to
    its column's length: PostgreSQL refuses a longer one, and the change it records must not fail for it."""
    if target is not None and len(target) > TARGET_LENGTH:
        target = target[:TARGET_LENGTH - 1] + "…"
    session.add(AuditEvent(business_id=business_id, actor_user_id=actor.user_id if actor else None,
                           action=action, target=target, detail=detail))

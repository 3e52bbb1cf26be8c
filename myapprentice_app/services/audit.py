from __future__ import annotations

from sqlmodel import Session

from myapprentice_app.models import AuditEvent
from myapprentice_app.services.principal import Principal


def record(session: Session, actor: Principal | None, business_id: int, action: str,
           target: str | None = None, detail: str | None = None) -> None:
    """Add an audit row to the caller's transaction."""
    session.add(AuditEvent(business_id=business_id, actor_user_id=actor.user_id if actor else None,
                           action=action, target=target, detail=detail))

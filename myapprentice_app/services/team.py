"""Business Settings → Team: invite people, change their role, remove them. Every change is audited."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, col, select

from myapprentice_app.config import get_settings
from myapprentice_app.db import utcnow
from myapprentice_app.domain.roles import Permission, Role
from myapprentice_app.models import AuthSession, Business, Invitation, Membership, User
from myapprentice_app.security import hash_password, new_token, token_digest
from myapprentice_app.services import audit, email
from myapprentice_app.services.auth import EMAIL_PATTERN, normalise_email
from myapprentice_app.services.errors import ActionRefused, NotFound, ValidationFailed
from myapprentice_app.services.principal import Principal

INVITE_DAYS = 7
ASSIGNABLE = (Role.ADMIN, Role.FINANCE, Role.SUPERVISOR, Role.TRADIE)  # Owner only by an Owner, below


def assignable_roles(actor: Principal) -> list[Role]:
    return [Role.OWNER, *ASSIGNABLE] if actor.role in (Role.OWNER, Role.SOLE_TRADER) else list(ASSIGNABLE)


def invite(session: Session, actor: Principal, *, email_address: str, name: str, role: str) -> User:
    actor.require(Permission.BUSINESS_SETTINGS)
    address = normalise_email(email_address)
    problems = {}
    if not EMAIL_PATTERN.match(address) or len(address) > 320:
        problems["invite_email"] = "Enter an email address like name@example.com."
    if not name.strip() or len(name) > 200:
        problems["invite_name"] = "Enter their name (up to 200 characters)."
    if role not in {r.value for r in assignable_roles(actor)}:
        problems["invite_role"] = "Choose one of the roles listed."
    user = session.exec(select(User).where(User.email == address)).first()
    if user is not None and _membership(session, actor.business_id, user.id or 0) is not None:
        problems["invite_email"] = f"{address} is already on your team."
    if problems:
        raise ValidationFailed(problems)
    if user is None:
        user = User(email=address, name=name.strip(), password_hash=hash_password(new_token()))
        session.add(user)
        session.flush()
    session.add(Membership(user_id=user.id or 0, business_id=actor.business_id, role=role))  # type: ignore[arg-type]
    token = new_token()
    session.add(
        Invitation(
            business_id=actor.business_id,
            user_id=user.id or 0,
            token_hash=token_digest(token),  # type: ignore[arg-type]
            invited_by_user_id=actor.user_id,
            expires_at=utcnow() + dt.timedelta(days=INVITE_DAYS),
        )
    )
    business = session.get(Business, actor.business_id)
    link = f"{get_settings().app_url.rstrip('/')}/invite/{token}"
    email.send(
        session,
        actor,
        actor.business_id,
        email.Outgoing(
            to_address=address,
            subject=f"{actor.name} invited you to {actor.business_name} on MyApprentice",
            body=(
                f"Hi {name.strip()},\n\n{actor.name} has added you to {actor.business_name} as "
                f"{Role(role).label}.\n\n"
                f"Set your password and sign in here (the link works for {INVITE_DAYS} days):\n"
                f"{link}\n"
            ),
            from_name=business.name if business else "MyApprentice",
        ),
    )
    audit.record(session, actor, actor.business_id, "team.invited", target=address, detail=Role(role).label)
    session.commit()
    return user


def change_role(session: Session, actor: Principal, user_id: int, role: str) -> None:
    actor.require(Permission.BUSINESS_SETTINGS)
    membership = _changeable(session, actor, user_id)
    if role not in {r.value for r in assignable_roles(actor)}:
        raise ValidationFailed({"role": "Choose one of the roles listed."})
    if membership.role == Role.OWNER and role != Role.OWNER:
        _refuse_if_last_owner(session, actor.business_id)
    before = Role(membership.role).label
    membership.role = role
    audit.record(
        session,
        actor,
        actor.business_id,
        "team.role_changed",
        target=_email_of(session, user_id),
        detail=f"{before} → {Role(role).label}",
    )
    session.commit()


def remove(session: Session, actor: Principal, user_id: int) -> None:
    actor.require(Permission.BUSINESS_SETTINGS)
    membership = _changeable(session, actor, user_id)
    if membership.role == Role.OWNER:
        _refuse_if_last_owner(session, actor.business_id)
    session.delete(membership)
    for auth_session in session.exec(
        select(AuthSession).where(
            AuthSession.user_id == user_id,
            AuthSession.business_id == actor.business_id,
            col(AuthSession.revoked_at).is_(None),
        )
    ):  # type: ignore[union-attr]
        auth_session.revoked_at = utcnow()  # signed out of this business straight away
    audit.record(
        session,
        actor,
        actor.business_id,
        "team.removed",
        target=_email_of(session, user_id),
        detail=Role(membership.role).label,
    )
    session.commit()


def accept_invitation(session: Session, *, token: str, password: str) -> str:
    """The invitee sets their password; returns their email so the sign-in form can be filled in."""
    invitation = session.exec(select(Invitation).where(Invitation.token_hash == token_digest(token))).first()
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= utcnow():
        raise ActionRefused("This invitation link has expired or was already used. Ask for a new invitation.")
    if len(password) < 10:
        raise ValidationFailed({"password": "Use at least 10 characters."})
    user = session.get(User, invitation.user_id)
    assert user is not None
    user.password_hash = hash_password(password)
    invitation.accepted_at = utcnow()
    audit.record(session, None, invitation.business_id, "team.invitation_accepted", target=user.email)
    session.commit()
    return user.email


def _changeable(session: Session, actor: Principal, user_id: int) -> Membership:
    if user_id == actor.user_id:
        raise ActionRefused("You can't change or remove your own membership. Ask another Owner or Admin.")
    membership = _membership(session, actor.business_id, user_id)
    if membership is None:
        raise NotFound("That team member")
    if membership.role == Role.OWNER and actor.role != Role.OWNER:
        raise ActionRefused("Only a Business Owner can change or remove another Business Owner.")
    return membership


def _refuse_if_last_owner(session: Session, business_id: int) -> None:
    owners = session.exec(
        select(Membership.id).where(
            Membership.business_id == business_id, Membership.role == Role.OWNER.value
        )
    ).all()
    if len(owners) <= 1:
        raise ActionRefused("A business needs at least one Business Owner.")


def _membership(session: Session, business_id: int, user_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.business_id == business_id, Membership.user_id == user_id)
    ).first()


def _email_of(session: Session, user_id: int) -> str:
    user = session.get(User, user_id)
    return user.email if user else f"user #{user_id}"

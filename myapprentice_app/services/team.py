"""Business Settings → Team: invite people, change their role, remove them. Every change is audited."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, replace

from sqlmodel import Session, col, select

from myapprentice_app.config import get_settings
from myapprentice_app.db import locked, utcnow
from myapprentice_app.domain.roles import Permission, Role, can
from myapprentice_app.models import AuthSession, Business, Invitation, Membership, User
from myapprentice_app.security import new_token, token_digest
from myapprentice_app.services import audit, auth, email
from myapprentice_app.services.auth import EMAIL_LENGTH, EMAIL_PATTERN, normalise_email
from myapprentice_app.services.errors import ActionRefused, NotFound, ValidationFailed
from myapprentice_app.services.principal import Principal

INVITE_DAYS = 7
INVITATION_GONE = "This invitation link has expired or was already used. Ask for a new invitation."
ASSIGNABLE = (Role.ADMIN, Role.FINANCE, Role.SUPERVISOR, Role.TRADIE)  # Owner only by an Owner, below
OWNER_LEVEL = (Role.OWNER, Role.SOLE_TRADER)  # who owns the business: only they change or remove each other


class InvitationStep(enum.StrEnum):
    GONE = "gone"  # expired, used or never issued
    NEW_ACCOUNT = "new_account"  # no account for the email yet: choose a password
    SIGN_IN = "sign_in"  # the email has an account: sign in as it to accept
    WRONG_ACCOUNT = "wrong_account"  # signed in as somebody else
    JOIN = "join"  # signed in as the invitee: one click joins


@dataclass(frozen=True)
class InvitationView:
    step: InvitationStep = InvitationStep.GONE
    business_name: str = ""
    email: str = ""
    role_label: str = ""
    signed_in_email: str = ""


@dataclass(frozen=True)
class PendingInvitation:
    id: int
    name: str
    email: str
    role_label: str
    expires: str


def assignable_roles(actor: Principal) -> list[Role]:
    return [Role.OWNER, *ASSIGNABLE] if actor.role in OWNER_LEVEL else list(ASSIGNABLE)


def invite(session: Session, actor: Principal, *, email_address: str, name: str, role: str) -> Invitation:
    """Email a one-time link. Nothing changes for the invitee, or for any existing account, until it is accepted."""
    actor.require(Permission.BUSINESS_SETTINGS)
    address = normalise_email(email_address)
    problems = {}
    if not EMAIL_PATTERN.match(address) or len(address) > EMAIL_LENGTH:
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
    now = utcnow()
    for earlier in session.exec(_pending(actor.business_id, now).where(Invitation.email == address)):
        earlier.expires_at = now  # the newest link replaces any earlier one
    token = new_token()
    invitation = Invitation(business_id=actor.business_id, email=address, name=name.strip(), role=role,
                            token_hash=token_digest(token), invited_by_user_id=actor.user_id,
                            expires_at=now + dt.timedelta(days=INVITE_DAYS))
    session.add(invitation)
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
                f"Hi {name.strip()},\n\n{actor.name} has invited you to {actor.business_name} as "
                f"{Role(role).label}.\n\n"
                f"Open this link to join (it works for {INVITE_DAYS} days):\n{link}\n"
            ),
            from_name=business.name if business else "MyApprentice",
            secret=link,
        ),
    )
    audit.record(session, actor, actor.business_id, "team.invited", target=address, detail=Role(role).label)
    session.commit()
    return invitation


def pending_invitations(session: Session, actor: Principal) -> list[PendingInvitation]:
    actor.require(Permission.BUSINESS_SETTINGS)
    return [PendingInvitation(id=invitation.id or 0, name=invitation.name, email=invitation.email,
                              role_label=Role(invitation.role).label, expires=f"{invitation.expires_at:%d %b %Y}")
            for invitation in session.exec(_pending(actor.business_id, utcnow())
                                           .order_by(col(Invitation.created_at)))]


def cancel_invitation(session: Session, actor: Principal, invitation_id: int) -> str:
    """Its link stops working at once. Returns the address it was sent to."""
    actor.require(Permission.BUSINESS_SETTINGS)
    invitation = session.exec(_pending(actor.business_id, utcnow()).where(Invitation.id == invitation_id)).first()
    if invitation is None:
        raise NotFound("That invitation")
    if Role(invitation.role) in OWNER_LEVEL and actor.role not in OWNER_LEVEL:
        raise ActionRefused("Only a Business Owner can cancel an invitation to join as a Business Owner.")
    invitation.expires_at = utcnow()
    audit.record(session, actor, actor.business_id, "team.invitation_cancelled", target=invitation.email,
                 detail=Role(invitation.role).label)
    session.commit()
    return invitation.email


def change_role(session: Session, actor: Principal, user_id: int, role: str) -> None:
    actor.require(Permission.BUSINESS_SETTINGS)
    membership = _changeable(session, actor, user_id)
    if role not in {r.value for r in assignable_roles(actor)}:
        raise ValidationFailed({"role": "Choose one of the roles listed."})
    if membership.role in OWNER_LEVEL and role not in OWNER_LEVEL:
        _refuse_if_last_owner(session, actor.business_id)
    before = Role(membership.role).label
    membership.role = role
    if not can(Role(role), Permission.BUSINESS_SETTINGS):
        _expire_invitations_from(session, actor.business_id, user_id)
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
    if membership.role in OWNER_LEVEL:
        _refuse_if_last_owner(session, actor.business_id)
    session.delete(membership)
    _expire_invitations_from(session, actor.business_id, user_id)
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


def invitation_view(session: Session, invite_token: str, session_token: str | None) -> InvitationView:
    """What the invitation page offers whoever opened the link."""
    invitation = _open_invitation(session, invite_token)
    if invitation is None:
        return InvitationView(step=InvitationStep.GONE)
    business = session.get(Business, invitation.business_id)
    view = InvitationView(step=InvitationStep.NEW_ACCOUNT, business_name=business.name if business else "",
                          email=invitation.email, role_label=Role(invitation.role).label)
    if session.exec(select(User.id).where(User.email == invitation.email)).first() is None:
        return view
    signed_in_as = _signed_in_user(session, session_token)
    if signed_in_as is None:
        return replace(view, step=InvitationStep.SIGN_IN)
    if signed_in_as.email != invitation.email:
        return replace(view, step=InvitationStep.WRONG_ACCOUNT, signed_in_email=signed_in_as.email)
    return replace(view, step=InvitationStep.JOIN)


def accept_with_new_account(session: Session, *, invite_token: str, password: str) -> str:
    """A person new to MyApprentice chooses a password; returns a session token for them.

    Only for an email with no account: an existing account's credentials are never set through a link.
    """
    invitation = _open_invitation(session, invite_token)
    if invitation is None:
        raise ActionRefused(INVITATION_GONE)
    if session.exec(select(User.id).where(User.email == invitation.email)).first() is not None:
        raise ActionRefused(f"{invitation.email} already has a MyApprentice account. Sign in to accept.")
    if _open_invitation(session, invite_token, to_accept=True) is None:  # accepted a moment ago (sent twice)
        raise ActionRefused(INVITATION_GONE)
    user = auth.create_user(session, email=invitation.email, name=invitation.name or invitation.email,
                            password=password)
    _join(session, invitation, user)
    return auth.log_in(session, email=user.email, password=password).token


def accept_as_signed_in(session: Session, *, invite_token: str, session_token: str | None) -> Principal:
    """An existing account, signed in as itself (password and second factor), joins and switches to the business."""
    invitation = _open_invitation(session, invite_token, to_accept=True)
    if invitation is None:
        raise ActionRefused(INVITATION_GONE)
    user = _signed_in_user(session, session_token)
    if user is None or user.email != invitation.email:
        raise ActionRefused(f"This invitation is for {invitation.email}. Sign in as {invitation.email} to accept.")
    _join(session, invitation, user)
    return auth.choose_business(session, session_token, invitation.business_id)


def _join(session: Session, invitation: Invitation, user: User) -> None:
    if _membership(session, invitation.business_id, user.id or 0) is None:
        session.add(Membership(user_id=user.id or 0, business_id=invitation.business_id, role=invitation.role))
    invitation.accepted_at = utcnow()
    invitation.user_id = user.id
    audit.record(session, None, invitation.business_id, "team.invitation_accepted", target=user.email,
                 detail=Role(invitation.role).label)
    session.commit()


def _open_invitation(session: Session, invite_token: str, to_accept: bool = False) -> Invitation | None:
    """The invitation behind a link, while it is unused, unexpired and its sender still manages the team: a
    member removed or demoted since can't let anyone in (or back in) with the links they sent. `to_accept`:
    locked until commit, so a form sent twice (a double click) is accepted once and then finds it used."""
    invitation = session.exec(select(Invitation).where(Invitation.token_hash == token_digest(invite_token))).first()
    if invitation is not None and to_accept:
        invitation = locked(session, Invitation, invitation.id)
    if invitation is None or invitation.accepted_at is not None or invitation.expires_at <= utcnow():
        return None
    sender = _membership(session, invitation.business_id, invitation.invited_by_user_id or 0)
    if sender is None or not can(Role(sender.role), Permission.BUSINESS_SETTINGS):
        return None
    return invitation


def _expire_invitations_from(session: Session, business_id: int, user_id: int) -> None:
    """A member who no longer manages the team: the links they sent stop working (and leave the pending list)."""
    now = utcnow()
    for invitation in session.exec(_pending(business_id, now).where(Invitation.invited_by_user_id == user_id)):
        invitation.expires_at = now


def _signed_in_user(session: Session, session_token: str | None) -> User | None:
    """The account behind a session that has passed its second factor (a business need not be picked yet)."""
    if auth.stage(session, session_token) not in (auth.Stage.NEEDS_BUSINESS, auth.Stage.SIGNED_IN):
        return None
    auth_session = auth.live_session(session, session_token or "", utcnow())[0]
    return session.get(User, auth_session.user_id)


def _pending(business_id: int, now: dt.datetime):  # type: ignore[no-untyped-def]
    """A query for the business's invitations not yet accepted and not expired."""
    return select(Invitation).where(
        Invitation.business_id == business_id,
        col(Invitation.accepted_at).is_(None),
        Invitation.expires_at > now,
    )


def _changeable(session: Session, actor: Principal, user_id: int) -> Membership:
    if user_id == actor.user_id:
        raise ActionRefused("You can't change or remove your own membership. Ask another Owner or Admin.")
    # Team changes of a business take turns: two Owners demoting each other at the same moment would otherwise
    # each count two Owners, and leave none.
    locked(session, Business, actor.business_id)
    membership = _membership(session, actor.business_id, user_id)
    if membership is None:
        raise NotFound("That team member")
    if membership.role in OWNER_LEVEL and actor.role not in OWNER_LEVEL:
        raise ActionRefused(f"Only a Business Owner can change or remove a {Role(membership.role).label}.")
    return membership


def _refuse_if_last_owner(session: Session, business_id: int) -> None:
    owners = session.exec(
        select(Membership.id).where(
            Membership.business_id == business_id, col(Membership.role).in_([role.value for role in OWNER_LEVEL])
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

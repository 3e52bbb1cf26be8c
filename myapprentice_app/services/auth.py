"""Sign-in, sessions and their stages (password, second factor, business picked), and password throttling."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from myapprentice_app.config import get_settings
from myapprentice_app.db import locked, utcnow
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import AuthSession, Business, LoginThrottle, Membership, User
from myapprentice_app.security import hash_password, needs_rehash, new_token, token_digest, verify_password
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.services.principal import Principal

# The opaque session token: an HttpOnly cookie set and cleared only by the sign-in routes (api/session.py).
SESSION_COOKIE = "ma_session"
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
EMAIL_LENGTH = User.__table__.c.email.type.length  # type: ignore[attr-defined]  # the longest address there is
WRONG_CREDENTIALS = "That email and password don't match an account."
# What each refusal says, by the short code the sign-in routes carry back to the page (never the text itself,
# so a crafted link can't make our page say anything else).
REFUSALS = {
    "credentials": WRONG_CREDENTIALS,
    "locked": "Too many failed attempts. Try again after {until} UTC.",
    "code": "That code isn't valid. Check your authenticator app and try again.",
    "code_locked": "Too many wrong codes. Two-step sign-in is locked until {until} UTC.",
    "expired": "Your session has expired. Sign in again.",
    "step_up_expired": "Enter a code from your authenticator app again: the last one was checked too long ago.",
    "not_member": "You're not a member of that business.",
}
UNTIL_PATTERN = re.compile(r"^\d{2}:\d{2}$")


def refusal_text(code: str, until: str = "") -> str:
    if code not in REFUSALS or (until and not UNTIL_PATTERN.match(until)):
        return ""
    return REFUSALS[code].format(until=until)


class LoginRefused(Exception):
    """Safe to show as is: never says whether the email exists."""

    def __init__(self, code: str, until: dt.datetime | None = None) -> None:
        self.code = code
        self.until = until
        self.until_text = f"{until:%H:%M}" if until else ""
        super().__init__(refusal_text(code, self.until_text))


class AccountLocked(LoginRefused):
    def __init__(self, until: dt.datetime) -> None:
        super().__init__("locked", until)


class InvalidCode(LoginRefused):
    def __init__(self) -> None:
        super().__init__("code")


class Stage(enum.StrEnum):
    """Where a session stands on its way into the app."""

    SIGNED_OUT = "signed_out"
    NEEDS_CODE = "needs_code"  # password checked, second factor not yet
    NEEDS_BUSINESS = "needs_business"  # a member of several businesses, none picked yet
    SIGNED_IN = "signed_in"


@dataclass(frozen=True)
class LoginOutcome:
    token: str
    needs_mfa: bool


@dataclass(frozen=True)
class BusinessChoice:
    business_id: int
    name: str
    role_label: str


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_user(session: Session, *, email: str, name: str, password: str) -> User:
    problems = {}
    if not EMAIL_PATTERN.match(normalise_email(email)):
        problems["email"] = "Enter an email address like name@example.com."
    if len(password) < 10:
        problems["password"] = "Use at least 10 characters."
    if not name.strip():
        problems["name"] = "Enter a name."
    if problems:
        raise ValidationFailed(problems)
    user = User(email=normalise_email(email), name=name.strip(), password_hash=hash_password(password))
    session.add(user)
    session.flush()
    return user


def log_in(session: Session, *, email: str, password: str, now: dt.datetime | None = None) -> LoginOutcome:
    now = now or utcnow()
    email = normalise_email(email)
    if len(email) > EMAIL_LENGTH or not email.isprintable():
        raise LoginRefused("credentials")  # no account has it: nothing to count (nor a row to store per attempt)
    throttle = _count_guess(session, email, now)
    user = session.exec(select(User).where(User.email == email)).first()
    memberships = _memberships(session, user.id) if user and user.id else []
    if not verify_password(user.password_hash if user else None, password) or user is None or not memberships:
        _refuse_if_locked(throttle, now)  # this guess was the last one allowed
        raise LoginRefused("credentials")
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    locked(session, LoginThrottle, email)
    throttle.failures = 0  # password guesses only: second-factor failures are counted on the account
    throttle.locked_until = None
    token = new_token()
    session.add(AuthSession(
        token_hash=token_digest(token),
        user_id=user.id,  # type: ignore[arg-type]
        business_id=memberships[0].business_id if len(memberships) == 1 else None,
        expires_at=now + dt.timedelta(hours=get_settings().session_hours),
    ))
    session.commit()
    return LoginOutcome(token=token, needs_mfa=user.totp_enabled)


def stage(session: Session, token: str | None, now: dt.datetime | None = None) -> Stage:
    auth = _session_row(session, token, now or utcnow())
    if auth is None:
        return Stage.SIGNED_OUT
    user = session.get(User, auth.user_id)
    if user is None:
        return Stage.SIGNED_OUT
    if user.totp_enabled and auth.mfa_verified_at is None:
        return Stage.NEEDS_CODE
    if auth.business_id is None or _membership_of(session, auth.user_id, auth.business_id) is None:
        return Stage.NEEDS_BUSINESS
    return Stage.SIGNED_IN


def businesses_for(session: Session, token: str | None) -> list[BusinessChoice]:
    """The businesses a signed-in person (second factor done) can work in, for the picker."""
    if stage(session, token) not in (Stage.NEEDS_BUSINESS, Stage.SIGNED_IN):
        return []
    auth = _session_row(session, token, utcnow())
    assert auth is not None
    rows = session.exec(
        select(Membership, Business).where(Membership.user_id == auth.user_id, Business.id == Membership.business_id)
        .order_by(Business.name)
    )
    return [BusinessChoice(business_id=business.id or 0, name=business.name, role_label=Role(membership.role).label)
            for membership, business in rows]


def choose_business(session: Session, token: str | None, business_id: int) -> Principal:
    """Work in one of your businesses (after sign-in, or to switch). Refused for a business you're not in."""
    if stage(session, token) not in (Stage.NEEDS_BUSINESS, Stage.SIGNED_IN):
        raise LoginRefused("expired")
    auth = _session_row(session, token, utcnow())
    assert auth is not None
    if _membership_of(session, auth.user_id, business_id) is None:
        raise LoginRefused("not_member")
    auth.business_id = business_id
    session.commit()
    principal = resolve(session, token)
    assert principal is not None
    return principal


def resolve(session: Session, token: str | None, now: dt.datetime | None = None) -> Principal | None:
    if not token:
        return None
    return resolve_digest(session, token_digest(token), now)


def resolve_digest(session: Session, digest: str, now: dt.datetime | None = None) -> Principal | None:
    """resolve, from the token's SHA-256: what a tab may keep in shared state instead of the token."""
    now = now or utcnow()
    row = session.exec(
        select(AuthSession, User, Membership, Business)
        .where(AuthSession.token_hash == digest)
        .where(User.id == AuthSession.user_id)
        .where(Membership.user_id == AuthSession.user_id, Membership.business_id == AuthSession.business_id)
        .where(Business.id == AuthSession.business_id)
    ).first()
    if row is None:
        return None
    auth, user, membership, business = row
    if auth.revoked_at is not None or auth.expires_at <= now:
        return None
    if user.totp_enabled and auth.mfa_verified_at is None:
        return None
    step_up_window = dt.timedelta(minutes=get_settings().step_up_minutes)
    return Principal(
        user_id=user.id,  # type: ignore[arg-type]
        business_id=business.id,  # type: ignore[arg-type]
        role=Role(membership.role),
        name=user.name,
        email=user.email,
        business_name=business.name,
        mfa_enabled=user.totp_enabled,
        recent_mfa=auth.mfa_verified_at is not None and now - auth.mfa_verified_at <= step_up_window,
        several_businesses=len(_memberships(session, user.id or 0)) > 1,
        session_ends_at=auth.expires_at.timestamp(),
    )


def renew(session: Session, token: str) -> str:
    """A fresh token for a session that just gained a privilege (its second factor): a token planted or seen
    before that moment opens nothing."""
    auth = _session_row(session, token, utcnow())
    if auth is None:
        raise LoginRefused("expired")
    fresh = new_token()
    auth.revoked_at = utcnow()
    session.add(AuthSession(token_hash=token_digest(fresh), user_id=auth.user_id, business_id=auth.business_id,
                            expires_at=auth.expires_at, mfa_verified_at=auth.mfa_verified_at))
    session.commit()
    return fresh


def log_out(session: Session, token: str | None) -> None:
    if not token:
        return
    auth = session.exec(select(AuthSession).where(AuthSession.token_hash == token_digest(token))).first()
    if auth and auth.revoked_at is None:
        auth.revoked_at = utcnow()
        session.commit()


def _session_row(session: Session, token: str | None, now: dt.datetime) -> AuthSession | None:
    if not token:
        return None
    auth = session.exec(select(AuthSession).where(AuthSession.token_hash == token_digest(token))).first()
    if auth is None or auth.revoked_at is not None or auth.expires_at <= now:
        return None
    return auth


def live_session(session: Session, token: str, now: dt.datetime) -> tuple[AuthSession, User]:
    auth = _session_row(session, token, now)
    if auth is None:
        raise LoginRefused("expired")
    user = session.get(User, auth.user_id)
    assert user is not None
    return auth, user


def _memberships(session: Session, user_id: int) -> list[Membership]:
    return list(session.exec(select(Membership).where(Membership.user_id == user_id).order_by(col(Membership.id))))


def _membership_of(session: Session, user_id: int, business_id: int) -> Membership | None:
    return session.exec(
        select(Membership).where(Membership.user_id == user_id, Membership.business_id == business_id)
    ).first()


def _throttle_for(session: Session, email: str) -> LoginThrottle:
    throttle = session.get(LoginThrottle, email)
    if throttle is None:
        session.add(LoginThrottle(email=email))
        try:
            session.flush()
        except IntegrityError:
            session.rollback()  # a sign-in for the same address at the same moment made the row first
        throttle = session.get(LoginThrottle, email)
    assert throttle is not None
    return throttle


def _refuse_if_locked(throttle: LoginThrottle, now: dt.datetime) -> None:
    if throttle.locked_until and throttle.locked_until > now:
        raise AccountLocked(throttle.locked_until)


def _count_guess(session: Session, email: str, now: dt.datetime) -> LoginThrottle:
    """Counts the guess as a failure before the password is checked (a right one clears the count), in a short
    transaction of its own with the row locked: guesses sent at the same moment are each counted, and once the
    limit is reached none is checked, however many arrive together."""
    _throttle_for(session, email)
    session.commit()
    throttle = locked(session, LoginThrottle, email)
    assert throttle is not None
    _refuse_if_locked(throttle, now)
    settings = get_settings()
    throttle.failures += 1
    throttle.last_failure_at = now
    if throttle.failures >= settings.login_max_failures:
        throttle.locked_until = now + dt.timedelta(minutes=settings.login_lockout_minutes)
        throttle.failures = 0
    session.commit()
    return throttle

"""Sign-in, sessions, throttling, TOTP enrolment, recovery codes and the MFA step-up."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from dataclasses import dataclass

import pyotp
import segno
from sqlmodel import Session, col, select

from myapprentice_app.config import get_settings
from myapprentice_app.db import utcnow
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import AuthSession, Business, LoginThrottle, Membership, RecoveryCode, User
from myapprentice_app.security import (
    decrypt,
    encrypt,
    hash_password,
    new_token,
    token_digest,
    verify_password,
)
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.services.principal import Principal

TOTP_PURPOSE = "totp-secret"
SESSION_COOKIE = "ma_session"  # holds the opaque session token; read by Reflex state and by HTTP routes
WRONG_CREDENTIALS = "That email and password don't match an account."
EMAIL_PATTERN = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


class LoginRefused(Exception):
    """Safe to show as is: never says whether the email exists."""


class AccountLocked(LoginRefused):
    def __init__(self, until: dt.datetime) -> None:
        self.until = until
        super().__init__(f"Too many failed attempts. Try again after {until:%H:%M} UTC.")


class InvalidCode(LoginRefused):
    def __init__(self) -> None:
        super().__init__("That code isn't valid. Check your authenticator app and try again.")


@dataclass(frozen=True)
class LoginOutcome:
    token: str
    needs_mfa: bool


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    otpauth_uri: str
    qr_svg_data_uri: str


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
    throttle = _throttle_for(session, email)
    _refuse_if_locked(throttle, now)
    user = session.exec(select(User).where(User.email == email)).first()
    membership = _first_membership(session, user.id) if user and user.id else None
    if not verify_password(user.password_hash if user else None, password) or user is None or membership is None:
        _count_failure(session, throttle, now)
        _refuse_if_locked(throttle, now)
        raise LoginRefused(WRONG_CREDENTIALS)
    throttle.failures = 0
    throttle.locked_until = None
    token = new_token()
    session.add(AuthSession(
        token_hash=token_digest(token),
        user_id=user.id,  # type: ignore[arg-type]
        business_id=membership.business_id,
        expires_at=now + dt.timedelta(hours=get_settings().session_hours),
    ))
    session.commit()
    return LoginOutcome(token=token, needs_mfa=user.totp_enabled)


def verify_login_code(session: Session, *, token: str, code: str, now: dt.datetime | None = None) -> None:
    """Second factor at sign-in: a TOTP code or an unused recovery code."""
    now = now or utcnow()
    auth, user = _live_session(session, token, now)
    throttle = _throttle_for(session, user.email)
    _refuse_if_locked(throttle, now)
    if not (_accept_totp(user, code, now) or _accept_recovery_code(session, user, code, now)):
        _count_failure(session, throttle, now)
        _refuse_if_locked(throttle, now)
        raise InvalidCode()
    throttle.failures = 0
    auth.mfa_verified_at = now
    session.commit()


def step_up(session: Session, *, token: str, code: str, now: dt.datetime | None = None) -> None:
    """Re-check a TOTP code before a sensitive action (connecting Xero or Stripe)."""
    verify_login_code(session, token=token, code=code, now=now)


def resolve(session: Session, token: str | None, now: dt.datetime | None = None) -> Principal | None:
    if not token:
        return None
    now = now or utcnow()
    row = session.exec(
        select(AuthSession, User, Membership, Business)
        .where(AuthSession.token_hash == token_digest(token))
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
    )


def awaiting_second_factor(session: Session, token: str | None, now: dt.datetime | None = None) -> bool:
    if not token:
        return False
    auth = session.exec(select(AuthSession).where(AuthSession.token_hash == token_digest(token))).first()
    if auth is None or auth.revoked_at or auth.expires_at <= (now or utcnow()):
        return False
    user = session.get(User, auth.user_id)
    return bool(user and user.totp_enabled and auth.mfa_verified_at is None)


def log_out(session: Session, token: str | None) -> None:
    if not token:
        return
    auth = session.exec(select(AuthSession).where(AuthSession.token_hash == token_digest(token))).first()
    if auth and auth.revoked_at is None:
        auth.revoked_at = utcnow()
        session.commit()


def begin_totp_enrolment(session: Session, actor: Principal) -> TotpEnrolment:
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=actor.email, issuer_name="MyApprentice")
    return TotpEnrolment(secret=secret, otpauth_uri=uri, qr_svg_data_uri=segno.make(uri).svg_data_uri(scale=4))


def confirm_totp_enrolment(session: Session, actor: Principal, *, token: str, secret: str, code: str) -> list[str]:
    """Turn MFA on once the user proves their app produces codes; returns one-time recovery codes."""
    if not pyotp.TOTP(secret).verify(code.strip(), valid_window=1):
        raise ValidationFailed({"code": "That code doesn't match. Scan the QR code again and enter the new code."})
    user = session.get(User, actor.user_id)
    assert user is not None
    user.totp_secret_enc = encrypt(secret, TOTP_PURPOSE)
    user.totp_enabled = True
    user.totp_last_step = None
    auth = session.exec(select(AuthSession).where(AuthSession.token_hash == token_digest(token))).one()
    auth.mfa_verified_at = utcnow()
    codes = _replace_recovery_codes(session, actor.user_id)
    session.commit()
    return codes


def regenerate_recovery_codes(session: Session, actor: Principal) -> list[str]:
    codes = _replace_recovery_codes(session, actor.user_id)
    session.commit()
    return codes


def _replace_recovery_codes(session: Session, user_id: int) -> list[str]:
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user_id)):
        session.delete(old)
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(10)]
    for code in codes:
        session.add(RecoveryCode(user_id=user_id, code_hash=token_digest(code)))
    return codes


def _accept_totp(user: User, code: str, now: dt.datetime) -> bool:
    if not user.totp_secret_enc or not code.strip().isdigit():
        return False
    totp = pyotp.TOTP(decrypt(user.totp_secret_enc, TOTP_PURPOSE))
    for offset in (-1, 0, 1):
        step = int(now.timestamp()) // totp.interval + offset
        if secrets.compare_digest(totp.at(step * totp.interval), code.strip()):
            if user.totp_last_step is not None and step <= user.totp_last_step:
                return False  # a replayed code
            user.totp_last_step = step
            return True
    return False


def _accept_recovery_code(session: Session, user: User, code: str, now: dt.datetime) -> bool:
    row = session.exec(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == token_digest(code.strip().lower()),
            RecoveryCode.used_at.is_(None),  # type: ignore[union-attr]
        )
    ).first()
    if row is None:
        return False
    row.used_at = now
    return True


def _live_session(session: Session, token: str, now: dt.datetime) -> tuple[AuthSession, User]:
    auth = session.exec(select(AuthSession).where(AuthSession.token_hash == token_digest(token))).first()
    if auth is None or auth.revoked_at is not None or auth.expires_at <= now:
        raise LoginRefused("Your session has expired. Sign in again.")
    user = session.get(User, auth.user_id)
    assert user is not None
    return auth, user


def _first_membership(session: Session, user_id: int) -> Membership | None:
    return session.exec(select(Membership).where(Membership.user_id == user_id).order_by(col(Membership.id))).first()


def _throttle_for(session: Session, email: str) -> LoginThrottle:
    throttle = session.get(LoginThrottle, email)
    if throttle is None:
        throttle = LoginThrottle(email=email)
        session.add(throttle)
    return throttle


def _refuse_if_locked(throttle: LoginThrottle, now: dt.datetime) -> None:
    if throttle.locked_until and throttle.locked_until > now:
        raise AccountLocked(throttle.locked_until)


def _count_failure(session: Session, throttle: LoginThrottle, now: dt.datetime) -> None:
    settings = get_settings()
    throttle.failures += 1
    throttle.last_failure_at = now
    if throttle.failures >= settings.login_max_failures:
        throttle.locked_until = now + dt.timedelta(minutes=settings.login_lockout_minutes)
        throttle.failures = 0
    session.commit()

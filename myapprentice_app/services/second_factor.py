"""The second factor: TOTP enrolment, recovery codes, codes at sign-in and the step-up before sensitive actions.

Wrong codes are counted per account and across sign-ins (a correct password resets nothing here), so knowing
the password buys a bounded number of guesses, not a few per sign-in forever.
"""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import pyotp
import segno
from sqlmodel import Session, select

from myapprentice_app.config import get_settings
from myapprentice_app.db import locked, utcnow
from myapprentice_app.domain.whole_numbers import whole_number
from myapprentice_app.models import AuthSession, RecoveryCode, User
from myapprentice_app.security import decrypt, encrypt, token_digest
from myapprentice_app.services import auth
from myapprentice_app.services.auth import InvalidCode, LoginRefused, live_session
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.services.principal import Principal

TOTP_PURPOSE = "totp-secret"


class SecondFactorLocked(LoginRefused):
    def __init__(self, until: dt.datetime) -> None:
        super().__init__("code_locked", until)


@dataclass(frozen=True)
class TotpEnrolment:
    secret: str
    otpauth_uri: str
    qr_svg_data_uri: str


def verify_login_code(session: Session, *, token: str, code: str, now: dt.datetime | None = None) -> None:
    """Second factor at sign-in: a TOTP code or an unused recovery code."""
    now = now or utcnow()
    auth, user = live_session(session, token, now)
    # Held until commit: codes sent at the same moment are checked one after another, so each failure counts
    # toward the lock, and a code (or recovery code) is used once.
    locked(session, User, user.id)
    _refuse_if_second_factor_locked(user, now)
    if not (_accept_totp(user, code, now) or _accept_recovery_code(session, user, code, now)):
        _count_second_factor_failure(session, user, now)
        _refuse_if_second_factor_locked(user, now)
        raise InvalidCode()
    user.mfa_failures = 0
    auth.mfa_verified_at = now
    session.commit()


def complete_sign_in(session: Session, *, token: str, code: str) -> str:
    """The second factor at sign-in; returns the session's new token (the pre-code one is revoked)."""
    verify_login_code(session, token=token, code=code)
    return auth.renew(session, token)


def step_up(session: Session, *, token: str, code: str, now: dt.datetime | None = None) -> None:
    """Re-check a second-factor code before a sensitive action (connecting Xero, changing the second factor)."""
    verify_login_code(session, token=token, code=code, now=now)


def begin_totp_enrolment(session: Session, actor: Principal, *, token: str = "", code: str = "") -> TotpEnrolment:
    """A new authenticator secret to confirm. Replacing one that is already on needs a code from it first."""
    if actor.mfa_enabled:
        step_up(session, token=token, code=code)
    secret = pyotp.random_base32()
    uri = pyotp.TOTP(secret).provisioning_uri(name=actor.email, issuer_name="MyApprentice")
    return TotpEnrolment(secret=secret, otpauth_uri=uri, qr_svg_data_uri=segno.make(uri).svg_data_uri(scale=4))


def confirm_totp_enrolment(session: Session, actor: Principal, *, token: str, secret: str, code: str) -> list[str]:
    """Turn MFA on once the user proves their app produces codes; returns one-time recovery codes."""
    if whole_number(code) is None or not pyotp.TOTP(secret).verify(code.strip(), valid_window=1):
        raise ValidationFailed({"code": "That code doesn't match. Scan the QR code again and enter the new code."})
    if actor.mfa_enabled and not actor.recent_mfa:  # replacing a second factor: begin's step-up must be fresh
        raise LoginRefused("step_up_expired")
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


def regenerate_recovery_codes(session: Session, actor: Principal, *, token: str, code: str) -> list[str]:
    step_up(session, token=token, code=code)
    codes = _replace_recovery_codes(session, actor.user_id)
    session.commit()
    return codes


def turn_off_totp(session: Session, actor: Principal, *, token: str, code: str) -> None:
    step_up(session, token=token, code=code)
    user = session.get(User, actor.user_id)
    assert user is not None
    user.totp_enabled = False
    user.totp_secret_enc = None
    user.totp_last_step = None
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == actor.user_id)):
        session.delete(old)
    session.commit()


def _replace_recovery_codes(session: Session, user_id: int) -> list[str]:
    for old in session.exec(select(RecoveryCode).where(RecoveryCode.user_id == user_id)):
        session.delete(old)
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _ in range(10)]
    for code in codes:
        session.add(RecoveryCode(user_id=user_id, code_hash=token_digest(code)))
    return codes


def _accept_totp(user: User, code: str, now: dt.datetime) -> bool:
    if not user.totp_secret_enc or whole_number(code) is None:
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
    if not code.isascii():
        return False  # recovery codes are ASCII; other text (half a surrogate pair, say) could not even be hashed
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


def _refuse_if_second_factor_locked(user: User, now: dt.datetime) -> None:
    if user.mfa_locked_until and user.mfa_locked_until > now:
        raise SecondFactorLocked(user.mfa_locked_until)


def _count_second_factor_failure(session: Session, user: User, now: dt.datetime) -> None:
    settings = get_settings()
    user.mfa_failures += 1
    if user.mfa_failures >= settings.mfa_max_failures:
        user.mfa_locked_until = now + dt.timedelta(minutes=settings.mfa_lockout_minutes)
        user.mfa_failures = 0
    session.commit()



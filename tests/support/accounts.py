"""Accounts as tests need them: two-step sign-in turned on the way the Security tab does it."""

from __future__ import annotations

import pyotp
from sqlmodel import Session

from myapprentice_app.services import auth, second_factor
from myapprentice_app.services.principal import Principal
from tests.conftest import PASSWORD


def turn_on_mfa(session: Session, actor: Principal) -> tuple[str, list[str]]:
    """Enrol an authenticator for the actor; returns its secret and the ten recovery codes."""
    token = auth.log_in(session, email=actor.email, password=PASSWORD).token
    enrolment = second_factor.begin_totp_enrolment(session, actor)
    codes = second_factor.confirm_totp_enrolment(session, actor, token=token, secret=enrolment.secret,
                                                 code=pyotp.TOTP(enrolment.secret).now())
    return enrolment.secret, codes

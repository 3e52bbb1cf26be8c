"""The second factor can't be out-guessed across sign-ins, and changing it needs it."""

from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from sqlmodel import Session, select

from myapprentice_app.db import utcnow
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import RecoveryCode, User
from myapprentice_app.services import auth, second_factor
from myapprentice_app.services.principal import Principal
from tests.conftest import PASSWORD
from tests.security.conftest import changed_tables, snapshot
from tests.support.accounts import turn_on_mfa


def _code(secret: str, at: dt.datetime) -> str:
    return pyotp.TOTP(secret).at(at + dt.timedelta(seconds=30))


def _signed_in(session: Session, email: str, code: str, at: dt.datetime | None = None) -> tuple[str, Principal]:
    at = at or utcnow()
    token = auth.log_in(session, email=email, password=PASSWORD, now=at).token
    second_factor.verify_login_code(session, token=token, code=code, now=at)
    principal = auth.resolve(session, token, now=at)
    assert principal is not None
    return token, principal


def test_four_wrong_codes_per_sign_in_three_times_locks_the_second_factor_until_the_lock_ends(
        session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    secret, _ = turn_on_mfa(session, owner)
    refusals = []
    for _ in range(3):  # the right password between rounds resets nothing
        token = auth.log_in(session, email=owner.email, password=PASSWORD).token
        for _ in range(4):
            with pytest.raises(auth.LoginRefused) as refused:
                second_factor.verify_login_code(session, token=token, code="000000")
            refusals.append(refused.value.code)

    assert refusals[:4] == ["code"] * 4 and refusals[4:] == ["code_locked"] * 8
    now = utcnow()
    token = auth.log_in(session, email=owner.email, password=PASSWORD).token
    with pytest.raises(second_factor.SecondFactorLocked, match="locked until"):
        second_factor.verify_login_code(session, token=token, code=_code(secret, now))
    assert auth.resolve(session, token) is None
    after_the_lock = now + dt.timedelta(minutes=16)
    assert _signed_in(session, owner.email, _code(secret, after_the_lock), after_the_lock)


def test_wrong_recovery_codes_count_toward_the_same_lock(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    _, codes = turn_on_mfa(session, owner)
    token = auth.log_in(session, email=owner.email, password=PASSWORD).token
    for _ in range(5):
        with pytest.raises(auth.LoginRefused):
            second_factor.verify_login_code(session, token=token, code="dead0000-beef0000")
    with pytest.raises(second_factor.SecondFactorLocked):
        second_factor.verify_login_code(session, token=token, code=codes[0])  # a real one waits too


def test_the_step_up_before_connecting_xero_is_bounded_the_same_way(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    secret, _ = turn_on_mfa(session, owner)
    token = auth.log_in(session, email=owner.email, password=PASSWORD).token
    second_factor.verify_login_code(session, token=token, code=_code(secret, utcnow()))
    for _ in range(5):
        with pytest.raises(auth.LoginRefused):
            second_factor.step_up(session, token=token, code="123456")
    assert session.get(User, owner.user_id).mfa_locked_until is not None


CHANGES = {
    "replacing the authenticator": lambda session, actor, token, code: second_factor.begin_totp_enrolment(
        session, actor, token=token, code=code),
    "turning it off": lambda session, actor, token, code: second_factor.turn_off_totp(
        session, actor, token=token, code=code),
    "making new recovery codes": lambda session, actor, token, code: second_factor.regenerate_recovery_codes(
        session, actor, token=token, code=code),
}
# What each change leaves behind once a current code was given.
DONE = {
    "replacing the authenticator": lambda user, outcome: len(outcome.secret) == 32 and user.totp_enabled,
    "turning it off": lambda user, outcome: not user.totp_enabled and user.totp_secret_enc is None,
    "making new recovery codes": lambda user, outcome: len(set(outcome)) == 10 and user.totp_enabled,
}


@pytest.mark.parametrize("change", CHANGES)
def test_changing_the_second_factor_without_a_current_code_is_refused_and_changes_nothing(
        session: Session, make_actor, change: str) -> None:
    owner = make_actor(Role.OWNER)
    _, recovery = turn_on_mfa(session, owner)
    token, principal = _signed_in(session, owner.email, recovery[0])
    user = session.get(User, owner.user_id)
    before = snapshot()
    secret_before, codes_before = user.totp_secret_enc, session.exec(select(RecoveryCode.code_hash)).all()

    with pytest.raises(auth.InvalidCode):
        CHANGES[change](session, principal, token, "000000")

    session.expire_all()
    user = session.get(User, owner.user_id)
    assert user.totp_enabled and user.totp_secret_enc == secret_before
    assert session.exec(select(RecoveryCode.code_hash)).all() == codes_before
    assert changed_tables(before, snapshot()) == ["user"]  # only the failure count moved
    assert user.mfa_failures == 1


@pytest.mark.parametrize("change", CHANGES)
def test_changing_the_second_factor_with_a_current_code_works(session: Session, make_actor, change: str) -> None:
    owner = make_actor(Role.OWNER)
    secret, recovery = turn_on_mfa(session, owner)
    token, principal = _signed_in(session, owner.email, recovery[0])  # leaves the authenticator's codes unused
    outcome = CHANGES[change](session, principal, token, _code(secret, utcnow()))
    session.expire_all()
    assert DONE[change](session.get(User, owner.user_id), outcome)


def test_confirming_a_new_authenticator_needs_the_step_up_to_be_fresh(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    _, recovery = turn_on_mfa(session, owner)
    signed_in_at = utcnow()
    token, _ = _signed_in(session, owner.email, recovery[0], signed_in_at)
    stale = auth.resolve(session, token, now=signed_in_at + dt.timedelta(minutes=10))
    assert stale is not None and not stale.recent_mfa
    attacker_secret = pyotp.random_base32()
    with pytest.raises(auth.LoginRefused) as refused:
        second_factor.confirm_totp_enrolment(session, stale, token=token, secret=attacker_secret,
                                             code=pyotp.TOTP(attacker_secret).now())
    assert refused.value.code == "step_up_expired"

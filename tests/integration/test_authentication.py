from __future__ import annotations

import datetime as dt

import pyotp
import pytest
from argon2 import PasswordHasher
from sqlalchemy import event
from sqlmodel import Session, select

from myapprentice_app.db import get_engine, utcnow
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import AuthSession, LoginThrottle, User
from myapprentice_app.security import needs_rehash, token_digest, verify_password
from myapprentice_app.services import auth, second_factor
from myapprentice_app.services.errors import ValidationFailed
from tests.conftest import PASSWORD
from tests.support.accounts import turn_on_mfa


def test_the_right_password_opens_a_session_that_resolves_to_the_member(session, make_actor) -> None:
    actor = make_actor(Role.FINANCE, email="fiona@example.test")
    outcome = auth.log_in(session, email="  Fiona@Example.test ", password=PASSWORD)
    principal = auth.resolve(session, outcome.token)
    assert principal is not None and principal.user_id == actor.user_id and principal.role is Role.FINANCE


def test_a_password_hashed_with_older_parameters_still_signs_in_and_is_hashed_again(session, make_actor) -> None:
    actor = make_actor(Role.OWNER, email="owner@example.test")
    user = session.get(User, actor.user_id)
    user.password_hash = PasswordHasher(time_cost=1, memory_cost=16, parallelism=2).hash(PASSWORD)
    session.commit()
    assert auth.log_in(session, email="owner@example.test", password=PASSWORD).token
    session.refresh(user)
    assert not needs_rehash(user.password_hash) and verify_password(user.password_hash, PASSWORD)


def test_only_a_hash_of_the_session_token_is_stored(session, make_actor) -> None:
    make_actor(Role.OWNER, email="owner@example.test")
    token = auth.log_in(session, email="owner@example.test", password=PASSWORD).token
    stored = session.exec(select(AuthSession.token_hash)).all()
    assert token not in stored and token_digest(token) in stored


def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(session, make_actor) -> None:
    make_actor(Role.OWNER, email="owner@example.test")
    messages = []
    for email in ("owner@example.test", "nobody@example.test"):
        with pytest.raises(auth.LoginRefused) as refused:
            auth.log_in(session, email=email, password="wrong-password")
        messages.append(str(refused.value))
    assert messages[0] == messages[1] == auth.WRONG_CREDENTIALS


def test_repeated_failures_lock_the_account_and_say_when_it_unlocks(session, make_actor) -> None:
    make_actor(Role.OWNER, email="owner@example.test")
    now = utcnow()
    for _ in range(4):
        with pytest.raises(auth.LoginRefused):
            auth.log_in(session, email="owner@example.test", password="wrong-password", now=now)
    with pytest.raises(auth.AccountLocked) as locked:
        auth.log_in(session, email="owner@example.test", password="wrong-password", now=now)
    assert locked.value.until == now + dt.timedelta(minutes=15)
    assert f"{locked.value.until:%H:%M}" in str(locked.value)
    with pytest.raises(auth.AccountLocked):  # even the right password waits
        auth.log_in(session, email="owner@example.test", password=PASSWORD, now=now + dt.timedelta(minutes=5))
    assert auth.log_in(session, email="owner@example.test", password=PASSWORD, now=now + dt.timedelta(minutes=16))


def test_unknown_emails_lock_out_exactly_like_known_ones(session) -> None:
    for _ in range(4):
        with pytest.raises(auth.LoginRefused):
            auth.log_in(session, email="ghost@example.test", password="guess")
    with pytest.raises(auth.AccountLocked):
        auth.log_in(session, email="ghost@example.test", password="guess")


def test_an_expired_or_revoked_session_no_longer_resolves(session, make_actor) -> None:
    make_actor(Role.OWNER, email="owner@example.test")
    token = auth.log_in(session, email="owner@example.test", password=PASSWORD).token
    assert auth.resolve(session, token, now=utcnow() + dt.timedelta(hours=13)) is None
    auth.log_out(session, token)
    assert auth.resolve(session, token) is None


def test_mfa_enrolment_stores_the_secret_encrypted_and_returns_ten_recovery_codes(session, make_actor) -> None:
    actor = make_actor(Role.OWNER)
    secret, codes = turn_on_mfa(session, actor)
    user = session.get(User, actor.user_id)
    assert user.totp_enabled and secret not in (user.totp_secret_enc or "")
    assert len(set(codes)) == 10


@pytest.mark.parametrize("code", ["000000", "\ud800"])  # a wrong code; half a surrogate pair, from a crafted event
def test_enrolment_refuses_a_code_that_does_not_match(session, make_actor, code: str) -> None:
    actor = make_actor(Role.OWNER)
    token = auth.log_in(session, email=actor.email, password=PASSWORD).token
    enrolment = second_factor.begin_totp_enrolment(session, actor)
    with pytest.raises(ValidationFailed) as failed:
        second_factor.confirm_totp_enrolment(session, actor, token=token, secret=enrolment.secret, code=code)
    assert "code" in failed.value.errors
    assert enrolment.qr_svg_data_uri.startswith("data:image/svg+xml")


def test_with_mfa_on_a_password_alone_does_not_open_the_app(session, make_actor) -> None:
    actor = make_actor(Role.OWNER)
    secret, _ = turn_on_mfa(session, actor)
    outcome = auth.log_in(session, email=actor.email, password=PASSWORD)
    assert outcome.needs_mfa and auth.resolve(session, outcome.token) is None
    assert auth.stage(session, outcome.token) is auth.Stage.NEEDS_CODE
    next_code = pyotp.TOTP(secret).at(utcnow() + dt.timedelta(seconds=30))
    second_factor.verify_login_code(session, token=outcome.token, code=next_code)
    assert auth.resolve(session, outcome.token) is not None


def test_an_invalid_code_says_so_and_counts_toward_the_second_factor_lock(session, make_actor) -> None:
    actor = make_actor(Role.OWNER)
    turn_on_mfa(session, actor)
    token = auth.log_in(session, email=actor.email, password=PASSWORD).token
    for code in ("000000", "\ud800", "000000", "000000"):  # one of them half a surrogate pair
        with pytest.raises(auth.InvalidCode, match="That code isn't valid"):
            second_factor.verify_login_code(session, token=token, code=code)
    with pytest.raises(second_factor.SecondFactorLocked):
        second_factor.verify_login_code(session, token=token, code="000000")


def test_a_recovery_code_works_once(session, make_actor) -> None:
    actor = make_actor(Role.OWNER)
    _, codes = turn_on_mfa(session, actor)
    first = auth.log_in(session, email=actor.email, password=PASSWORD).token
    second_factor.verify_login_code(session, token=first, code=codes[0])
    second = auth.log_in(session, email=actor.email, password=PASSWORD).token
    with pytest.raises(auth.InvalidCode):
        second_factor.verify_login_code(session, token=second, code=codes[0])


def test_a_totp_code_cannot_be_replayed(session, make_actor) -> None:
    actor = make_actor(Role.OWNER)
    secret, _ = turn_on_mfa(session, actor)
    code = pyotp.TOTP(secret).at(utcnow() + dt.timedelta(seconds=30))
    first = auth.log_in(session, email=actor.email, password=PASSWORD).token
    second_factor.verify_login_code(session, token=first, code=code)
    second = auth.log_in(session, email=actor.email, password=PASSWORD).token
    with pytest.raises(auth.InvalidCode):
        second_factor.verify_login_code(session, token=second, code=code)


def test_the_mfa_step_up_is_fresh_for_five_minutes_only(session, make_actor) -> None:
    actor = make_actor(Role.OWNER)
    secret, _ = turn_on_mfa(session, actor)
    token = auth.log_in(session, email=actor.email, password=PASSWORD).token
    second_factor.step_up(session, token=token, code=pyotp.TOTP(secret).at(utcnow() + dt.timedelta(seconds=30)))
    assert auth.resolve(session, token).recent_mfa
    assert not auth.resolve(session, token, now=utcnow() + dt.timedelta(minutes=6)).recent_mfa


def test_two_first_sign_ins_for_one_address_at_the_same_moment_both_get_the_usual_answer(session) -> None:
    email = "first-time@example.test"

    def another_sign_in_writes_the_address_first(_flushing, _context, _instances) -> None:
        with Session(get_engine()) as other:
            if other.get(LoginThrottle, email) is None:
                other.add(LoginThrottle(email=email, failures=1))
                other.commit()

    event.listen(session, "before_flush", another_sign_in_writes_the_address_first)
    with pytest.raises(auth.LoginRefused) as refused:
        auth.log_in(session, email=email, password="wrong-password")
    assert str(refused.value) == auth.WRONG_CREDENTIALS
    session.expire_all()
    assert session.get(LoginThrottle, email).failures == 2  # type: ignore[union-attr]


@pytest.mark.usefixtures("app_database")
@pytest.mark.parametrize("email", ["a" * 400 + "@example.test", "nul\x00@example.test"])
def test_signing_in_with_an_email_no_account_can_have_is_refused_and_stores_nothing(email: str) -> None:
    with Session(get_engine()) as session:
        with pytest.raises(auth.LoginRefused) as refused:
            auth.log_in(session, email=email, password=PASSWORD)
        assert refused.value.code == "credentials"
        assert session.exec(select(LoginThrottle)).all() == []

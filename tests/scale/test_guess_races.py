"""Guesses sent at the same moment, on SQLite and on PostgreSQL: each is counted, so however many arrive together,
no more are checked than one after another would be before the lock.

The guesses start while another sign-in's count of the same address (or account) is being written."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlmodel import Session

from myapprentice_app.config import get_settings
from myapprentice_app.db import get_engine, locked
from myapprentice_app.models import LoginThrottle, User
from myapprentice_app.services import auth, second_factor
from myapprentice_app.services.principal import Principal
from tests.conftest import PASSWORD
from tests.support.accounts import turn_on_mfa
from tests.support.concurrently import while_held

GUESSES = 8


def refusals(outcomes: list) -> list[str]:
    assert all(isinstance(outcome, auth.LoginRefused) for outcome in outcomes), outcomes
    return sorted(outcome.code for outcome in outcomes)


def test_password_guesses_sent_at_the_same_moment_are_each_counted_and_lock_the_address(
        make_owner: Callable[[str], Principal]) -> None:
    owner = make_owner("owner@guesses.test")

    def guess() -> auth.LoginOutcome:
        with Session(get_engine(), expire_on_commit=False) as session:
            return auth.log_in(session, email=owner.email, password="not-the-password")

    outcomes = while_held(lambda session: locked(session, LoginThrottle, owner.email), *[guess] * GUESSES)

    allowed = get_settings().login_max_failures
    assert refusals(outcomes) == sorted(["credentials"] * (allowed - 1) + ["locked"] * (GUESSES - allowed + 1))
    with Session(get_engine()) as session, pytest.raises(auth.AccountLocked):
        auth.log_in(session, email=owner.email, password=PASSWORD)


def test_second_factor_codes_sent_at_the_same_moment_are_each_counted_and_lock_it(
        make_owner: Callable[[str], Principal]) -> None:
    owner = make_owner("owner@codes.test")
    with Session(get_engine(), expire_on_commit=False) as session:
        turn_on_mfa(session, owner)
        token = auth.log_in(session, email=owner.email, password=PASSWORD).token

    def guess() -> None:
        with Session(get_engine(), expire_on_commit=False) as session:
            second_factor.verify_login_code(session, token=token, code="000000")

    outcomes = while_held(lambda session: locked(session, User, owner.user_id), *[guess] * GUESSES)

    allowed = get_settings().mfa_max_failures
    assert refusals(outcomes) == sorted(["code"] * (allowed - 1) + ["code_locked"] * (GUESSES - allowed + 1))

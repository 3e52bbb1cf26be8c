"""Shared fixtures: a migrated database per test session, emptied before each test, and signed-in actors."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

_TEST_DIR = Path(tempfile.mkdtemp(prefix="myapprentice-tests-"))
# Settings are read once per process, so the test database is chosen before anything imports them.
os.environ.setdefault("DATABASE_URL", f"sqlite:///{_TEST_DIR / 'test.db'}")
os.environ.setdefault("SECRET_KEY", "test-secret-key-that-is-long-enough-for-fernet-derivation")
os.environ.setdefault("PASSWORD_HASHING", "cheap_for_tests")  # argon2id still, at its cheapest parameters

import pytest  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from sqlmodel import Session, SQLModel  # noqa: E402

from myapprentice_app.db import get_engine  # noqa: E402
from myapprentice_app.domain.roles import Role  # noqa: E402
from myapprentice_app.migrate import upgrade  # noqa: E402
from myapprentice_app.models import Business, Membership  # noqa: E402
from myapprentice_app.services import auth  # noqa: E402
from myapprentice_app.services.principal import Principal  # noqa: E402

PASSWORD = "correct-horse-battery"

pytest_plugins = ["tests.support.browser", "tests.support.postgres", "tests.support.xero_sandbox"]


@pytest.fixture(scope="session")
def migrated_database() -> str:
    url = os.environ["DATABASE_URL"]
    upgrade(url)
    return url


@pytest.fixture
def session(migrated_database: str):
    engine = get_engine()
    with engine.begin() as connection:
        for table in reversed(SQLModel.metadata.sorted_tables):
            connection.execute(sa.delete(table))
    with Session(engine, expire_on_commit=False) as db_session:
        yield db_session


@pytest.fixture
def business(session: Session) -> Business:
    business = Business(name="Test Electrical")
    session.add(business)
    session.commit()
    return business


@pytest.fixture
def make_actor(session: Session, business: Business):
    """make_actor(Role.FINANCE) -> a Principal for a new user with that role in the test business."""

    def _make(role: Role, email: str | None = None) -> Principal:
        email = email or f"{role.value}.{os.urandom(3).hex()}@example.test"
        user = auth.create_user(session, email=email, name=role.label, password=PASSWORD)
        session.add(Membership(user_id=user.id, business_id=business.id, role=role.value))
        session.commit()
        outcome = auth.log_in(session, email=email, password=PASSWORD)
        principal = auth.resolve(session, outcome.token)
        assert principal is not None
        return principal

    return _make

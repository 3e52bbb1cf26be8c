"""The scale-out path for real: PostgreSQL and Redis on this machine (`make test` starts them when stopped)."""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest
from sqlmodel import Session

from myapprentice_app.db import get_engine
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import Business, Membership
from myapprentice_app.services import auth
from myapprentice_app.services.principal import Principal
from tests.conftest import PASSWORD


@pytest.fixture
def redis_available() -> None:
    import redis

    try:
        redis.Redis(host="127.0.0.1", port=6379, socket_connect_timeout=3).ping()
    except redis.ConnectionError:
        if shutil.which("redis-server") is None:
            pytest.skip(reason="Redis (redis-server) is not installed on this machine")
        raise


@pytest.fixture
def make_owner(app_database: None) -> Callable[[str], Principal]:
    """make_owner(email) -> a signed-in Owner of a new business (password tests.conftest.PASSWORD)."""

    def make(email: str) -> Principal:
        with Session(get_engine(), expire_on_commit=False) as session:
            business = Business(name=f"Business of {email}")
            session.add(business)
            session.commit()
            user = auth.create_user(session, email=email, name="Owner", password=PASSWORD)
            session.add(Membership(user_id=user.id or 0, business_id=business.id or 0, role=Role.OWNER.value))
            session.commit()
            principal = auth.resolve(session, auth.log_in(session, email=email, password=PASSWORD).token)
            assert principal is not None
            return principal

    return make

"""Browser tests: one production build per test run, served on one port, driven by Debian's Chromium.

The server gets its own seeded database (the demo data), separate from the per-test database of the
other tiers, and its own Reflex work directory so a developer's running app is left alone.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from myapprentice_app.demo import DEMO_PASSWORD
from tests.support.app_process import CHROMIUM, ROOT, AppServer, running_app

RESULTS = ROOT / "test-results"


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make test` (it installs it) or apt-get install chromium")
    workdir = tmp_path_factory.mktemp("e2e")
    with running_app(workdir, f"sqlite:///{workdir / 'e2e.db'}", ".web-test") as server:
        yield server


def login(page: Page, app_server: AppServer, email: str, password: str = DEMO_PASSWORD,
          then: str = "") -> None:
    """Sign in through the real login form and wait until the app has taken us somewhere else."""
    page.goto(f"{app_server.url}/login{'?next=' + then if then else ''}")
    page.locator("#email").fill(email)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/login" not in url)


def screenshot(page: Page, name: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"{name}.png"), full_page=True)


@pytest.fixture
def new_member(app_server: AppServer):
    """new_member(Role.ADMIN) -> the email of a fresh Bright Spark member, for tests that change a user."""
    from sqlmodel import Session, select

    from myapprentice_app.db import get_engine
    from myapprentice_app.demo import TEAM_BUSINESS
    from myapprentice_app.models import Business, Membership
    from myapprentice_app.services import auth

    def _make(role) -> str:  # type: ignore[no-untyped-def]
        email = f"{role.value}.{os.urandom(4).hex()}@brightspark.test"
        with Session(get_engine(app_server.database_url)) as session:
            business = session.exec(select(Business).where(Business.name == TEAM_BUSINESS)).one()
            user = auth.create_user(session, email=email, name=f"New {role.label}", password=DEMO_PASSWORD)
            session.add(Membership(user_id=user.id, business_id=business.id, role=role.value))
            session.commit()
        return email

    return _make

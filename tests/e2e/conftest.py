"""Browser tests: one production build per test run, served on one port, driven by Debian's Chromium.

The server gets its own seeded database (the demo data), separate from the per-test database of the
other tiers, and its own Reflex work directory so a developer's running app is left alone.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from myapprentice_app.demo import DEMO_PASSWORD

ROOT = Path(__file__).resolve().parents[2]
RESULTS = ROOT / "test-results"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
OFFLINE_REFLEX = {
    "REFLEX_USE_NPM": "1",
    "REFLEX_TELEMETRY_ENABLED": "false",
    "REFLEX_CHECK_LATEST_VERSION": "false",
    "REFLEX_USE_GRANIAN": "true",
    "NPM_CONFIG_REGISTRY": "https://registry.npmjs.org",
}


@dataclass(frozen=True)
class AppServer:
    url: str
    database_url: str
    env: dict[str, str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_up(url: str, process: subprocess.Popen, log: Path, timeout: float = 420) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the app exited while starting:\n{log.read_text()[-4000:]}")
        try:
            if httpx.get(f"{url}/ping", timeout=2).status_code == 200 and httpx.get(url, timeout=5).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(1)
    raise RuntimeError(f"the app did not start within {timeout:.0f}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def app_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppServer]:
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: run `make test` (it installs it) or apt-get install chromium")
    workdir = tmp_path_factory.mktemp("e2e")
    port = free_port()
    url = f"http://localhost:{port}"
    env = {
        **os.environ,
        **OFFLINE_REFLEX,
        "DATABASE_URL": f"sqlite:///{workdir / 'e2e.db'}",
        "APP_URL": url,
        "WEB_PORT": str(port),
        "WEB_HOST": "127.0.0.1",
        "REFLEX_WEB_WORKDIR": str(ROOT / ".web-test"),
        "REFLEX_STATES_WORKDIR": str(workdir / "states"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    env.pop("PYTEST_CURRENT_TEST", None)
    for command in ("migrate", "seed-demo"):
        subprocess.run([sys.executable, "-m", "myapprentice_app", command], env=env, cwd=ROOT, check=True,
                       capture_output=True)
    log = workdir / "server.log"
    with log.open("w") as output:
        process = subprocess.Popen([sys.executable, "-m", "myapprentice_app.serve"], env=env, cwd=ROOT,
                                   stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_until_up(url, process, log)
        yield AppServer(url=url, database_url=env["DATABASE_URL"], env=env)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="session")
def playwright_instance() -> Iterator[Playwright]:
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    browser = playwright_instance.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, accept_downloads=True)
    context.set_default_timeout(20_000)
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    return context.new_page()


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

"""Playwright fixtures shared by the browser, security and scale tiers: one Chromium per test run, a context per
test, and one production build of the app per test run (served as `make run` serves it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright

from myapprentice_app.demo import DEMO_PASSWORD
from tests.support.app_process import CHROMIUM, CHROMIUM_ARGS, ROOT, AppServer, running_app

RESULTS = ROOT / "test-results"


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

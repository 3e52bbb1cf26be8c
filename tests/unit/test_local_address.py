"""A page opened at 127.0.0.1 while the app runs as localhost is sent to localhost (its websocket only works
there); nothing else is redirected."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from starlette.responses import PlainTextResponse
from starlette.testclient import TestClient

from myapprentice_app.api.local_address import LocalAddress
from myapprentice_app.config import get_settings

PAGE = {"accept": "text/html,application/xhtml+xml"}


@pytest.fixture
def app_at(monkeypatch: pytest.MonkeyPatch) -> Iterator[object]:
    def at(app_url: str) -> TestClient:
        monkeypatch.setenv("APP_URL", app_url)
        get_settings.cache_clear()
        return TestClient(LocalAddress(PlainTextResponse("the page")), follow_redirects=False)
    yield at
    get_settings.cache_clear()


def test_a_page_opened_at_127_0_0_1_goes_to_localhost_with_its_path_and_query(app_at) -> None:
    response = app_at("http://localhost:3000").get("/invoices?page=2", headers={**PAGE, "host": "127.0.0.1:3000"})
    assert response.status_code == 307 and response.headers["location"] == "http://localhost:3000/invoices?page=2"


@pytest.mark.parametrize(("app_url", "host", "accept"), [
    ("http://localhost:3000", "localhost:3000", "text/html"),  # already there
    ("http://localhost:3000", "127.0.0.1:3000", "application/json"),  # an API call or an asset, not a page
    ("http://localhost:3000", "127.0.0.1:3001", "text/html"),  # another server on this machine
    ("https://app.myapprentice.test", "127.0.0.1:3000", "text/html"),  # a proxy that sets the Host header
])
def test_anything_else_is_served_where_it_was_asked_for(app_at, app_url: str, host: str, accept: str) -> None:
    response = app_at(app_url).get("/invoices", headers={"accept": accept, "host": host})
    assert response.status_code == 200 and response.text == "the page"

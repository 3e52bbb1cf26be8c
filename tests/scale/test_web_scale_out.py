"""The web tier scaled out for real: two web workers sharing Reflex state in Redis, data in PostgreSQL."""

from __future__ import annotations

import uuid

import redis
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import login
from tests.support.app_process import running_app

REDIS_URL = "redis://127.0.0.1:6379/14"


def test_two_web_workers_on_redis_and_postgresql_serve_signed_in_people(
        tmp_path, postgres_url: str, redis_available: None, browser: Browser) -> None:
    redis.Redis.from_url(REDIS_URL).flushdb()
    with running_app(tmp_path, postgres_url, ".web-scale", REDIS_URL=REDIS_URL, GRANIAN_WORKERS="2",
                     HUEY_NAME=f"web-scale-{uuid.uuid4().hex[:12]}") as server:  # its own queue keys
        pages = []
        for email in ("finance@brightspark.test", "sole@soloplumbing.test"):
            page = browser.new_context().new_page()
            login(page, server, email)
            pages.append(page)
        finance, sole = pages
        expect(finance.get_by_test_id("pager")).to_contain_text("56 invoices")
        expect(sole.get_by_test_id("pager")).to_contain_text("8 invoices")
        for page in pages:  # a reload may land on the other worker: the session and state must follow
            page.reload()
        expect(finance.get_by_test_id("role")).to_have_text("Finance")
        expect(sole.get_by_test_id("role")).to_have_text("Sole Trader")
        assert redis.Redis.from_url(REDIS_URL).dbsize() > 0, "Reflex kept its state in Redis"

"""Attacks only a real browser can judge: stored XSS in every free-text field the app renders as text, the
session cookie out of page scripts' reach, security headers on every page, no page in a foreign frame, and the
websocket refusing a foreign page's origin."""

from __future__ import annotations

import base64
import datetime as dt
import os
import socket
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from myapprentice_app.db import get_engine
from myapprentice_app.demo import DEMO_PASSWORD
from myapprentice_app.models import TaxRate
from myapprentice_app.services import auth, clients, invoices, team, work
from myapprentice_app.services.clients import ClientForm
from myapprentice_app.services.invoices import InvoiceDraft
from myapprentice_app.services.lines import LineDraft
from myapprentice_app.services.work import JobForm, QuoteForm
from tests.support.app_process import AppServer
from tests.support.browser import login

OWNER = "owner@brightspark.test"
# Each payload runs code if any page renders it as HTML instead of text.
PAYLOADS = ['<img src=x onerror="window.__xss=1">', "<script>window.__xss=1</script>",
            '"><svg onload="window.__xss=1">']


SHOWN = """text => document.body.innerText.includes(text)
    || [...document.querySelectorAll('input, textarea')].some(field => field.value.includes(text))"""


def _payload(label: str, index: int) -> str:
    return f"{label} {PAYLOADS[index % len(PAYLOADS)]} {os.urandom(2).hex()}"


@pytest.fixture(scope="module")
def planted(app_server: AppServer) -> dict[str, tuple[str, str]]:
    """Free text typed into every field that a page shows, each a script-running payload: field → (page, text)."""
    with Session(get_engine(app_server.database_url), expire_on_commit=False) as session:
        owner = auth.resolve(session, auth.log_in(session, email=OWNER, password=DEMO_PASSWORD).token)
        assert owner is not None
        rate = session.exec(select(TaxRate).where(TaxRate.business_id == owner.business_id)).first()
        texts = {name: _payload(name, index) for index, name in enumerate([
            "client name", "client address", "client city", "invoice reference", "line description", "job title",
            "job site", "quote title", "invited name"])}
        client = clients.create_client(session, owner, ClientForm(
            name=texts["client name"], address_line1=texts["client address"], city=texts["client city"]))
        line = [LineDraft(texts["line description"], "1", "100.00", "labour", rate.id if rate else None)]
        today = dt.date.today()
        invoice = invoices.create_invoice(session, owner, InvoiceDraft(
            client_id=client.id, issue_date=today, due_date=today + dt.timedelta(days=7),
            reference=texts["invoice reference"], lines=line))
        job = work.save_job(session, owner, None, JobForm(client_id=client.id, title=texts["job title"],
                                                          site_address=texts["job site"], lines=line))
        quote = work.save_quote(session, owner, None, QuoteForm(client_id=client.id, title=texts["quote title"],
                                                                lines=line))
        team.invite(session, owner, email_address=f"xss.{os.urandom(2).hex()}@example.test",
                    name=texts["invited name"][:200], role="tradie")
        assert Decimal(invoice.total) > 0
    return {
        "client name": (f"/clients/{client.id}", texts["client name"]),
        "client address": (f"/clients/{client.id}", texts["client address"]),
        "client city": (f"/clients/{client.id}", texts["client city"]),
        "client name in the list": ("/clients", texts["client name"]),
        "invoice reference": (f"/invoices/{invoice.id}", texts["invoice reference"]),
        "line description": (f"/invoices/{invoice.id}", texts["line description"]),
        "client name on the invoices list": ("/invoices", texts["client name"]),
        "job title": ("/jobs", texts["job title"]),
        "job site": (f"/jobs/{job.id}", texts["job site"]),
        "quote title": ("/quotes", texts["quote title"]),
        "quote on its page": (f"/quotes/{quote.id}", texts["quote title"]),
        "invited name": ("/settings/team", texts["invited name"]),
    }


@pytest.mark.parametrize("field", [
    "client name", "client address", "client city", "client name in the list", "invoice reference",
    "line description", "client name on the invoices list", "job title", "job site", "quote title",
    "quote on its page", "invited name",
])
def test_stored_script_in_a_text_field_shows_as_text_and_never_runs(page: Page, app_server: AppServer,
                                                                    planted, field: str) -> None:
    path, text = planted[field]
    login(page, app_server, OWNER)
    page.goto(f"{app_server.url}{path}")
    marker = text.rsplit(" ", 1)[1]  # the random tail, in the page's text or in a form field's value
    page.wait_for_function(SHOWN, arg=marker)
    assert page.evaluate(SHOWN, text)  # the whole payload, literally, as text
    assert page.evaluate("window.__xss") is None
    assert page.locator("img[src='x'], svg[onload]").count() == 0


def test_page_scripts_cannot_read_the_session_cookie(page: Page, app_server: AppServer) -> None:
    login(page, app_server, OWNER)
    cookie = next(c for c in page.context.cookies() if c["name"] == "ma_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Lax" and not cookie["secure"]  # plain http here
    assert "ma_session" not in page.evaluate("document.cookie")


@pytest.mark.parametrize("path", ["/login", "/invoices", "/settings/security"])
def test_every_page_carries_the_security_headers_and_runs_within_its_policy(page: Page, app_server: AppServer,
                                                                            path: str) -> None:
    violations: list[str] = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text else None)
    login(page, app_server, OWNER)
    headers = page.request.get(f"{app_server.url}{path}/").headers
    page.goto(f"{app_server.url}{path}")
    page.reload()  # answered 304 from the cache: the page must keep its policy
    expect(page.get_by_role("heading").first).to_be_visible()
    assert headers["x-frame-options"] == "DENY" and headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "same-origin"
    policy = headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert violations == []


def test_no_page_of_the_app_loads_inside_another_sites_frame(page: Page, app_server: AppServer) -> None:
    page.set_content(f'<iframe id="victim" src="{app_server.url}/login" width="600" height="400"></iframe>')
    page.wait_for_timeout(1500)
    frame = page.frame_locator("#victim")
    expect(frame.get_by_role("button", name="Sign in")).to_have_count(0)


def _websocket_handshake(url: str, origin: str) -> str:
    """The status line a websocket upgrade from `origin` gets (no client library needed for one request)."""
    parts = urlsplit(url)
    key = base64.b64encode(os.urandom(16)).decode()
    request = (f"GET /_event/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
               f"Connection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n"
               f"Origin: {origin}\r\n\r\n")
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        connection.sendall(request.encode())
        return connection.recv(4096).decode(errors="replace").split("\r\n", 1)[0]


def test_the_websocket_refuses_a_foreign_pages_origin(app_server: AppServer) -> None:
    assert " 101 " in _websocket_handshake(app_server.url, app_server.url)
    assert " 101 " not in _websocket_handshake(app_server.url, "https://evil.example")

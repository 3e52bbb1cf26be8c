"""Finance and Xero settings in the browser: the connection read-only, mappings from Xero's own lists."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect
from sqlmodel import Session

from myapprentice_app.db import get_engine
from myapprentice_app.models import XeroSettings
from tests.e2e.conftest import XERO_ORGANISATION, AppServer, _bright_spark, login, screenshot


def _labour_account(app_server: AppServer) -> str | None:
    with Session(get_engine(app_server.database_url)) as session:
        row = session.get(XeroSettings, _bright_spark(session).id)
        return row.labour_account if row else None


def test_finance_sees_the_connection_read_only_and_maps_accounts_from_xeros_list_and_an_invalid_choice_is_refused(
        page: Page, app_server: AppServer, xero_connected: str) -> None:
    login(page, app_server, "finance@brightspark.test")
    page.get_by_role("link", name="Business Settings").click()
    page.wait_for_url("**/settings/xero")
    expect(page.get_by_test_id("xero-connection")).to_have_text(f"Connected · {XERO_ORGANISATION}")
    expect(page.get_by_test_id("xero-ask-owner")).to_have_count(0)  # connected: nothing to ask anyone
    expect(page.get_by_test_id("connect-xero")).to_have_count(0)
    expect(page.get_by_test_id("disconnect-xero")).to_have_count(0)

    page.get_by_label("Labour lines").click()
    options = page.get_by_role("option")
    expect(options.filter(has_text="260 · Other Revenue")).to_be_visible()
    expect(options.filter(has_text="280")).to_have_count(0)  # archived in Xero: never offered
    expect(options.filter(has_text="400")).to_have_count(0)  # an expense account: not for sales lines
    options.filter(has_text="260 · Other Revenue").click()  # (a full-page screenshot would close the picker)
    page.get_by_test_id("save-xero-settings").click()
    expect(page.get_by_text("Xero settings saved.")).to_be_visible()
    screenshot(page, "xero-settings-finance")
    assert _labour_account(app_server) == "260"

    # A choice outside Xero's list (a stale page, or a hand-made request) is refused on the server.
    page.locator("select[name=labour_account]").evaluate(
        "select => { select.add(new Option('280', '280')); select.value = '280'; }")
    page.get_by_test_id("save-xero-settings").click()
    expect(page.get_by_text("Account 280 isn't one of the organisation's active accounts.")).to_be_visible()
    screenshot(page, "xero-settings-invalid-choice")
    assert _labour_account(app_server) == "260"

    page.get_by_label("Labour lines").click()
    page.get_by_role("option").filter(has_text="200 · Sales").click()
    page.get_by_test_id("save-xero-settings").click()
    expect(page.get_by_text("Account 280 isn't one of the organisation's active accounts.")).to_be_hidden()
    assert _labour_account(app_server) == "200"


def test_finance_sends_all_to_xero_from_the_xero_area_too(page: Page, app_server: AppServer,
                                                          xero_connected: str) -> None:
    login(page, app_server, "finance@brightspark.test")
    page.goto(f"{app_server.url}/settings/xero")
    page.get_by_test_id("send-all-to-xero").click()
    expect(page.get_by_test_id("sync-board-summary")).to_have_text(
        re.compile(r"^Last Send all: \d+ synced, 0 errors — just now$"), timeout=60_000)
    screenshot(page, "xero-area-send-all")
    page.reload()  # the tab shows the day's quota as Xero's answers to the Send all told it
    expect(page.get_by_test_id("xero-day-quota")).to_have_text(
        re.compile(r"^Xero calls left today: [\d,]+ \(room for about [\d,]+ invoices; the rest of a push goes after"))

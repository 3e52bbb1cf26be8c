"""A connection Xero revokes on its side: everyone who pushes is told it needs reconnecting."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer, login, screenshot
from tests.support.xero_sandbox import SandboxAdmin


def test_a_supervisor_sees_needs_reconnecting_on_the_invoices_page_when_xero_revoked_the_connection(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin, xero_connected: str) -> None:
    login(page, app_server, "supervisor@brightspark.test")
    expect(page.get_by_test_id("invoice-row").first).to_be_visible()
    expect(page.get_by_test_id("xero-needs-reconnecting")).to_have_count(0)

    assert xero_admin.faults(revoke_tenant=xero_connected)["disconnected"] >= 1  # e.g. removed in Xero's settings
    page.get_by_test_id("sync-all").click()  # the next call to Xero finds out
    banner = page.get_by_test_id("xero-needs-reconnecting")
    expect(banner).to_contain_text(re.compile("needs reconnecting", re.IGNORECASE), timeout=30_000)
    expect(banner).to_contain_text("A Business Owner or Admin can reconnect")

    page.reload()
    expect(page.get_by_test_id("xero-needs-reconnecting")).to_be_visible()
    screenshot(page, "xero-needs-reconnecting-supervisor")

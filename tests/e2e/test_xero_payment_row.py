"""What the invoice shows about a payment (issue 10, point 8), in the browser: with no payment account chosen, the
payment row says which setting to choose and who can; the payment's sync is in the invoice's sync history."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, col, select

from myapprentice_app.db import get_engine
from myapprentice_app.models import Invoice, XeroSettings
from tests.e2e.conftest import AppServer, _bright_spark, login, screenshot

FINANCE_SEES = "Not sent to Xero: choose the Payment account for manual payments in Business Settings → Xero."
SUPERVISOR_SEES = ("Not sent to Xero: the Payment account for manual payments isn't chosen. Ask your Business Owner, "
                   "Office Admin or Finance to choose it in Business Settings → Xero.")


def _set_payment_account(app_server: AppServer, code: str | None) -> None:
    with Session(get_engine(app_server.database_url)) as session:
        session.get(XeroSettings, _bright_spark(session).id).payment_account = code
        session.commit()


@pytest.fixture
def no_payment_account(app_server: AppServer, xero_connected: str) -> Iterator[None]:
    _set_payment_account(app_server, None)
    yield
    _set_payment_account(app_server, "090")  # the browser tests share one database


def _unpaid_authorised_invoice(app_server: AppServer) -> Invoice:
    """One already in Xero when there is one (the other tests want the unsynced ones)."""
    with Session(get_engine(app_server.database_url)) as session:
        candidates = session.exec(select(Invoice).where(Invoice.business_id == _bright_spark(session).id,
                                                        Invoice.status == "authorised", Invoice.amount_paid == 0)
                                  .order_by(col(Invoice.id))).all()
        return next((i for i in candidates if i.sync_status == "synced"), candidates[-1])


def test_a_payment_with_no_payment_account_says_which_setting_and_who_can_choose_it(
        page: Page, browser: Browser, app_server: AppServer, no_payment_account: None) -> None:
    invoice = _unpaid_authorised_invoice(app_server)
    login(page, app_server, "finance@brightspark.test")
    page.get_by_test_id("invoice-row").first.wait_for()
    page.goto(f"{app_server.url}/invoices/{invoice.id}")
    panel = page.get_by_test_id("xero-panel")
    if invoice.sync_status != "synced":
        panel.get_by_test_id("push-to-xero").click()
    expect(panel.get_by_test_id("sync-status")).to_have_text("Synced", timeout=30_000)

    page.get_by_test_id("mark-paid").click()
    page.get_by_test_id("record-payment").click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Paid")
    expect(page.get_by_test_id("payment-row")).to_contain_text("Not synced")
    expect(page.get_by_test_id("payment-sync-message")).to_have_text(FINANCE_SEES)
    expect(page.get_by_test_id("payment-settings-link")).to_have_attribute("href", "/settings/xero")

    page.get_by_role("link", name="← All invoices").click()
    page.get_by_test_id("sync-all").click()  # the next payment cycle
    expect(page.get_by_test_id("sync-board-summary")).to_contain_text("Last Sync All: ", timeout=30_000)
    page.goto(f"{app_server.url}/invoices/{invoice.id}")
    page.get_by_text("Sync history", exact=True).click()
    payment_rows = page.get_by_test_id("sync-history-row").filter(
        has=page.get_by_role("cell", name="payment", exact=True))
    expect(payment_rows).to_have_count(1)
    expect(payment_rows.first.get_by_role("cell", name="error", exact=True)).to_be_visible()
    screenshot(page, "xero-payment-no-account")

    supervisor = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
    login(supervisor, app_server, "supervisor@brightspark.test")
    supervisor.goto(f"{app_server.url}/invoices/{invoice.id}")
    expect(supervisor.get_by_test_id("payment-sync-message")).to_have_text(SUPERVISOR_SEES)
    expect(supervisor.get_by_test_id("payment-settings-link")).to_have_count(0)  # not a page a Supervisor may open
    supervisor.context.close()

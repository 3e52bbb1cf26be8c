"""The three-dot menu next to the amount pushes an invoice to Xero and then opens it there."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import Session

from myapprentice_app.db import get_engine
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import Invoice
from tests.e2e.conftest import AppServer, login, screenshot
from tests.e2e.own_business import own_business
from tests.support.xero_sandbox import SandboxAdmin


def test_a_supervisor_pushes_from_the_three_dot_menu_and_then_opens_the_invoice_in_xero(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin) -> None:
    business = own_business(app_server, xero_admin, "Three Dots")  # Bright Spark's invoices may all be synced
    invoice_id, number = business.invoice("100")
    login(page, app_server, business.email(Role.SUPERVISOR), then="/invoices")
    page.get_by_label("Search").fill(number)
    page.get_by_role("button", name="Search").click()
    row = page.get_by_test_id("invoice-row")
    expect(row).to_have_count(1)

    row.get_by_test_id("row-menu").click()
    page.get_by_test_id("menu-push").click()
    expect(row.get_by_test_id("sync-status")).to_have_text("Synced", timeout=30_000)

    row.get_by_test_id("row-menu").click()
    open_in_xero = page.get_by_test_id("menu-open-in-xero")
    screenshot(page, "invoices-menu-open-in-xero")
    with Session(get_engine(app_server.database_url)) as session:
        xero_id = session.get(Invoice, invoice_id).xero_invoice_id  # type: ignore[union-attr]
    # Against real Xero this is go.xero.com's page for the invoice; offline, the sandbox's.
    expect(open_in_xero).to_have_attribute("href", f"{app_server.xero_sandbox_url}/sandbox-online-invoice/"
                                                   f"{business.tenant_id}/{xero_id}")


def test_voiding_a_synced_invoice_takes_it_back_in_xero_and_then_offers_no_push(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin) -> None:
    business = own_business(app_server, xero_admin, "Voided Here")
    invoice_id, number = business.invoice("100")
    login(page, app_server, business.email(Role.OWNER), then=f"/invoices/{invoice_id}")
    panel = page.get_by_test_id("xero-panel")
    panel.get_by_test_id("push-to-xero").click()
    expect(panel.get_by_test_id("sync-status")).to_have_text("Synced", timeout=30_000)

    page.get_by_test_id("void").click()
    page.get_by_test_id("confirm-void").click()
    expect(page.get_by_test_id("invoice-status").first).to_have_text("Voided")
    expect(page.get_by_test_id("amount-due")).to_have_text("Amount due $0.00")
    expect(panel.get_by_test_id("sync-status")).to_have_text("Not synced")
    panel.get_by_test_id("push-to-xero").click()  # the void is still to reach Xero

    expect(panel.get_by_test_id("sync-status")).to_have_text("Synced", timeout=30_000)
    expect(panel.get_by_test_id("push-to-xero")).to_have_count(0)
    [held] = xero_admin.invoices_numbered(business.tenant_id)[number]
    assert held["Status"] == "VOIDED"

"""Resolving a sync error in the browser (help article step 5): plain words, Xero's text under Details, a fix."""

from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlmodel import Session, select

from myapprentice_app.db import get_engine
from myapprentice_app.models import Invoice
from tests.e2e.conftest import AppServer, _bright_spark, login, screenshot
from tests.support.xero_sandbox import SandboxAdmin


def _numbered(app_server: AppServer, invoice_id: int) -> Invoice:
    with Session(get_engine(app_server.database_url)) as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        return invoice


def test_finance_resolves_an_invoice_number_conflict_by_renumbering_and_the_invoice_ends_synced(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin, xero_connected: str) -> None:
    with Session(get_engine(app_server.database_url)) as session:
        business = _bright_spark(session)
        clash = session.exec(select(Invoice).where(Invoice.business_id == business.id,
                                                   Invoice.number == "INV-0001")).one()
    assert clash.status == "draft"  # the demo's first invoice; the sandbox organisation has its own INV-0001
    xero_before = xero_admin.invoices_numbered(xero_connected)["INV-0001"]

    login(page, app_server, "finance@brightspark.test")
    page.get_by_label("Search").fill("INV-0001")
    page.get_by_role("button", name="Search").click()
    page.get_by_test_id("invoice-row").get_by_role("link", name="INV-0001").click()
    expect(page.get_by_test_id("invoice-number")).to_have_text("INV-0001")
    page.get_by_test_id("authorise").click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Authorised")

    panel = page.get_by_test_id("xero-panel")
    panel.get_by_test_id("push-to-xero").click()
    expect(panel.get_by_test_id("sync-status")).to_have_text("Error", timeout=30_000)
    expect(panel.get_by_test_id("sync-error-title")).to_have_text("Invoice number conflict")
    expect(panel.get_by_test_id("sync-error-message")).to_contain_text("Xero already has invoice INV-0001")
    panel.get_by_text("Details", exact=True).click()
    expect(panel.get_by_test_id("xero-raw")).to_contain_text("pre-flight")  # caught before any write to Xero
    expect(panel.get_by_test_id("fix-link_invoice")).to_be_disabled()  # another client and total in Xero
    screenshot(page, "xero-error-number-conflict")

    panel.get_by_test_id("fix-renumber").click()
    expect(panel.get_by_test_id("sync-status")).to_have_text("Synced", timeout=30_000)
    expect(panel.get_by_test_id("sync-error-title")).to_have_count(0)
    renumbered = _numbered(app_server, clash.id or 0)
    assert renumbered.number != "INV-0001"
    expect(page.get_by_test_id("invoice-number")).to_have_text(renumbered.number)
    screenshot(page, "xero-error-fixed")

    in_xero = xero_admin.invoices_numbered(xero_connected)
    assert [x["InvoiceID"] for x in in_xero[renumbered.number]] == [renumbered.xero_invoice_id]
    assert in_xero["INV-0001"] == xero_before, "Xero's own INV-0001 is untouched"

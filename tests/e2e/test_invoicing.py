"""Invoicing in the browser: quote → invoice with live totals, send, mark paid, CSV from the three-dot menu, phone."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer, login, screenshot


def test_finance_downloads_an_invoice_csv_in_xero_columns_from_the_three_dot_menu(
    page: Page, app_server: AppServer
) -> None:
    login(page, app_server, "finance@brightspark.test")
    first = page.get_by_test_id("invoice-row").first
    number = first.get_by_role("link").inner_text()
    first.get_by_test_id("row-menu").click()
    screenshot(page, "invoices-three-dot-menu")
    with page.expect_download() as download:
        page.get_by_role("menuitem", name="CSV export").click()

    assert download.value.suggested_filename == f"invoice-{number}.csv"
    rows = list(csv.DictReader(io.StringIO(open(download.value.path(), encoding="utf-8").read())))
    assert rows and {row["InvoiceNumber"] for row in rows} == {number}
    assert {
        "ContactName",
        "EmailAddress",
        "InvoiceDate",
        "DueDate",
        "Description",
        "Quantity",
        "UnitAmount",
        "AccountCode",
        "TaxType",
        "Currency",
    } <= set(rows[0])
    assert re.fullmatch(r"\d\d/\d\d/\d{4}", rows[0]["InvoiceDate"])


def test_an_accepted_quote_becomes_an_invoice_that_is_sent_and_part_paid(page: Page, app_server: AppServer) -> None:
    login(page, app_server, "admin@brightspark.test")
    page.goto(f"{app_server.url}/quotes")
    page.get_by_test_id("quote-row").filter(has_text="Q-0001").get_by_test_id("invoice-quote").click()
    expect(page.get_by_test_id("form-heading")).to_have_text("New invoice")
    expect(page.get_by_test_id("total")).to_have_text("$627.00")  # 6 × $95 + GST, copied from Q-0001

    page.get_by_label("Quantity").first.fill("10")
    expect(page.get_by_test_id("total")).to_have_text("$1,045.00")  # recomputed on the server as you type
    screenshot(page, "invoice-from-quote")
    page.get_by_test_id("save-invoice").click()
    expect(page.get_by_test_id("invoice-number")).to_be_visible()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Draft")

    page.get_by_test_id("send-to-client").click()
    expect(page.locator("#to_address")).to_have_value("accounts@harbourside.test")
    screenshot(page, "send-to-client")
    page.get_by_test_id("confirm-send").click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Sent")

    page.get_by_test_id("mark-paid").click()
    expect(page.locator("#amount")).to_have_value("1045.00")
    page.locator("#amount").fill("2000")
    page.get_by_test_id("record-payment").click()
    expect(page.get_by_role("alert").filter(has_text="still owing")).to_be_visible()  # overpayment refused
    page.locator("#amount").fill("500")
    page.locator("#reference").fill("EFT 1234")
    page.get_by_test_id("record-payment").click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Part paid")
    expect(page.get_by_test_id("amount-due")).to_contain_text("$545.00")
    expect(page.get_by_test_id("payment-row")).to_contain_text("EFT 1234")
    screenshot(page, "invoice-part-paid")

    page.goto(f"{app_server.url}/outbox")
    expect(page.get_by_test_id("outbox-message").first).to_contain_text("accounts@harbourside.test")
    screenshot(page, "outbox")


def test_a_supervisor_gets_no_mark_as_paid_in_the_three_dot_menu(page: Page, app_server: AppServer) -> None:
    login(page, app_server, "supervisor@brightspark.test")
    page.get_by_test_id("invoice-row").first.get_by_test_id("row-menu").click()
    expect(page.get_by_role("menuitem", name="CSV export")).to_be_visible()
    expect(page.get_by_role("menuitem", name="Mark as paid")).to_have_count(0)


def test_invoices_and_an_invoice_fit_a_375_pixel_phone(page: Page, app_server: AppServer) -> None:
    page.set_viewport_size({"width": 375, "height": 740})
    login(page, app_server, "sole@soloplumbing.test")
    expect(page.get_by_test_id("invoice-row").first).to_be_visible()
    screenshot(page, "phone-invoices")
    page.get_by_test_id("invoice-row").first.get_by_role("link").click()
    expect(page.get_by_test_id("invoice-number")).to_be_visible()
    screenshot(page, "phone-invoice")
    assert page.evaluate("document.documentElement.scrollWidth") <= 376

"""A new client, a completed job for them, and an invoice raised from that job; voiding asks first."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer, login, screenshot


def _choose(page: Page, field: str, option: str) -> None:
    page.locator(f"#{field}").click()
    page.get_by_role("option", name=option, exact=True).click()


def test_an_office_admin_raises_an_invoice_from_a_completed_job_for_a_new_client(
        page: Page, app_server: AppServer) -> None:
    login(page, app_server, "admin@brightspark.test")
    page.goto(f"{app_server.url}/clients")
    page.get_by_role("button", name="New client").click()
    page.locator("#email").fill("office@kookaburra.test")
    page.get_by_test_id("save").click()
    expect(page.get_by_role("alert").first).to_be_visible()  # the name is required
    expect(page.locator("#email")).to_have_value("office@kookaburra.test")  # and nothing typed is lost
    page.locator("#name").fill("Kookaburra Kindergarten")
    page.get_by_test_id("save").click()
    page.wait_for_url("**/clients")
    expect(page.get_by_role("link", name="Kookaburra Kindergarten")).to_be_visible()

    page.goto(f"{app_server.url}/jobs")
    page.get_by_role("button", name="New job").click()
    _choose(page, "client_id", "Kookaburra Kindergarten")
    page.locator("#title").fill("Playroom lighting")
    _choose(page, "status", "Completed")
    page.get_by_label("Description").first.fill("LED panel lights")
    page.get_by_label("Quantity").first.fill("3")
    page.get_by_label("Unit price").first.fill("120")
    expect(page.get_by_test_id("total")).to_have_text("$396.00")  # 360 + 10% GST, as you type
    page.get_by_test_id("save").click()
    page.wait_for_url("**/jobs")

    job_row = page.get_by_test_id("job-row").filter(has_text="Playroom lighting")
    job_row.get_by_test_id("invoice-job").click()
    page.wait_for_url("**/invoices/new?job=*")
    expect(page.get_by_label("Description").first).to_have_value("LED panel lights")
    page.get_by_label("Quantity").first.fill("4")  # copied lines stay editable
    expect(page.get_by_test_id("total")).to_have_text("$528.00")
    page.get_by_test_id("save-invoice").click()
    expect(page.get_by_test_id("invoice-number")).to_be_visible()
    expect(page.get_by_test_id("invoice-line")).to_have_count(1)
    expect(page.get_by_test_id("invoice-status").first).to_have_text("Draft")
    screenshot(page, "invoice-from-job")

    page.get_by_test_id("void").click()
    page.get_by_role("button", name="Keep it").click()
    expect(page.get_by_test_id("invoice-status").first).to_have_text("Draft")
    page.get_by_test_id("void").click()
    page.get_by_test_id("confirm-void").click()
    expect(page.get_by_test_id("invoice-status").first).to_have_text("Voided")

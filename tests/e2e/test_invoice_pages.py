"""The invoice pages show the right invoice and no false messages, and a quote or job is invoiced once unless a
person confirms another (issue 12, points 1–3). Each test works in a business of its own, connected to its own
sandbox organisation, so its pushes never change what other tests read of Bright Spark."""

from __future__ import annotations

import re
from urllib.parse import quote as quote_url

from playwright.sync_api import Locator, Page, expect
from sqlmodel import Session, col, select

from myapprentice_app.db import get_engine
from myapprentice_app.domain.roles import Role
from myapprentice_app.domain.sync_states import ACTIVE_RUN_STATES, BOARD_RUN_KINDS
from myapprentice_app.models import Invoice, SyncAttempt, SyncRun
from tests.e2e.conftest import AppServer, login, screenshot
from tests.e2e.own_business import own_business
from tests.support.waiting import wait_until
from tests.support.xero_sandbox import SandboxAdmin

ERROR_TOAST = "[data-sonner-toast][data-type='error']"
SPA_MARK = "window.__same_page_load = 'yes'"  # survives client-side navigation, not a reload


def _invoice(app_server: AppServer, invoice_id: int) -> Invoice:
    with Session(get_engine(app_server.database_url)) as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        return invoice


def _attempts(app_server: AppServer, invoice_id: int) -> int:
    with Session(get_engine(app_server.database_url)) as session:
        return len(session.exec(select(SyncAttempt.id).where(col(SyncAttempt.invoice_id) == invoice_id)).all())


def _saved_invoice_number(page: Page) -> str:
    """Saving the invoice form opens the new invoice's page: its number."""
    page.wait_for_url(re.compile(r"/invoices/\d+/?$"))
    expect(page.get_by_test_id("invoice-number")).not_to_have_text("")
    return page.get_by_test_id("invoice-number").inner_text()


def _runs(app_server: AppServer, business_id: int, *, active: bool = False) -> int:
    """How many pushes, Send alls and Sync Alls the business has asked for (only those still running)."""
    with Session(get_engine(app_server.database_url)) as session:
        query = select(SyncRun.id).where(SyncRun.business_id == business_id, col(SyncRun.kind).in_(BOARD_RUN_KINDS))
        if active:
            query = query.where(col(SyncRun.state).in_(ACTIVE_RUN_STATES))
        return len(session.exec(query).all())


def _open_from_list(page: Page, number: str) -> None:
    """From an invoice back to the list by its link (if on one), and into another invoice by its number:
    client-side, no reload."""
    if re.search(r"/invoices/\d+", page.url):
        page.get_by_role("link", name="← All invoices").click()
    page.get_by_label("Search").fill(number)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("invoice-row")).to_have_count(1)
    page.get_by_test_id("invoice-row").get_by_role("link", name=number, exact=True).click()


def _expect_synced_page(page: Page, number: str, xero_link: str) -> None:
    panel = page.get_by_test_id("xero-panel")
    expect(page.get_by_test_id("invoice-number")).to_have_text(number)
    expect(page.get_by_test_id("invoice-status")).to_have_text("Paid")
    expect(page.get_by_test_id("sync-status").first).to_have_text("Synced")
    expect(page.get_by_test_id("amount-due")).to_contain_text("$0.00")
    expect(page.get_by_test_id("payment-row")).to_have_count(1)
    expect(page.get_by_test_id("mark-paid")).to_have_count(0)
    expect(panel.get_by_test_id("sync-status")).to_have_text("Synced")
    expect(panel.get_by_test_id("open-in-xero")).to_have_attribute("href", xero_link)
    expect(panel.get_by_test_id("sync-error-title")).to_have_count(0)
    expect(panel.locator("[data-testid^='fix-']")).to_have_count(0)


def _expect_error_page(page: Page, number: str, history_rows: int) -> None:
    panel = page.get_by_test_id("xero-panel")
    expect(page.get_by_test_id("invoice-number")).to_have_text(number)
    expect(page.get_by_test_id("invoice-status")).to_have_text("Authorised")
    expect(page.get_by_test_id("sync-status").first).to_have_text("Error")
    expect(page.get_by_test_id("amount-due")).to_contain_text("$40.00")
    expect(page.get_by_test_id("no-payments")).to_be_visible()
    expect(page.get_by_test_id("mark-paid")).to_be_visible()
    expect(panel.get_by_test_id("sync-status")).to_have_text("Error")
    expect(panel.get_by_test_id("sync-error-title")).to_be_visible()
    expect(panel.get_by_test_id("fix-map_tax_rate")).to_be_visible()
    expect(panel.get_by_test_id("open-in-xero")).to_have_count(0)
    expect(panel.get_by_test_id("sync-history-row")).to_have_count(history_rows)


def test_moving_between_a_synced_and_an_errored_invoice_without_a_reload_shows_each_ones_own_page(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin) -> None:
    business = own_business(app_server, xero_admin, "Right Invoice")
    synced_id, synced_number = business.invoice("100")
    errored_id, errored_number = business.invoice("40", rate="gst free")
    login(page, app_server, business.email(Role.FINANCE), then="/invoices")
    expect(page.get_by_test_id("invoice-row")).to_have_count(2)
    page.evaluate(SPA_MARK)

    _open_from_list(page, synced_number)
    page.get_by_test_id("xero-panel").get_by_test_id("push-to-xero").click()
    expect(page.get_by_test_id("xero-panel").get_by_test_id("sync-status")).to_have_text("Synced", timeout=30_000)
    page.get_by_test_id("mark-paid").click()
    page.get_by_test_id("record-payment").click()
    expect(page.get_by_test_id("payment-row")).to_have_count(1)
    xero_link = page.get_by_test_id("open-in-xero").get_attribute("href") or ""
    assert _invoice(app_server, synced_id).xero_invoice_id in xero_link

    business.unmap_gst_free()
    _open_from_list(page, errored_number)
    expect(page.get_by_test_id("invoice-number")).to_have_text(errored_number)
    page.get_by_test_id("xero-panel").get_by_test_id("push-to-xero").click()
    expect(page.get_by_test_id("xero-panel").get_by_test_id("sync-status")).to_have_text("Error", timeout=30_000)
    _expect_error_page(page, errored_number, _attempts(app_server, errored_id))
    screenshot(page, "invoice-page-error")

    page.go_back()  # the list
    page.go_back()  # the synced invoice
    _expect_synced_page(page, synced_number, xero_link)
    _open_from_list(page, errored_number)
    _expect_error_page(page, errored_number, _attempts(app_server, errored_id))
    _open_from_list(page, synced_number)
    _expect_synced_page(page, synced_number, xero_link)
    assert page.evaluate("window.__same_page_load") == "yes", "a page was reloaded: the test proved nothing"
    expect(page.locator(ERROR_TOAST)).to_have_count(0)


def test_a_fix_pressed_on_a_page_showing_an_earlier_state_of_the_invoice_is_refused_and_the_page_catches_up(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin) -> None:
    business = own_business(app_server, xero_admin, "Stale Fix")
    business.unmap_gst_free()
    invoice_id, number = business.invoice("40", rate="gst free")
    login(page, app_server, business.email(Role.FINANCE), then=f"/invoices/{invoice_id}")
    panel = page.get_by_test_id("xero-panel")
    panel.get_by_test_id("push-to-xero").click()
    expect(panel.get_by_test_id("sync-status")).to_have_text("Error", timeout=30_000)

    business.map_gst_free()  # someone maps the tax rate, then retries the invoice in another tab
    other_tab = page.context.new_page()
    other_tab.goto(f"{app_server.url}/invoices/{invoice_id}")
    other_tab.get_by_test_id("fix-retry").click()
    expect(other_tab.get_by_test_id("xero-panel").get_by_test_id("sync-status")).to_have_text("Synced",
                                                                                             timeout=30_000)

    panel.get_by_test_id("fix-retry").click()  # this tab still shows the error

    expect(page.locator(ERROR_TOAST)).to_contain_text(f"{number} has changed since this page showed it")
    expect(panel.get_by_test_id("sync-status")).to_have_text("Synced")
    expect(panel.get_by_test_id("fix-retry")).to_have_count(0)
    assert _runs(app_server, business.business_id) == 2, "the stale fix pushed the invoice again"


def test_send_all_push_sync_all_and_mark_as_paid_raise_no_error_toast(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin) -> None:
    business = own_business(app_server, xero_admin, "Quiet Sparks")
    numbers = [business.invoice(amount)[1] for amount in ("100", "200", "300")]
    login(page, app_server, business.email(Role.FINANCE), then="/invoices")
    errors = page.locator(ERROR_TOAST)
    rows = page.get_by_test_id("invoice-row")
    expect(rows).to_have_count(3)

    page.get_by_test_id("send-all-to-xero").click()
    expect(page.get_by_text("Sending all invoices to Xero…")).to_be_visible()
    expect(rows.get_by_test_id("sync-status")).to_have_text(["Synced"] * 3, timeout=30_000)
    expect(errors).to_have_count(0)

    rows.first.get_by_test_id("row-menu").click()
    page.get_by_test_id("menu-push").click()
    expect(page.get_by_text("Sending to Xero…")).to_be_visible()
    expect(rows.first.get_by_test_id("sync-status")).to_have_text("Synced", timeout=30_000)
    expect(errors).to_have_count(0)

    page.get_by_test_id("sync-all").click()
    expect(page.get_by_text("Checking Xero for payments and changes…")).to_be_visible()
    wait_until(lambda: _runs(app_server, business.business_id, active=True) == 0, seconds=30,
               waiting_for="Sync All to finish")
    rows.first.get_by_test_id("row-menu").click()
    page.get_by_role("menuitem", name="Mark as paid").click()
    page.get_by_test_id("record-payment").click()
    expect(page.get_by_text(re.compile(r"Payment recorded: .* is paid in full\."))).to_be_visible()
    expect(errors).to_have_count(0)

    rows.get_by_role("link", name=numbers[1], exact=True).click()
    page.get_by_test_id("xero-panel").get_by_test_id("push-to-xero").click()
    expect(page.get_by_test_id("xero-panel").get_by_test_id("sync-status")).to_have_text("Synced", timeout=30_000)
    page.get_by_test_id("mark-paid").click()
    page.get_by_test_id("record-payment").click()
    expect(page.get_by_test_id("payment-row")).to_have_count(1)
    page.get_by_role("link", name="← All invoices").click()
    expect(rows).to_have_count(3)
    expect(errors).to_have_count(0)


def test_an_invoiced_quote_says_so_and_another_invoice_needs_a_confirmation_that_names_the_first(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin) -> None:
    business = own_business(app_server, xero_admin, "Invoiced Once", connected=False)
    _, quote_number = business.accepted_quote("Kitchen rewire")
    business.accepted_quote("Unused quote")  # a second row, never invoiced
    business.completed_job("Pool pump")
    login(page, app_server, business.email(Role.OWNER), then="/quotes")
    row = page.get_by_test_id("quote-row").filter(has_text=quote_number)
    expect(row.get_by_test_id("work-status")).to_have_text("Accepted")
    expect(row.get_by_test_id("work-amount")).to_have_text("$836.00")  # 8 × $95 + GST
    expect(row.get_by_test_id("invoiced")).to_have_count(0)

    row.get_by_test_id("invoice-quote").click()
    expect(page.get_by_test_id("already-invoiced")).to_have_count(0)
    page.get_by_test_id("save-invoice").click()
    first = _saved_invoice_number(page)

    page.goto(f"{app_server.url}/quotes")
    expect(row.get_by_test_id("invoiced")).to_have_text(f"Invoiced · {first}")
    expect(row.get_by_test_id("invoice-quote")).to_have_count(0)
    row.get_by_test_id("invoiced").click()
    expect(page.get_by_test_id("invoice-number")).to_have_text(first)
    page.go_back()
    row.get_by_test_id("invoice-quote-again").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Quote {quote_number} already has invoice {first}.")
    screenshot(page, "quote-create-another")
    dialog.get_by_test_id("confirm-another").click()
    expect(page.get_by_test_id("already-invoiced")).to_have_text(f"Quote {quote_number} already has invoice {first}.")
    expect(page.get_by_label("Create another invoice (a progress claim, say)")).to_be_checked()
    page.get_by_test_id("save-invoice").click()
    second = _saved_invoice_number(page)
    assert second != first

    page.goto(f"{app_server.url}/quotes")
    expect(row.get_by_test_id("invoiced")).to_have_text(f"Invoiced · {first}, {second}")
    page.goto(f"{app_server.url}/jobs")
    job_row = page.get_by_test_id("job-row").filter(has_text="Pool pump")
    expect(job_row.get_by_test_id("work-status")).to_have_text("Completed")
    expect(job_row.get_by_test_id("work-amount")).to_have_text("$220.00")


def test_the_server_refuses_a_second_invoice_for_a_quote_until_the_person_confirms_it(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin) -> None:
    business = own_business(app_server, xero_admin, "Confirm First", connected=False)
    quote_id, quote_number = business.accepted_quote("Switchboard")
    login(page, app_server, business.email(Role.OWNER), then=quote_url(f"/invoices/new?quote={quote_id}", safe=""))
    page.get_by_test_id("save-invoice").click()
    first = _saved_invoice_number(page)

    page.goto(f"{app_server.url}/invoices/new?quote={quote_id}")  # typed in, not through the list's dialog
    box: Locator = page.get_by_label("Create another invoice (a progress claim, say)")
    expect(box).not_to_be_checked()
    page.get_by_test_id("save-invoice").click()
    expect(page.locator(ERROR_TOAST)).to_contain_text(f"Quote {quote_number} already has invoice {first}.")
    expect(page.get_by_test_id("form-heading")).to_have_text("New invoice")

    box.click()
    page.get_by_test_id("save-invoice").click()
    assert _saved_invoice_number(page) != first
    page.goto(f"{app_server.url}/quotes/{quote_id}")
    expect(page.get_by_test_id("invoiced")).to_contain_text(f"Invoiced · {first}, ")

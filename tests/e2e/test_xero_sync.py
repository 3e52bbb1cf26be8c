"""Pushing to Xero in the browser (help article steps 2, 3 and 6): one invoice, Send all, then a payment."""

from __future__ import annotations

import re
import time
from decimal import Decimal

from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from myapprentice_app.db import get_engine
from myapprentice_app.models import Invoice
from tests.e2e.conftest import AppServer, _bright_spark, login, screenshot
from tests.support.xero_sandbox import SandboxAdmin

IN_XERO = ("authorised", "sent", "part_paid", "paid")  # what Send all pushes (drafts only when awaiting a push)


def _invoices(app_server: AppServer) -> list[Invoice]:
    with Session(get_engine(app_server.database_url)) as session:
        business = _bright_spark(session)
        return list(session.exec(select(Invoice).where(Invoice.business_id == business.id)
                                 .order_by(col(Invoice.id))).all())


def _invoice(app_server: AppServer, invoice_id: int) -> Invoice:
    return next(invoice for invoice in _invoices(app_server) if invoice.id == invoice_id)


def _online_invoice_link(app_server: AppServer, invoice_id: int) -> str:
    deadline = time.monotonic() + 20
    while not (link := _invoice(app_server, invoice_id).xero_online_invoice_url):
        assert time.monotonic() < deadline, "the worker never stored the online-invoice link"
        time.sleep(0.1)
    return link


def _one_to_push(app_server: AppServer) -> Invoice:
    """An authorised invoice, preferably one Xero hasn't seen yet (the tests share one database)."""
    candidates = [i for i in _invoices(app_server) if i.status == "authorised" and i.amount_paid == 0]
    return next((i for i in candidates if i.sync_status == "not_synced"), candidates[0])


def test_finance_pushes_an_invoice_and_sees_it_pending_then_synced_then_sends_all_and_xero_holds_each_once(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin, xero_connected: str) -> None:
    invoice = _one_to_push(app_server)
    login(page, app_server, "finance@brightspark.test")
    page.get_by_test_id("invoice-row").first.wait_for()
    page.goto(f"{app_server.url}/invoices/{invoice.id}")
    panel = page.get_by_test_id("xero-panel")
    expect(panel).to_be_visible()

    xero_admin.faults(latency_ms=400)  # a Xero as slow as the real one, so Pending can be seen
    panel.get_by_test_id("push-to-xero").click()
    expect(panel.get_by_test_id("sync-status")).to_have_text("Pending")
    screenshot(page, "xero-push-pending")
    expect(panel.get_by_test_id("sync-status")).to_have_text("Synced", timeout=30_000)
    expect(page.get_by_test_id("sync-status").first).to_have_text("Synced")  # the heading's badge too
    xero_admin.faults(latency_ms=0)

    pushed = _invoice(app_server, invoice.id or 0)
    in_xero = xero_admin.invoices_numbered(xero_connected)[invoice.number]
    assert len(in_xero) == 1
    assert in_xero[0]["InvoiceID"] == pushed.xero_invoice_id and in_xero[0]["Status"] == "AUTHORISED"
    assert Decimal(str(in_xero[0]["Total"])) == invoice.total

    panel.get_by_text("Sync history").click()
    history = panel.get_by_test_id("sync-history-row").first
    expect(history).to_contain_text("Fiona Books")
    expect(history).to_contain_text("synced")
    expect(page.get_by_test_id("open-in-xero")).to_be_visible()
    screenshot(page, "xero-push-synced-history")

    link = _online_invoice_link(app_server, invoice.id or 0)  # fetched by the worker once Xero approved it
    page.reload()
    expect(panel.get_by_test_id("online-invoice")).to_have_attribute("href", link)
    with page.context.expect_page() as opened:
        panel.get_by_test_id("online-invoice").click()
    expect(opened.value.get_by_text(invoice.number)).to_be_visible()  # the client's Xero billing page
    opened.value.close()

    page.get_by_role("link", name="← All invoices").click()
    page.wait_for_url("**/invoices")
    waiting = [i for i in _invoices(app_server) if i.synced_version != i.version and (
        i.status in IN_XERO or (i.status == "draft" and (i.sync_status == "error" or i.xero_invoice_id)))]
    page.get_by_test_id("send-all-to-xero").click()
    expect(page.get_by_test_id("sync-board-summary")).to_have_text(  # the finished run, collapsed to a line
        f"Last Send all: {len(waiting)} synced, 0 errors — just now", timeout=60_000)
    screenshot(page, "xero-send-all-done")
    for row in page.get_by_test_id("invoice-row").all():
        if row.get_by_test_id("invoice-status").first.inner_text() not in ("Draft", "Voided"):
            expect(row.get_by_test_id("sync-status").first).to_have_text("Synced")

    invoices = _invoices(app_server)
    eligible = [i for i in invoices if i.status in IN_XERO]
    assert eligible and all(i.sync_status == "synced" and i.synced_version == i.version for i in eligible)
    stored = xero_admin.stored(xero_connected, "invoices")
    numbers = [x["InvoiceNumber"] for x in stored]
    assert len(numbers) == len(set(numbers)), "no invoice reached Xero twice"
    linked = {i.xero_invoice_id for i in invoices if i.xero_invoice_id}
    seeded = {x["InvoiceID"] for x in stored if re.fullmatch(r"INV-0001", x["InvoiceNumber"])}
    assert {x["InvoiceID"] for x in stored} == linked | seeded, "Xero holds exactly the app's invoices"
    assert len(stored) == len(linked) + len(seeded - linked)
    assert {i.xero_invoice_id for i in eligible} <= linked


def test_finance_marks_an_invoice_paid_and_the_payment_reaches_xero_on_the_next_sync(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin, xero_connected: str) -> None:
    invoice = _one_to_push(app_server)
    login(page, app_server, "finance@brightspark.test")
    page.get_by_test_id("invoice-row").first.wait_for()
    page.goto(f"{app_server.url}/invoices/{invoice.id}")
    panel = page.get_by_test_id("xero-panel")
    if invoice.sync_status != "synced":
        panel.get_by_test_id("push-to-xero").click()
    expect(panel.get_by_test_id("sync-status")).to_have_text("Synced", timeout=30_000)
    xero_id = _invoice(app_server, invoice.id or 0).xero_invoice_id

    page.get_by_test_id("mark-paid").click()
    expect(page.locator("#amount")).to_have_value(f"{invoice.total:.2f}")
    reference = f"EFT {invoice.number}"
    page.locator("#reference").fill(reference)
    page.get_by_test_id("record-payment").click()
    expect(page.get_by_test_id("invoice-status")).to_have_text("Paid")
    expect(page.get_by_test_id("payment-row")).to_contain_text("Not synced")
    assert not [p for p in xero_admin.stored(xero_connected, "payments") if p["Invoice"]["InvoiceID"] == xero_id]

    page.get_by_role("link", name="← All invoices").click()
    page.get_by_test_id("sync-all").click()  # the next cycle (the worker also runs one every minute)
    expect(page.get_by_test_id("sync-board-summary")).to_contain_text("Last Sync All: ", timeout=30_000)
    payments = [p for p in xero_admin.stored(xero_connected, "payments") if p["Invoice"]["InvoiceID"] == xero_id]
    assert len(payments) == 1
    assert Decimal(str(payments[0]["Amount"])) == invoice.total and payments[0]["Account"]["Code"] == "090"
    assert xero_admin.invoices_numbered(xero_connected)[invoice.number][0]["Status"] == "PAID"

    page.goto(f"{app_server.url}/invoices/{invoice.id}")
    expect(page.get_by_test_id("payment-row")).to_contain_text("Synced")
    screenshot(page, "xero-payment-synced")

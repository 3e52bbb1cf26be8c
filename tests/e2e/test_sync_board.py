"""The sync board shared live by every tab of the business (issue 12, points 4 and 6), in Chromium.

Xero's latency is turned up so a Send all lasts several seconds: pre-flight puts one invoice in Error at once,
then the contacts call and the invoices' call each take that long.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from decimal import Decimal

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlmodel import Session, col, select

from myapprentice_app.db import get_engine
from myapprentice_app.models import Invoice, LineItem, SyncRun, TaxRate
from tests.e2e.conftest import AppServer, _bright_spark, login, screenshot
from tests.integration.xero.conftest import make_invoices
from tests.support.waiting import wait_until
from tests.support.xero_sandbox import SandboxAdmin

SLOW_XERO_MS = 2500
# Every change of the board a tab shows: (ms since epoch, "done / total", counts, summary line).
WATCH_BOARD = """() => {
  window.boardSeen = [];
  const text = (id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? "";
  const note = () => {
    const now = [text("sync-board-progress"), text("sync-board-counts"), text("sync-board-summary")];
    const last = window.boardSeen.at(-1);
    if (!last || last.slice(1).join() !== now.join()) window.boardSeen.push([Date.now(), ...now]);
  };
  new MutationObserver(note).observe(document.body, {subtree: true, childList: true, characterData: true});
  note();
}"""


def _new_invoices(app_server: AppServer, count: int, *, failing: int = 0) -> list[Invoice]:
    """Authorised invoices for new clients; the first `failing` have a tax rate mapped to nothing in Xero."""
    with Session(get_engine(app_server.database_url), expire_on_commit=False) as session:
        business = _bright_spark(session)
        prefix = f"LV{os.urandom(2).hex().upper()}-"
        ids = make_invoices(session, business.id or 0, count, clients=3, prefix=prefix)
        if failing:
            unmapped = TaxRate(business_id=business.id or 0, name=f"Unmapped {prefix}", rate=Decimal(10))
            session.add(unmapped)
            session.flush()
            for line in session.exec(select(LineItem).where(col(LineItem.invoice_id).in_(ids[:failing]))).all():
                line.tax_rate_id = unmapped.id
            session.commit()
        return list(session.exec(select(Invoice).where(col(Invoice.id).in_(ids)).order_by(col(Invoice.id))).all())


@pytest.fixture(autouse=True)
def _unmapped_rates_mapped_afterwards(app_server: AppServer) -> Iterator[None]:
    """The invoices a test left in Error go to Xero with the next Send all of a later test."""
    yield
    with Session(get_engine(app_server.database_url)) as session:
        for rate in session.exec(select(TaxRate).where(col(TaxRate.name).startswith("Unmapped LV"))).all():
            rate.xero_tax_type = "OUTPUT"
            session.add(rate)
        session.commit()


def _eligible(app_server: AppServer) -> int:
    from myapprentice_app.services.xero_sync import eligible_for_send_all

    with Session(get_engine(app_server.database_url)) as session:
        return len(session.exec(eligible_for_send_all(_bright_spark(session).id or 0)).all())


def _latest_run(app_server: AppServer) -> SyncRun:
    with Session(get_engine(app_server.database_url)) as session:
        business = _bright_spark(session)
        return session.exec(select(SyncRun).where(SyncRun.business_id == business.id)
                            .order_by(col(SyncRun.id).desc())).first()


def _on_invoices(browser: Browser, app_server: AppServer, email: str) -> Page:
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.context.set_default_timeout(20_000)
    login(page, app_server, email)
    page.goto(f"{app_server.url}/invoices")
    page.get_by_test_id("invoice-row").first.wait_for()
    return page


def _of(total: int) -> re.Pattern[str]:
    return re.compile(rf"^\d+ / {total}$")


def _seen(page: Page) -> list[list]:
    return page.evaluate("() => window.boardSeen")


def test_finance_and_owner_watch_one_send_all_live_from_tabs_opened_before_it_started(
        browser: Browser, app_server: AppServer, xero_admin: SandboxAdmin, xero_connected: str) -> None:
    finance = _on_invoices(browser, app_server, "finance@brightspark.test")
    owner = _on_invoices(browser, app_server, "owner@brightspark.test")
    _new_invoices(app_server, 12, failing=1)
    total = _eligible(app_server)
    for page in (finance, owner):
        page.evaluate(WATCH_BOARD)
    xero_admin.faults(latency_ms=SLOW_XERO_MS)

    finance.get_by_test_id("send-all-to-xero").click()

    for page in (finance, owner):  # the Owner's tab was open before the run and did nothing: it joined it
        expect(page.get_by_test_id("sync-board-progress")).to_have_text(_of(total))
        expect(page.get_by_test_id("sync-board-kind")).to_have_text("Send all")
    expect(owner.get_by_test_id("board-chip").first).to_be_visible()
    screenshot(owner, "sync-board-live")
    for page in (finance, owner):
        expect(page.get_by_test_id("sync-board-summary")).to_have_text(
            f"Last Send all: {total - 1} synced, 1 error — just now", timeout=60_000)
    xero_admin.faults(latency_ms=0)
    screenshot(owner, "sync-board-finished")

    for name, page in (("Finance", finance), ("Owner", owner)):
        seen = _seen(page)
        progress = [int(row[1].split(" / ")[0]) for row in seen if row[1]]
        assert progress == sorted(progress), f"{name}'s board went backwards: {seen}"
        assert any(0 < done < total for done in progress), f"{name} saw no state between start and end: {seen}"
        assert any(row[2] == f"0 synced · 1 errors · {total - 1} pending" for row in seen), \
            f"{name} never saw the failing invoice turn Error while the others were Pending: {seen}"
    expect(finance.get_by_test_id("sync-board")).to_have_count(0)  # the finished run is one line, not a board
    for page in (finance, owner):
        page.context.close()


def test_a_tab_opened_or_reloaded_mid_run_shows_it_and_closing_every_browser_leaves_the_run_to_finish(
        browser: Browser, app_server: AppServer, xero_admin: SandboxAdmin, xero_connected: str) -> None:
    made = _new_invoices(app_server, 8)
    total = _eligible(app_server)
    finance = _on_invoices(browser, app_server, "finance@brightspark.test")
    late = browser.new_context().new_page()
    login(late, app_server, "owner@brightspark.test", then="/quotes")  # signed in, not on a board yet
    xero_admin.faults(latency_ms=SLOW_XERO_MS * 4)
    finance.get_by_test_id("send-all-to-xero").click()
    expect(finance.get_by_test_id("sync-board-progress")).to_have_text(_of(total))

    late.goto(f"{app_server.url}/invoices")  # the board opened mid-run
    expect(late.get_by_test_id("sync-board-progress")).to_have_text(_of(total))
    expect(late.get_by_test_id("board-chip")).to_have_count(min(total, 60))
    finance.reload()
    expect(finance.get_by_test_id("sync-board-progress")).to_have_text(_of(total))
    expect(finance.get_by_test_id("sync-board-state")).to_have_text(re.compile("queued|running"))
    run = _latest_run(app_server)
    assert run.state != "done", "the run was still going when every browser closed"

    for page in (finance, late):
        page.context.close()

    wait_until(lambda: _latest_run(app_server).state == "done", seconds=90, waiting_for="the run to finish")
    xero_admin.faults(latency_ms=0)
    numbers = xero_admin.invoices_numbered(xero_connected)
    assert all(len(numbers.get(invoice.number, [])) == 1 for invoice in made), "each invoice reached Xero once"
    again = _on_invoices(browser, app_server, "owner@brightspark.test")
    expect(again.get_by_test_id("sync-board-summary")).to_contain_text(f"Last Send all: {total} synced, 0 errors")
    again.context.close()


def test_an_error_chip_opens_its_fix_retry_failed_resends_only_it_and_run_history_opens_each_outcome(
        browser: Browser, app_server: AppServer, xero_admin: SandboxAdmin, xero_connected: str) -> None:
    failing, *rest = _new_invoices(app_server, 3, failing=1)
    total = _eligible(app_server)
    finance = _on_invoices(browser, app_server, "finance@brightspark.test")
    finance.get_by_test_id("send-all-to-xero").click()
    expect(finance.get_by_test_id("sync-board-summary")).to_contain_text(f"{total - 1} synced, 1 error",
                                                                         timeout=60_000)
    writes = xero_admin.calls("POST /Invoices") + xero_admin.calls("PUT /Invoices")

    finance.get_by_test_id("run-history-toggle").click()
    latest = finance.get_by_test_id("run-history-row").first
    expect(latest).to_contain_text("Send all")
    expect(latest).to_contain_text("Fiona Books")
    expect(latest).to_contain_text(f"{total - 1} synced, 1 error")
    latest.get_by_role("button", name="Outcome").click()
    outcome = finance.get_by_test_id("run-outcome")
    expect(outcome.get_by_test_id("run-outcome-chip")).to_have_count(total)
    chip = outcome.locator('[data-testid="run-outcome-chip"][data-outcome="error"]')
    expect(chip).to_have_text(failing.number)
    chip.click()
    finance.wait_for_url(f"**/invoices/{failing.id}#xero-panel")
    expect(finance.get_by_test_id("sync-error-title")).to_be_visible()

    with Session(get_engine(app_server.database_url)) as session:  # the fix: map the rate to GST on Income
        rate = session.exec(select(TaxRate).where(TaxRate.name.startswith("Unmapped LV"))  # type: ignore[union-attr]
                            .order_by(col(TaxRate.id).desc())).first()
        rate.xero_tax_type = "OUTPUT"
        session.add(rate)
        session.commit()
    finance.go_back()
    finance.get_by_test_id("retry-failed").click()
    expect(finance.get_by_test_id("sync-board-summary")).to_contain_text("Last Push to Xero: 1 synced, 0 errors",
                                                                         timeout=60_000)
    assert xero_admin.calls("POST /Invoices") + xero_admin.calls("PUT /Invoices") == writes + 1
    assert len(xero_admin.invoices_numbered(xero_connected)[failing.number]) == 1
    assert all(len(xero_admin.invoices_numbered(xero_connected)[invoice.number]) == 1 for invoice in rest)
    finance.context.close()

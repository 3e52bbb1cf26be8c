"""Fix once for all, in the browser (issue 12, point 7): after a Send all, the Invoices page groups the errors by
cause, and one fix of the cause sends every invoice in Error for it again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect
from sqlmodel import Session, col, select

from myapprentice_app.db import get_engine
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import Client, Invoice, SyncProblem, User, XeroSettings
from myapprentice_app.services import invoices as invoice_service
from myapprentice_app.services.invoices import InvoiceDraft, LineDraft
from myapprentice_app.services.principal import Principal
from tests.e2e.conftest import AppServer, _bright_spark, login, screenshot
from tests.support.waiting import wait_until
from tests.support.xero_sandbox import SandboxAdmin

OTHER_LINES = "No Xero account is chosen for Other lines."


def _call_outs_without_an_other_account(app_server: AppServer, count: int) -> dict[int, str]:
    """`count` authorised call-out invoices (Other lines) for a new client, with the Other account unset."""
    with Session(get_engine(app_server.database_url)) as session:
        business = _bright_spark(session)
        user = session.exec(select(User).where(User.email == "owner@brightspark.test")).one()
        owner = Principal(user_id=user.id or 0, business_id=business.id or 0, role=Role.OWNER, name=user.name,
                          email=user.email, business_name=business.name, mfa_enabled=False, recent_mfa=False)
        client = Client(business_id=business.id or 0, name=f"Fix Once Pty Ltd {dt.datetime.now():%H%M%S%f}")
        session.add(client)
        session.commit()
        numbers = {}
        for _ in range(count):
            draft = InvoiceDraft(client_id=client.id, issue_date=dt.date.today(),
                                 due_date=dt.date.today() + dt.timedelta(days=14),
                                 lines=[LineDraft(description="After-hours call-out", quantity="1",
                                                  unit_amount="150.00", category="other", tax_rate_id=None)])
            invoice = invoice_service.create_invoice(session, owner, draft)
            invoice_service.authorise_invoice(session, owner, invoice.id or 0)
            numbers[invoice.id or 0] = invoice.number
        session.get(XeroSettings, business.id).other_account = None
        session.commit()
        return numbers


def _in_error_for_other_lines(app_server: AppServer) -> int:
    with Session(get_engine(app_server.database_url)) as session:
        return len(session.exec(select(SyncProblem.invoice_id).join(Invoice, col(Invoice.id) == SyncProblem.invoice_id)
                                .where(SyncProblem.cause == "account:other", Invoice.sync_status == "error")).all())


def _statuses(app_server: AppServer, numbers: list[str]) -> set[str]:
    with Session(get_engine(app_server.database_url)) as session:
        return set(session.exec(select(Invoice.sync_status).where(col(Invoice.number).in_(numbers))).all())


@pytest.fixture
def call_outs(app_server: AppServer, xero_connected: str) -> Iterator[dict[int, str]]:
    """Three call-outs whose Other lines have no account; the account is back however the test ends (the browser
    tests share one database)."""
    yield _call_outs_without_an_other_account(app_server, 3)
    with Session(get_engine(app_server.database_url)) as session:
        session.get(XeroSettings, _bright_spark(session).id).other_account = "260"
        session.commit()


def test_finance_fixes_a_cause_once_and_every_invoice_in_error_for_it_reaches_xero(
        page: Page, app_server: AppServer, xero_admin: SandboxAdmin, xero_connected: str,
        call_outs: dict[int, str]) -> None:
    numbers = list(call_outs.values())
    login(page, app_server, "finance@brightspark.test")
    page.get_by_test_id("invoice-row").first.wait_for()
    for invoice_id in call_outs:  # pushed one by one (a Send all would also take the other tests' invoices)
        page.goto(f"{app_server.url}/invoices/{invoice_id}")
        page.get_by_test_id("xero-panel").get_by_test_id("push-to-xero").click()
        expect(page.get_by_test_id("xero-panel").get_by_test_id("sync-status")).to_have_text("Error",
                                                                                            timeout=30_000)
    in_error = _in_error_for_other_lines(app_server)
    assert in_error >= 3 and _statuses(app_server, numbers) == {"error"}

    page.get_by_role("link", name="Invoices", exact=True).click()
    group = page.get_by_test_id("error-cause").filter(has_text=OTHER_LINES)
    expect(group.get_by_test_id("cause-summary")).to_have_text(f"{in_error} invoices: {OTHER_LINES}")
    expect(group.get_by_role("link")).to_have_count(min(in_error, 8))  # the first few, each opening its invoice
    if in_error > 8:
        expect(group.get_by_text(f"and {in_error - 8} more")).to_be_visible()
    screenshot(page, "xero-errors-by-cause")

    group.get_by_label("Account for these lines").click()
    page.get_by_role("option").filter(has_text="260 · Other Revenue").click()
    group.get_by_test_id("fix-cause").click()

    expect(page.get_by_test_id("error-cause").filter(has_text=OTHER_LINES)).to_have_count(0, timeout=60_000)
    expect(page.get_by_text("Done. Sending those invoices to Xero again.")).to_be_visible()
    wait_until(lambda: _statuses(app_server, numbers) == {"synced"}, seconds=60,
               waiting_for="the call-outs to reach Xero once their cause was fixed")
    in_xero = xero_admin.invoices_numbered(xero_connected)
    assert [len(in_xero[number]) for number in numbers] == [1, 1, 1]  # each once
    assert {line["AccountCode"] for number in numbers for line in in_xero[number][0]["LineItems"]} == {"260"}
    with Session(get_engine(app_server.database_url)) as session:
        assert session.get(XeroSettings, _bright_spark(session).id).other_account == "260"

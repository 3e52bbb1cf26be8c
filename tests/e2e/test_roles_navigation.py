"""Each role signs in, sees exactly its navigation, and is refused one page it may not open."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer, login, screenshot

NO_ACCESS = "You don't have access to this page"

ROLES = [
    # email, navigation it must show, a page it must be refused
    ("owner@brightspark.test",
     ["Invoices", "Quotes", "Jobs", "Clients", "Audit trail", "Business Settings"], None),
    ("admin@brightspark.test",
     ["Invoices", "Quotes", "Jobs", "Clients", "Audit trail", "Business Settings"], None),
    ("finance@brightspark.test",
     ["Invoices", "Quotes", "Jobs", "Clients", "Business Settings"], "/settings/team"),
    ("sole@soloplumbing.test",
     ["Invoices", "Quotes", "Jobs", "Clients", "Audit trail", "Business Settings"], None),
    ("supervisor@brightspark.test", ["Invoices", "Quotes", "Jobs", "Clients"], "/settings/business"),
    ("tradie@brightspark.test", ["Jobs"], "/invoices"),
]


def navigation_labels(page: Page) -> list[str]:
    links = page.get_by_test_id("navigation").get_by_test_id("nav-link")
    expect(links.first).to_be_visible()
    return [text.strip() for text in links.all_inner_texts()]


@pytest.mark.parametrize(("email", "navigation", "refused"), ROLES, ids=[r[0].split("@")[0] for r in ROLES])
def test_each_role_sees_exactly_its_navigation_and_is_refused_what_it_may_not_open(
        page: Page, app_server: AppServer, email: str, navigation: list[str], refused: str | None) -> None:
    login(page, app_server, email)
    assert navigation_labels(page) == navigation
    screenshot(page, f"home-{email.split('@')[0]}")
    if refused:
        page.goto(f"{app_server.url}{refused}")
        expect(page.get_by_test_id("no-access")).to_have_text(NO_ACCESS)


def test_owner_and_sole_trader_cannot_open_each_others_business(page: Page, app_server: AppServer) -> None:
    login(page, app_server, "sole@soloplumbing.test")
    expect(page.get_by_test_id("invoice-row").first).to_be_visible()
    assert page.get_by_test_id("invoice-row").count() == 8


def test_finance_sees_only_the_xero_tab_of_business_settings(page: Page, app_server: AppServer) -> None:
    login(page, app_server, "finance@brightspark.test")
    page.get_by_test_id("navigation").get_by_text("Business Settings").click()
    expect(page.get_by_test_id("settings-tab")).to_have_count(1)
    expect(page.get_by_test_id("settings-tab")).to_have_text("Xero")
    assert page.url.endswith("/settings/xero") or page.url.endswith("/settings/xero/")


def test_a_wrong_password_does_not_say_whether_the_email_exists(page: Page, app_server: AppServer) -> None:
    for email in ("owner@brightspark.test", "nobody@brightspark.test"):
        page.goto(f"{app_server.url}/login")
        page.locator("#email").fill(email)
        page.locator("#password").fill("not-the-password")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_test_id("login-error")).to_have_text("That email and password don't match an account.")


def test_signing_in_from_a_deep_link_returns_to_that_page(page: Page, app_server: AppServer) -> None:
    page.goto(f"{app_server.url}/invoices?page=2")
    page.wait_for_url("**/login**")
    page.locator("#email").fill("finance@brightspark.test")
    page.locator("#password").fill("demo-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/invoices**")
    expect(page.get_by_test_id("invoice-row").first).to_be_visible()


def test_invoices_list_filters_by_status_and_searches(page: Page, app_server: AppServer) -> None:
    login(page, app_server, "owner@brightspark.test")
    expect(page.get_by_test_id("pager")).to_contain_text("invoices")
    everything = page.get_by_test_id("pager").inner_text()
    page.get_by_label("Status filter", exact=True).click()
    page.get_by_role("option", name="Paid", exact=True).click()
    expect(page.get_by_test_id("pager")).not_to_have_text(everything)
    for badge in page.get_by_test_id("invoice-status").all_inner_texts():
        assert badge == "Paid"
    page.get_by_label("Search").fill("INV-0005")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("invoice-row")).to_have_count(1)
    expect(page.get_by_test_id("sync-status")).to_have_text("Not synced")
    screenshot(page, "invoices-filtered")

"""Sign-in flows a person goes through: MFA set-up and sign-in with a code, expiry, lockout."""

from __future__ import annotations

import datetime as dt
import time

import pyotp
import sqlalchemy as sa
from playwright.sync_api import Page, expect

from myapprentice_app.db import get_engine
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import AuthSession
from tests.e2e.conftest import AppServer, login, screenshot


def _code(secret: str, seconds_ahead: int = 0) -> str:
    return pyotp.TOTP(secret).at(dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds_ahead))


def test_admin_sets_up_mfa_with_the_qr_code_and_then_signs_in_with_a_code(
        page: Page, app_server: AppServer, new_member) -> None:
    admin = new_member(Role.ADMIN)
    login(page, app_server, admin)
    page.goto(f"{app_server.url}/settings/security")
    page.get_by_role("button", name="Set up two-step sign-in").click()
    expect(page.get_by_alt_text("MFA QR code")).to_be_visible()
    secret = page.get_by_test_id("mfa-secret").inner_text()
    page.get_by_placeholder("123456").fill("000000")
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_role("alert")).to_contain_text("doesn't match")
    page.get_by_placeholder("123456").fill(_code(secret))
    page.get_by_role("button", name="Turn on").click()
    expect(page.get_by_test_id("recovery-code")).to_have_count(10)
    expect(page.get_by_test_id("mfa-status")).to_have_text("On")
    recovery = page.get_by_test_id("recovery-code").all_inner_texts()
    screenshot(page, "settings-security-mfa")

    page.context.clear_cookies()
    login_page = page.context.new_page()
    login_page.goto(f"{app_server.url}/login")
    login_page.locator("#email").fill(admin)
    login_page.locator("#password").fill("demo-password-1")
    login_page.get_by_role("button", name="Sign in").click()
    login_page.get_by_placeholder("123456").fill("111111")
    login_page.get_by_role("button", name="Verify").click()
    expect(login_page.get_by_test_id("login-error")).to_contain_text("That code isn't valid")
    login_page.get_by_placeholder("123456").fill(_code(secret, seconds_ahead=30))
    login_page.get_by_role("button", name="Verify").click()
    login_page.wait_for_url("**/invoices**")
    expect(login_page.get_by_test_id("role")).to_have_text("Office Admin")

    login_page.goto(f"{app_server.url}/settings/security")  # changing it asks for a current code first
    login_page.get_by_role("button", name="Turn off").click()
    login_page.get_by_label("Enter a code from your authenticator app").fill("000000")
    login_page.get_by_role("button", name="Continue").click()
    expect(login_page.get_by_role("alert")).to_contain_text("That code isn't valid")
    expect(login_page.get_by_test_id("mfa-status")).to_have_text("On")
    login_page.get_by_label("Enter a code from your authenticator app").fill(recovery[0])
    login_page.get_by_role("button", name="Continue").click()
    expect(login_page.get_by_role("button", name="Set up two-step sign-in")).to_be_visible()


def test_an_expired_session_returns_to_login_and_then_to_the_same_page(page: Page, app_server: AppServer) -> None:
    login(page, app_server, "supervisor@brightspark.test")
    ends = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=8)  # sessions last hours: this one nears its end
    with get_engine(app_server.database_url).begin() as connection:
        connection.execute(sa.update(AuthSession).values(expires_at=ends))
    tab = page.context.new_page()  # a tab opened now checks the session: still on, until `ends`
    tab.goto(f"{app_server.url}/jobs")
    expect(tab.get_by_test_id("job-row").first).to_be_visible()
    time.sleep(max(0.0, (ends - dt.datetime.now(dt.UTC)).total_seconds()) + 0.5)

    tab.goto(f"{app_server.url}/quotes")  # the tab's first event since the session ended
    tab.wait_for_url("**/login?next=%2Fquotes**")
    tab.locator("#email").fill("supervisor@brightspark.test")
    tab.locator("#password").fill("demo-password-1")
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url("**/quotes**")
    expect(tab.get_by_test_id("quote-row").first).to_be_visible()


def test_a_locked_account_says_when_it_unlocks_and_keeps_the_email_typed(page: Page, app_server: AppServer) -> None:
    page.goto(f"{app_server.url}/login")
    for _ in range(5):
        page.locator("#email").fill("locked.out@brightspark.test")
        page.locator("#password").fill("guess")
        page.get_by_role("button", name="Sign in").click()
        expect(page.get_by_test_id("login-error")).to_be_visible()
    expect(page.get_by_test_id("login-error")).to_contain_text("Too many failed attempts. Try again after")
    expect(page.locator("#email")).to_have_value("locked.out@brightspark.test")
    screenshot(page, "login-locked")


def test_the_invoices_page_fits_a_phone(page: Page, app_server: AppServer) -> None:
    page.set_viewport_size({"width": 375, "height": 800})
    login(page, app_server, "owner@brightspark.test")
    expect(page.get_by_test_id("invoice-row").first).to_be_visible()
    screenshot(page, "invoices-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_signing_out_in_one_tab_signs_out_every_tab(page: Page, app_server: AppServer) -> None:
    login(page, app_server, "finance@brightspark.test")
    tab_token = page.evaluate("sessionStorage.getItem('token')")
    other_tab = page.context.new_page()
    other_tab.goto(f"{app_server.url}/invoices")
    expect(other_tab.get_by_test_id("role")).to_have_text("Finance")

    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url("**/login**")
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('token')") != tab_token  # its server-side state is left behind
    other_tab.get_by_test_id("nav-link").filter(has_text="Invoices").first.click()  # its next step, same socket
    other_tab.wait_for_url("**/login?next=%2Finvoices**")
    assert "ma_session" not in {cookie["name"] for cookie in page.context.cookies()}

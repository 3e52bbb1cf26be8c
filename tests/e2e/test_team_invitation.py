"""Invitations in the browser: a newcomer chooses a password; a person who already has an account (in another
business) signs in as themselves to accept, then picks which business to work in and can switch."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from myapprentice_app.demo import SOLO_BUSINESS
from myapprentice_app.domain.roles import Role
from tests.e2e.conftest import AppServer, login, screenshot


def _invite(page: Page, app_server: AppServer, email: str, name: str, role: str) -> str:
    page.goto(f"{app_server.url}/settings/team")
    page.locator("#invite_email").fill(email)
    page.locator("#invite_name").fill(name)
    page.locator("#invite_role").click()
    page.get_by_role("option", name=role).click()
    page.get_by_test_id("invite").click()
    expect(page.get_by_test_id("team-invitation").filter(has_text=name)).to_be_visible()
    page.goto(f"{app_server.url}/outbox")
    invitation = page.get_by_test_id("outbox-message").filter(has_text=email).first
    link = re.search(r"https?://\S+/invite/\S+", invitation.inner_text())
    assert link, "the invitation email carries a link"
    return link.group(0)


def _sign_out(page: Page) -> None:
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_url("**/login**")


def test_an_invited_supervisor_sets_a_password_and_is_signed_in(page: Page, app_server: AppServer) -> None:
    login(page, app_server, "owner@brightspark.test")
    link = _invite(page, app_server, "new.foreman@brightspark.test", "Nina Foreman", "Supervisor")
    screenshot(page, "settings-team")

    page.context.clear_cookies()
    invitee = page.context.new_page()
    invitee.goto(link)
    expect(invitee.get_by_text("invited you as Supervisor")).to_be_visible()
    invitee.get_by_label("Password", exact=True).fill("a-new-password")
    invitee.get_by_label("Password again").fill("a-different-one")
    invitee.get_by_role("button", name="Set password and sign in").click()
    expect(invitee.get_by_role("alert")).to_have_text("The two passwords don't match.")
    invitee.get_by_label("Password", exact=True).fill("a-new-password")
    invitee.get_by_label("Password again").fill("a-new-password")
    invitee.get_by_role("button", name="Set password and sign in").click()
    invitee.wait_for_url("**/invoices**")
    expect(invitee.get_by_test_id("role")).to_have_text("Supervisor")

    invitee.goto(link)
    expect(invitee.get_by_test_id("invite-error")).to_contain_text("expired or was already used")
    expect(invitee.get_by_role("button", name="Set password and sign in")).to_have_count(0)


def test_someone_with_an_account_elsewhere_signs_in_as_themselves_to_join_and_then_switches_business(
        page: Page, app_server: AppServer, new_member) -> None:
    plumber = new_member(Role.ADMIN, SOLO_BUSINESS)
    login(page, app_server, "owner@brightspark.test")
    link = _invite(page, app_server, plumber, "Pat Plumber", "Finance")
    _sign_out(page)

    page.goto(link)  # opened by whoever holds the link: it never offers to set that account's password
    expect(page.get_by_text("already has a MyApprentice account")).to_be_visible()
    expect(page.get_by_label("Password", exact=True)).to_have_count(0)
    page.get_by_role("button", name="Sign in to accept").click()
    page.locator("#email").fill(plumber)
    page.locator("#password").fill("demo-password-1")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/invite/**")
    page.get_by_test_id("join").click()
    page.wait_for_url("**/invoices**")
    expect(page.get_by_test_id("role")).to_have_text("Finance")
    expect(page.get_by_text("Bright Spark Electrical").first).to_be_visible()

    page.get_by_test_id("switch-business").click()
    page.get_by_test_id("business-choice").filter(has_text=SOLO_BUSINESS).click()
    expect(page.get_by_test_id("role")).to_have_text("Office Admin")
    _sign_out(page)

    login(page, app_server, plumber)  # two businesses now: asked which, not "the first wins"
    expect(page.get_by_test_id("business-choice")).to_have_count(2)
    screenshot(page, "choose-business")
    page.get_by_test_id("business-choice").filter(has_text="Bright Spark Electrical").click()
    expect(page.get_by_test_id("role")).to_have_text("Finance")


def test_an_owner_cancels_an_invitation_and_its_link_then_says_so(page: Page, app_server: AppServer) -> None:
    login(page, app_server, "owner@brightspark.test")
    link = _invite(page, app_server, "changed.mind@brightspark.test", "Chris Maybe", "Finance")
    page.goto(f"{app_server.url}/settings/team")
    row = page.get_by_test_id("team-invitation").filter(has_text="Chris Maybe")
    row.get_by_test_id("cancel-invitation").click()
    expect(row).to_have_count(0)

    page.context.clear_cookies()
    page.goto(link)
    expect(page.get_by_test_id("invite-error")).to_contain_text("expired or was already used")

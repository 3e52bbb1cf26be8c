"""An Owner invites a Supervisor, who follows the emailed link, sets a password and lands in the app."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import AppServer, login, screenshot


def test_an_invited_supervisor_sets_a_password_and_is_signed_in(page: Page, app_server: AppServer) -> None:
    login(page, app_server, "owner@brightspark.test")
    page.goto(f"{app_server.url}/settings/team")
    page.locator("#invite_email").fill("new.foreman@brightspark.test")
    page.locator("#invite_name").fill("Nina Foreman")
    page.locator("#invite_role").click()
    page.get_by_role("option", name="Supervisor").click()
    page.get_by_test_id("invite").click()
    expect(page.get_by_test_id("team-member").filter(has_text="Nina Foreman")).to_be_visible()
    screenshot(page, "settings-team")

    page.goto(f"{app_server.url}/outbox")
    invitation = page.get_by_test_id("outbox-message").filter(has_text="new.foreman@brightspark.test")
    link = re.search(r"https?://\S+/invite/\S+", invitation.inner_text())
    assert link, "the invitation email carries a link"

    page.context.clear_cookies()
    invitee = page.context.new_page()
    invitee.goto(link.group(0))
    invitee.get_by_placeholder("Password", exact=True).fill("a-new-password")
    invitee.get_by_placeholder("Password again").fill("a-different-one")
    invitee.get_by_role("button", name="Set password and sign in").click()
    expect(invitee.get_by_role("alert")).to_have_text("The two passwords don't match.")
    invitee.get_by_placeholder("Password again").fill("a-new-password")
    invitee.get_by_role("button", name="Set password and sign in").click()
    invitee.wait_for_url("**/invoices**")
    expect(invitee.get_by_test_id("role")).to_have_text("Supervisor")

    invitee.goto(link.group(0))
    invitee.get_by_placeholder("Password", exact=True).fill("another-password")
    invitee.get_by_placeholder("Password again").fill("another-password")
    invitee.get_by_role("button", name="Set password and sign in").click()
    expect(invitee.get_by_test_id("invite-error")).to_contain_text("expired or was already used")

"""Connecting Stripe from Business Settings → Integrations: step-up, onboarding and back, what's missing,
disconnecting, and who may."""

from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlparse

import httpx
import pytest
from sqlmodel import Session, select

from myapprentice_app.db import get_engine, locked
from myapprentice_app.domain.roles import PermissionDenied, Role
from myapprentice_app.models import Business, StripeAccount
from myapprentice_app.services import stripe_connection
from myapprentice_app.services.errors import ActionRefused
from tests.integration.xero.conftest import with_mfa
from tests.support.concurrently import in_own_session, while_held


def test_returning_from_unfinished_onboarding_shows_what_stripe_still_needs(session, owner, stripe_admin):
    url = stripe_connection.start_connect(session, owner)

    view = stripe_connection.refresh_status(session, owner)

    assert urlparse(url).path.startswith("/setup/s/acct_")
    assert view.label == "Onboarding not finished" and not view.charges_enabled
    assert "a bank account for payouts" in view.missing


def test_finishing_onboarding_on_stripes_page_enables_charges(session, owner, stripe_admin):
    url = stripe_connection.start_connect(session, owner)
    page = httpx.get(url)
    form = httpx.post(url, data={"business_name": "Bright Spark Electrical"}, follow_redirects=False)

    view = stripe_connection.refresh_status(session, owner)

    assert page.status_code == 200 and form.status_code in (302, 303)
    assert form.headers["location"].endswith("/api/stripe/onboarding/return")
    assert view.label == "Connected · charges enabled" and view.missing == []


def test_connecting_from_two_tabs_at_the_same_moment_connects_one_account(owner, stripe_admin):
    def connect(session):
        return stripe_connection.start_connect(session, owner)

    urls = while_held(lambda session: locked(session, Business, owner.business_id),
                      in_own_session(connect), in_own_session(connect))

    assert all(isinstance(url, str) and "/setup/s/acct_" in url for url in urls), urls
    with Session(get_engine()) as session:
        assert len(session.exec(select(StripeAccount)).all()) == 1


def test_connecting_without_a_fresh_code_is_refused(session, make_actor, stripe_admin):
    no_mfa = make_actor(Role.ADMIN)

    with pytest.raises(ActionRefused, match="Set up two-step sign-in"):
        stripe_connection.start_connect(session, no_mfa)
    assert session.exec(select(StripeAccount)).all() == []


def test_a_new_onboarding_link_takes_a_fresh_code_too(session, owner, make_actor, stripe_admin):
    stripe_connection.start_connect(session, owner)  # the account exists; its onboarding form takes bank details
    admin_without_a_code = replace(owner, recent_mfa=False)
    admin_without_mfa = make_actor(Role.ADMIN)

    with pytest.raises(ActionRefused, match="Confirm it's you"):
        stripe_connection.onboarding_link(session, admin_without_a_code)  # Stripe's refresh_url, a stolen cookie
    with pytest.raises(ActionRefused, match="Set up two-step sign-in"):
        stripe_connection.onboarding_link(session, admin_without_mfa)
    assert urlparse(stripe_connection.onboarding_link(session, owner)).path.startswith("/setup/s/acct_")


@pytest.mark.parametrize("role", [Role.FINANCE, Role.SUPERVISOR, Role.TRADIE])
def test_roles_without_the_permission_cannot_connect_stripe(session, make_actor, stripe_admin, role):
    actor = with_mfa(session, make_actor(role))

    with pytest.raises(PermissionDenied):
        stripe_connection.start_connect(session, actor)


def test_a_sole_trader_can_connect_stripe(session, make_actor, stripe_admin):
    sole = with_mfa(session, make_actor(Role.SOLE_TRADER))

    assert "/setup/s/acct_" in stripe_connection.start_connect(session, sole)


def test_disconnecting_stops_card_payments_on_the_pay_page(session, stripe_connected, stripe_admin):
    from myapprentice_app.services import stripe_pay

    from .conftest import sent_invoice
    invoice = sent_invoice(session, stripe_connected, pushed=False)

    stripe_connection.disconnect(session, stripe_connected)

    assert stripe_connection.stripe_view(session, stripe_connected).status == "not_connected"
    assert stripe_pay.pay_view(session, invoice.pay_token).state == "not_ready"


def test_stripe_deauthorising_the_platform_turns_charges_off(session, stripe_connected, stripe_admin):
    account = stripe_connection.account_of(session, stripe_connected.business_id)

    stripe_admin.post(f"accounts/{account.account_id}/deauthorize")

    from tests.support.waiting import wait_until
    wait_until(lambda: (session.expire_all(), not stripe_connection.view_for(
        session, stripe_connected.business_id).charges_enabled)[1], seconds=10, waiting_for="deauthorisation")
    assert not stripe_connection.view_for(session, stripe_connected.business_id).charges_enabled

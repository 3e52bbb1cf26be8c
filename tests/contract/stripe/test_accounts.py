"""Connected accounts and Account Links through stripe-python, each response shaped like Stripe's fixtures."""

from __future__ import annotations

import re

import httpx
import pytest
import stripe

from .conftest import make_client
from .shapes import problems


def raw(obj: stripe.StripeObject) -> dict:
    """The JSON exactly as the sandbox served it (not the SDK's parsed view)."""
    return obj.last_response.data


def test_a_new_account_is_not_yet_able_to_take_charges(client):
    account = client.v1.accounts.create(params={"type": "standard", "country": "AU", "email": "a@b.test"})
    assert problems("account", raw(account)) == []
    assert account.id.startswith("acct_")
    assert account.charges_enabled is False and account.details_submitted is False
    assert account.requirements.disabled_reason == "requirements.past_due"
    assert "external_account" in account.requirements.currently_due
    assert account.default_currency == "aud"


def test_onboarding_page_enables_charges_and_returns_to_the_app(client, stripe_sandbox):
    account = client.v1.accounts.create(params={"country": "AU"})
    link = client.v1.account_links.create(
        params={
            "account": account.id,
            "type": "account_onboarding",
            "refresh_url": "https://app.example/stripe/refresh",
            "return_url": "https://app.example/stripe/return",
        }
    )
    assert problems("account_link", raw(link)) == []
    assert link.expires_at - link.created == 300
    page = httpx.get(link.url)
    assert page.status_code == 200 and "Business name" in page.text
    action = re.search(r"action='([^']+)'", page.text).group(1)
    done = httpx.post(stripe_sandbox.base_url + action, data={"business_name": "Spark Co"})
    assert done.status_code == 303 and done.headers["location"] == "https://app.example/stripe/return"
    again = httpx.get(link.url)  # single use: the second visit goes to refresh_url
    assert again.status_code == 303 and again.headers["location"] == "https://app.example/stripe/refresh"
    onboarded = client.v1.accounts.retrieve(account.id)
    assert problems("account", raw(onboarded)) == []
    assert onboarded.charges_enabled and onboarded.details_submitted and onboarded.payouts_enabled
    assert onboarded.requirements.currently_due == [] and onboarded.requirements.disabled_reason is None
    assert onboarded.business_profile.name == "Spark Co"


def test_update_list_and_own_account(client, connected):
    updated = client.v1.accounts.update(connected, params={"metadata": {"business_id": "7"}})
    assert updated.metadata.to_dict() == {"business_id": "7"}
    listed = client.v1.accounts.list()
    assert [a.id for a in listed.data] == [connected]
    assert all(problems("account", a) == [] for a in raw(listed)["data"])
    own = client.v1.accounts.retrieve_current(options={"stripe_account": connected})
    assert own.id == connected and problems("account", raw(own)) == []


def test_account_links_validate_their_parameters(client, connected):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.account_links.create(params={"account": connected, "type": "account_onboarding"})
    assert missing.value.code == "parameter_missing" and missing.value.param == "refresh_url"
    with pytest.raises(stripe.InvalidRequestError) as update:
        client.v1.account_links.create(
            params={
                "account": connected,
                "type": "account_update",
                "refresh_url": "https://a.test/r",
                "return_url": "https://a.test/x",
            }
        )
    assert "Stripe-hosted dashboard" in update.value.user_message
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.account_links.create(
            params={
                "account": "acct_1nothere",
                "type": "account_onboarding",
                "refresh_url": "https://a.test/r",
                "return_url": "https://a.test/x",
            }
        )
    assert unknown.value.http_status == 404 and unknown.value.code == "resource_missing"


def test_a_deauthorized_account_is_no_longer_reachable(client, connected, stripe_sandbox):
    stripe_sandbox.admin("POST", f"accounts/{connected}/deauthorize")
    with pytest.raises(stripe.PermissionError) as refused:
        client.v1.payment_intents.list(options={"stripe_account": connected})
    assert refused.value.json_body["error"]["code"] == "account_invalid" and refused.value.http_status == 403
    assert client.v1.accounts.list().data == []


def test_bad_api_keys_are_authentication_errors(stripe_sandbox):
    with pytest.raises(stripe.AuthenticationError) as bad:
        make_client(stripe_sandbox.base_url, "sk_live_not_here_please").v1.accounts.list()
    assert bad.value.http_status == 401 and "Invalid API Key provided" in bad.value.user_message
    missing = httpx.get(f"{stripe_sandbox.base_url}/v1/accounts")
    assert missing.status_code == 401 and set(missing.json()["error"]) >= {"type", "code", "message", "param"}

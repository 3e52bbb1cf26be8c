"""Connected accounts (/v1/accounts, /v1/account), Account Links, finishing onboarding and disconnecting."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from . import account_object, forms
from .api import Context, page
from .errors import StripeError, invalid, no_access_to_account, no_such
from .events import emit
from .store import PLATFORM_NAME, new_id

if TYPE_CHECKING:
    from .runtime import Sandbox

LINK_LIFETIME_SECONDS = 300
PROFILE_FIELDS = ("name", "url", "mcc", "product_description", "support_email", "support_phone", "support_url")
APPLICATION_ID = "ca_MyApprenticeSandbox0001"


def _account(ctx: Context, account_id: str) -> dict[str, Any]:
    store = ctx.store
    if account_id in store.state["deauthorized"]:
        raise no_access_to_account(account_id)
    visible = account_id == ctx.account or (not ctx.connected and store.owner(account_id) == store.platform)
    obj = store.find(account_id)
    if not visible or obj is None or obj.get("object") != "account":
        raise no_such("account", account_id, "account")
    return obj


def _apply_profile(account: dict[str, Any], params: dict[str, Any]) -> None:
    profile = forms.mapping(params, "business_profile")
    forms.check_known(profile, set(PROFILE_FIELDS), "business_profile")
    for name in PROFILE_FIELDS:
        if name in profile:
            account["business_profile"][name] = forms.text(profile, name, prefix="business_profile")
    if "email" in params:
        account["email"] = forms.text(params, "email")
    account["metadata"] = forms.metadata(params, account["metadata"])


def create_account(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    if ctx.connected:
        raise StripeError(400, "You cannot create connected accounts on behalf of a connected account.")
    forms.check_known(
        params,
        {"type", "country", "email", "business_profile", "business_type", "metadata", "controller", "capabilities"},
    )
    account_type = forms.choice(params, "type", ("custom", "express", "standard")) or "standard"
    country = forms.text(params, "country") or "AU"
    if country not in account_object.CURRENCIES:
        supported = ", ".join(account_object.CURRENCIES)
        raise invalid(f"Country '{country}' is unknown to this sandbox; it supports {supported}.", "country")
    forms.choice(params, "business_type", ("company", "government_entity", "individual", "non_profit"))
    forms.mapping(params, "controller")
    forms.mapping(params, "capabilities")
    account = account_object.new_account(
        new_id("acct"), country, forms.text(params, "email"), ctx.store.now(), account_type
    )
    account["business_type"] = forms.text(params, "business_type")
    _apply_profile(account, params)
    return ctx.store.put(account, ctx.store.platform)


def retrieve_account(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    return _account(ctx, id)


def retrieve_own_account(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    return _account(ctx, ctx.account)


def update_account(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    forms.check_known(params, {"email", "business_profile", "metadata"})
    account = _account(ctx, id)
    _apply_profile(account, params)
    return account


def list_accounts(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    store = ctx.store
    if ctx.connected:
        raise invalid("Only the platform can list its connected accounts (no Stripe-Account header).")
    accounts = [a for a in store.all("account", store.platform) if store.is_connected(a["id"])]
    return page(accounts, params, "/v1/accounts")


# -- Account Links -----------------------------------------------------------------------------------


def create_account_link(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    forms.check_known(params, {"account", "type", "refresh_url", "return_url", "collect", "collection_options"})
    account_id = forms.text(params, "account", required=True)
    link_type = forms.choice(params, "type", ("account_onboarding", "account_update"), required=True)
    refresh_url = forms.text(params, "refresh_url", required=True)
    return_url = forms.text(params, "return_url", required=True)
    assert account_id is not None
    account = _account(ctx, account_id)
    if account_id == ctx.store.platform:
        raise invalid("You cannot create an account link for the platform's own account.", "account")
    if link_type == "account_update" and account["type"] == "standard":
        raise invalid(
            "You cannot create `account_update` type Account Links for accounts that have access to a "
            "Stripe-hosted dashboard.",
            "type",
        )
    for name, url in (("refresh_url", refresh_url), ("return_url", return_url)):
        if not str(url).startswith(("http://", "https://")):
            raise invalid("Not a valid URL", name, "url_invalid")
    token = secrets.token_urlsafe(12)
    now = ctx.store.now()
    ctx.store.state["links"][token] = {
        "account": account_id,
        "refresh_url": refresh_url,
        "return_url": return_url,
        "expires_at": now + LINK_LIFETIME_SECONDS,
        "used": False,
    }
    return {
        "created": now,
        "expires_at": now + LINK_LIFETIME_SECONDS,
        "object": "account_link",
        "url": f"{ctx.base_url}/setup/s/{account_id}/{token}",
    }


def usable_link(sandbox: Sandbox, account_id: str, token: str) -> dict[str, Any] | None:
    link = sandbox.store.state["links"].get(token)
    if link is None or link["account"] != account_id:
        return None
    if link["used"] or link["expires_at"] < sandbox.store.now() or not sandbox.store.is_connected(account_id):
        return None
    return link


# -- what the business does on Stripe's side ---------------------------------------------------------


def complete_onboarding(sandbox: Sandbox, account_id: str, business_name: str, ip: str = "127.0.0.1") -> dict:
    account = sandbox.store.find(account_id)
    if account is None or not sandbox.store.is_connected(account_id):
        raise no_such("account", account_id, "account")
    previous = account_object.complete_onboarding(account, business_name or "Sandbox business", ip, sandbox.store.now())
    sandbox.store.changed()
    emit(sandbox, "account.updated", account, account_id, previous)
    return account


def require_more_information(sandbox: Sandbox, account_id: str, due: list[str]) -> dict:
    """Stripe asking for more: charges stop until the business answers (an `account.updated`)."""
    account = sandbox.store.find(account_id)
    if account is None or not sandbox.store.is_connected(account_id):
        raise no_such("account", account_id, "account")
    previous = {"charges_enabled": account["charges_enabled"], "requirements": account["requirements"]}
    account["charges_enabled"] = False
    account["requirements"] = account_object.requirements(due, "requirements.past_due")
    sandbox.store.changed()
    emit(sandbox, "account.updated", account, account_id, previous)
    return account


def deauthorize(sandbox: Sandbox, account_id: str) -> dict[str, Any]:
    """The business disconnects the platform from its Stripe Dashboard."""
    if not sandbox.store.is_connected(account_id):
        raise no_such("account", account_id, "account")
    sandbox.store.state["deauthorized"].append(account_id)
    sandbox.store.changed()
    application = {"id": APPLICATION_ID, "name": PLATFORM_NAME, "object": "application"}
    return emit(sandbox, "account.application.deauthorized", application, account_id)

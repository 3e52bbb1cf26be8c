"""stripe-python's StripeClient, pointed at real Stripe when STRIPE_SECRET_KEY is set, else at the sandbox.

Every call is exactly one request (`max_network_retries=0`): a POST's outcome is made safe to repeat by the
Idempotency-Key the caller gives, never by a hidden retry. Answers come back as plain dicts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import stripe

from myapprentice_app.config import get_settings
from myapprentice_app.domain.stored_text import made_storable

SANDBOX_SECRET_KEY = "sk_test_myapprentice_sandbox"
SANDBOX_WEBHOOK_SECRET = "whsec_myapprentice_sandbox_endpoint"


class StripeProblem(Exception):
    """Stripe refused or could not be reached; the message is safe to show."""

    def __init__(self, message: str, code: str | None = None) -> None:
        super().__init__(message)
        self.code = code


def client() -> stripe.StripeClient:
    settings = get_settings()
    if settings.stripe_secret_key is not None:
        return stripe.StripeClient(settings.stripe_secret_key.get_secret_value(), max_network_retries=0)
    base = settings.stripe_sandbox_url.rstrip("/")
    return stripe.StripeClient(SANDBOX_SECRET_KEY, max_network_retries=0,
                               base_addresses={"api": base, "connect": base, "files": base, "meter_events": base})


def live_mode() -> bool:
    """Whether the platform key is a live one (events then say livemode: true); the sandbox is test mode."""
    key = get_settings().stripe_secret_key
    return key is not None and key.get_secret_value().startswith(("sk_live_", "rk_live_"))


def webhook_secret() -> str | None:
    """The secret our endpoint's events are signed with. The sandbox's is public (it is in this file), so it is
    used only while the sandbox is: with a real Stripe key and no STRIPE_WEBHOOK_SECRET, no event verifies."""
    settings = get_settings()
    if settings.stripe_webhook_secret is not None:
        return settings.stripe_webhook_secret.get_secret_value()
    return None if settings.uses_real_stripe else SANDBOX_WEBHOOK_SECRET


def _plain(obj: Any) -> dict[str, Any]:
    return made_storable(obj.to_dict() if hasattr(obj, "to_dict") else dict(obj))


def _calling(action):  # type: ignore[no-untyped-def]
    try:
        return _plain(action())
    except stripe.StripeError as error:
        message = getattr(error, "user_message", None) or str(getattr(error, "_message", "") or error)
        raise StripeProblem(message or "Stripe didn't answer.", getattr(error, "code", None)) from error


# -- Connect ---------------------------------------------------------------------------------------------

def create_account(country: str, email: str | None, business_id: int) -> dict[str, Any]:
    params: dict[str, Any] = {"type": "standard", "country": country, "metadata": {"business_id": str(business_id)}}
    if email:
        params["email"] = email
    return _calling(lambda: client().v1.accounts.create(params=params,  # type: ignore[arg-type]
                                                        options={"idempotency_key": f"acct-{business_id}"}))


def account_link(account_id: str, refresh_url: str, return_url: str) -> str:
    link = _calling(lambda: client().v1.account_links.create(params={
        "account": account_id, "type": "account_onboarding", "refresh_url": refresh_url, "return_url": return_url}))
    return str(link["url"])


def retrieve_account(account_id: str) -> dict[str, Any]:
    return _calling(lambda: client().v1.accounts.retrieve(account_id))


# -- Checkout on the connected account (direct charges) --------------------------------------------------

def create_checkout(account_id: str, params: dict[str, Any], idempotency_key: str) -> dict[str, Any]:
    return _calling(lambda: client().v1.checkout.sessions.create(
        params=params,  # type: ignore[arg-type]
        options={"stripe_account": account_id, "idempotency_key": idempotency_key}))


def expire_checkout(account_id: str, session_id: str) -> dict[str, Any]:
    return _calling(lambda: client().v1.checkout.sessions.expire(session_id, options={"stripe_account": account_id}))


def retrieve_checkout(account_id: str, session_id: str) -> dict[str, Any]:
    return _calling(lambda: client().v1.checkout.sessions.retrieve(session_id, options={"stripe_account": account_id}))


def retrieve_payment(account_id: str, payment_intent_id: str) -> dict[str, Any]:
    """The PaymentIntent as it is now, with its charge and the charge's balance transaction (the fee)."""
    return _calling(lambda: client().v1.payment_intents.retrieve(
        payment_intent_id, params={"expand": ["latest_charge.balance_transaction"]},
        options={"stripe_account": account_id}))


def retrieve_dispute(account_id: str, dispute_id: str) -> dict[str, Any]:
    return _calling(lambda: client().v1.disputes.retrieve(dispute_id, options={"stripe_account": account_id}))


# -- webhooks --------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class VerifiedEvent:
    id: str
    type: str
    account: str | None
    created: int
    livemode: bool
    object: dict[str, Any]


class BadSignature(Exception):
    pass


def verify_event(payload: bytes, signature: str | None) -> VerifiedEvent:
    """The event, if `payload` is exactly what Stripe signed for our endpoint, recently; else BadSignature."""
    secret = webhook_secret()
    if secret is None:
        raise BadSignature("STRIPE_WEBHOOK_SECRET is not set, so no Stripe event can be verified")
    try:
        body = made_storable(stripe.Webhook.construct_event(payload, signature or "", secret).to_dict())
    except (ValueError, AttributeError, stripe.SignatureVerificationError) as error:  # AttributeError: not an object
        raise BadSignature(str(error)) from error
    # Signed, yet not shaped like any event Stripe sends (whoever holds the secret could send it): refused alike.
    data = body.get("data")
    shaped = (isinstance(body.get("id"), str) and isinstance(body.get("type", ""), str)
              and isinstance(body.get("account"), str | None) and isinstance(body.get("created", 0), int)
              and isinstance(data, dict) and isinstance(data.get("object"), dict))
    if not shaped:
        raise BadSignature("the signed body is not shaped like a Stripe event")
    return VerifiedEvent(id=body["id"], type=body.get("type", ""), account=body.get("account"),
                         created=body.get("created", 0), livemode=bool(body.get("livemode")), object=data["object"])

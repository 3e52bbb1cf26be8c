"""Charging a card on a PaymentIntent: success (a Charge and its BalanceTransaction carrying Stripe's fee),
decline, or an extra authentication step first. Used by the hosted checkout page and by PaymentIntent
confirm."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import payment_objects
from .cards import AUTHENTICATE, AUTHENTICATION_FAILED, DISPUTE_CARDS, SUCCEED, Card, Decline
from .disputes import open_dispute
from .events import emit
from .fees import stripe_fee
from .store import new_id

if TYPE_CHECKING:
    from .api import Context
    from .runtime import Sandbox


def new_payment_intent(
    sandbox: Sandbox,
    account: str,
    amount: int,
    currency: str,
    metadata: dict[str, str],
    description: str | None = None,
    application_fee_amount: int | None = None,
    receipt_email: str | None = None,
) -> dict[str, Any]:
    pi = payment_objects.payment_intent(
        new_id("pi"),
        amount,
        currency,
        sandbox.store.now(),
        metadata,
        description,
        application_fee_amount,
        receipt_email,
    )
    return sandbox.store.put(pi, account)


def _country(sandbox: Sandbox, account: str) -> str:
    return sandbox.store.objects[account]["country"]


def _fee_details(sandbox: Sandbox, account: str, pi: dict[str, Any]) -> list[dict[str, Any]]:
    details = [
        {
            "amount": stripe_fee(_country(sandbox, account), pi["amount"]),
            "application": None,
            "currency": pi["currency"],
            "description": "Stripe processing fees",
            "type": "stripe_fee",
        }
    ]
    if pi["application_fee_amount"]:
        details.append(
            {
                "amount": pi["application_fee_amount"],
                "application": "ca_MyApprenticeSandbox0001",
                "currency": pi["currency"],
                "description": "MyApprentice application fee",
                "type": "application_fee",
            }
        )
    return details


def charge_card(
    sandbox: Sandbox,
    account: str,
    pi: dict[str, Any],
    card: Card,
    base_url: str,
    ctx: Context | None = None,
) -> str | Decline:
    """Charge `card` for the PaymentIntent's amount. Returns SUCCEED, AUTHENTICATE or the Decline."""
    outcome = card.outcome()
    pm_id = new_id("pm")
    pi["payment_method"] = pm_id
    if outcome == AUTHENTICATE:
        pi["status"] = "requires_action"
        pi["next_action"] = {
            "type": "use_stripe_sdk",
            "use_stripe_sdk": {"type": "three_d_secure_redirect", "stripe_js": f"{base_url}/3ds/{pi['id']}"},
        }
        sandbox.store.state.setdefault("pending_authentication", {})[pi["id"]] = card.number
        return AUTHENTICATE
    decline = None if outcome == SUCCEED else outcome
    assert decline is None or isinstance(decline, Decline)
    _record_charge(sandbox, account, pi, card, pm_id, base_url, decline, ctx)
    return SUCCEED if decline is None else decline


def finish_authentication(
    sandbox: Sandbox, account: str, pi: dict[str, Any], success: bool, base_url: str, ctx: Context | None = None
) -> str | Decline:
    number = sandbox.store.state.get("pending_authentication", {}).pop(pi["id"], None)
    if number is None or pi["status"] != "requires_action":
        return AUTHENTICATION_FAILED
    pi["next_action"] = None
    if success:
        _record_charge(sandbox, account, pi, Card(number), pi["payment_method"], base_url, None, ctx)
        return SUCCEED
    _fail(sandbox, account, pi, AUTHENTICATION_FAILED, None, ctx)
    return AUTHENTICATION_FAILED


def _record_charge(
    sandbox: Sandbox,
    account: str,
    pi: dict[str, Any],
    card: Card,
    pm_id: str,
    base_url: str,
    decline: Decline | None,
    ctx: Context | None,
) -> None:
    store = sandbox.store
    now = store.now()
    ch_id = new_id("ch")
    txn_id = None
    if decline is None:
        txn_id = new_id("txn")
        txn = payment_objects.balance_transaction(
            txn_id,
            pi["amount"],
            pi["currency"],
            now,
            ch_id,
            "charge",
            pi["description"],
            _fee_details(sandbox, account, pi),
        )
        store.put(txn, account)
    ch = payment_objects.charge(ch_id, pi, card, pm_id, _country(sandbox, account), now, base_url, decline, txn_id)
    store.put(ch, account)
    pi["latest_charge"] = ch_id
    if decline is not None:
        _fail(sandbox, account, pi, decline, ch, ctx)
        return
    pi.update(status="succeeded", amount_received=pi["amount"], last_payment_error=None, next_action=None)
    connect = account if account != store.platform else None
    emit(sandbox, "charge.succeeded", ch, connect, ctx=ctx)
    emit(sandbox, "payment_intent.succeeded", pi, connect, ctx=ctx)
    if card.number in DISPUTE_CARDS:
        open_dispute(sandbox, account, ch, card.number, ctx)


def _fail(
    sandbox: Sandbox,
    account: str,
    pi: dict[str, Any],
    decline: Decline,
    ch: dict[str, Any] | None,
    ctx: Context | None,
) -> None:
    error: dict[str, Any] = {
        "charge": ch["id"] if ch else None,
        "code": decline.code,
        "doc_url": f"https://stripe.com/docs/error-codes/{decline.code.replace('_', '-')}",
        "message": decline.message,
        "payment_method": {"id": pi["payment_method"], "object": "payment_method", "type": "card"},
        "type": "card_error" if ch else "invalid_request_error",
    }
    if decline.decline_code:
        error["decline_code"] = decline.decline_code
    pi.update(status="requires_payment_method", last_payment_error=error, next_action=None)
    connect = account if account != sandbox.store.platform else None
    if ch is not None:
        emit(sandbox, "charge.failed", ch, connect, ctx=ctx)
    emit(sandbox, "payment_intent.payment_failed", pi, connect, ctx=ctx)

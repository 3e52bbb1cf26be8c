"""/v1/payment_intents: create, retrieve, update, list, confirm (with a test PaymentMethod) and cancel."""

from __future__ import annotations

from typing import Any

from . import forms, money
from .api import Context, page
from .cards import AUTHENTICATE, PAYMENT_METHODS, SUCCEED, Card
from .errors import StripeError, invalid
from .payments import charge_card, new_payment_intent

CREATE_PARAMS = {
    "amount",
    "currency",
    "metadata",
    "description",
    "application_fee_amount",
    "payment_method",
    "confirm",
    "payment_method_types",
    "automatic_payment_methods",
    "receipt_email",
    "capture_method",
    "return_url",
}


def _get(ctx: Context, pi_id: str) -> dict[str, Any]:
    return ctx.store.get("payment_intent", pi_id, ctx.account, "intent")


def create(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    forms.check_known(params, CREATE_PARAMS)
    code = money.currency(params)
    amount = money.amount(params, code)
    forms.choice(params, "capture_method", ("automatic", "automatic_async"))
    fee = forms.integer(params, "application_fee_amount", minimum=0)
    if fee is not None and not ctx.connected:
        raise invalid(
            "application_fee_amount requires a Stripe-Account header (a direct charge).", "application_fee_amount"
        )
    pi = new_payment_intent(
        ctx.sandbox,
        ctx.account,
        amount,
        code,
        forms.metadata(params),
        forms.text(params, "description"),
        fee,
        forms.text(params, "receipt_email"),
    )
    if forms.text(params, "payment_method"):
        pi["payment_method"] = _payment_method(params)
        pi["status"] = "requires_confirmation"
    if forms.boolean(params, "confirm"):
        return confirm(ctx, {"payment_method": pi["payment_method"]} if pi["payment_method"] else {}, pi["id"])
    return pi


def _payment_method(params: dict[str, Any]) -> str:
    pm = forms.text(params, "payment_method")
    if pm not in PAYMENT_METHODS:
        raise StripeError(404, f"No such PaymentMethod: '{pm}'", code="resource_missing", param="payment_method")
    return pm


def retrieve(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    return _get(ctx, id)


def update(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    forms.check_known(params, {"amount", "metadata", "description", "receipt_email", "application_fee_amount"})
    pi = _get(ctx, id)
    if pi["status"] in ("succeeded", "canceled") and set(params) - {"metadata", "description", "expand"}:
        raise invalid(f"This PaymentIntent's amount could not be updated because it has a status of {pi['status']}.")
    if "amount" in params:
        pi["amount"] = money.amount(params, pi["currency"])
    for name in ("description", "receipt_email"):
        if name in params:
            pi[name] = forms.text(params, name)
    pi["metadata"] = forms.metadata(params, pi["metadata"])
    return pi


def list_all(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    forms.check_known(params, {"limit", "starting_after", "ending_before", "created", "customer"})
    return page(ctx.store.all("payment_intent", ctx.account), params, "/v1/payment_intents")


def confirm(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    forms.check_known(params, {"payment_method", "return_url", "receipt_email"})
    pi = _get(ctx, id)
    if pi["status"] not in ("requires_payment_method", "requires_confirmation"):
        raise invalid(
            f"You cannot confirm this PaymentIntent because it has a status of {pi['status']}.",
            code="payment_intent_unexpected_state",
        )
    pm = _payment_method(params) if params.get("payment_method") else pi["payment_method"]
    if pm not in PAYMENT_METHODS:
        raise invalid(
            "You cannot confirm this PaymentIntent because it's missing a payment method.",
            code="payment_intent_unexpected_state",
        )
    outcome = charge_card(ctx.sandbox, ctx.account, pi, Card(PAYMENT_METHODS[pm]), ctx.base_url, ctx)
    if outcome in (SUCCEED, AUTHENTICATE):
        return pi
    error = pi["last_payment_error"]
    raise StripeError(
        402,
        error["message"],
        type="card_error",
        code=error["code"],
        param=None,
        **{k: v for k, v in error.items() if k in ("charge", "decline_code", "doc_url")},
        payment_intent=pi,
    )


def cancel(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    forms.check_known(params, {"cancellation_reason"})
    pi = _get(ctx, id)
    if pi["status"] in ("succeeded", "canceled"):
        raise invalid(
            f"You cannot cancel this PaymentIntent because it has a status of {pi['status']}. Only a PaymentIntent "
            "with one of the following statuses may be canceled: requires_payment_method, requires_capture, "
            "requires_confirmation, requires_action, processing.",
            code="payment_intent_unexpected_state",
        )
    reason = forms.choice(
        params, "cancellation_reason", ("abandoned", "duplicate", "fraudulent", "requested_by_customer")
    )
    pi.update(status="canceled", canceled_at=ctx.store.now(), cancellation_reason=reason, next_action=None)
    return pi

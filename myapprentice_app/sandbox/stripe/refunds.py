"""/v1/refunds: full or partial refunds of a charge (by charge or PaymentIntent), and `charge.refunded`."""

from __future__ import annotations

import copy
from typing import Any

from . import forms, payment_objects
from .api import Context, page
from .errors import invalid
from .events import emit
from .store import new_id


def _charge_to_refund(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    charge_id = forms.text(params, "charge")
    pi_id = forms.text(params, "payment_intent")
    if charge_id and pi_id:
        raise invalid("You can only pass one of charge or payment_intent.", "payment_intent")
    if charge_id:
        return ctx.store.get("charge", charge_id, ctx.account, "charge")
    if pi_id:
        pi = ctx.store.get("payment_intent", pi_id, ctx.account, "payment_intent")
        if pi["status"] != "succeeded" or not pi["latest_charge"]:
            raise invalid(
                f"This PaymentIntent ({pi_id}) does not have a successful charge to refund.",
                "payment_intent",
                "charge_not_refundable",
            )
        return ctx.store.get("charge", pi["latest_charge"], ctx.account, "charge")
    raise invalid("One of the following params should be provided for this request: payment_intent or charge.")


def _money(amount: int, currency: str) -> str:
    return f"{amount / 100:.2f} {currency.upper()}"


def create(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    forms.check_known(params, {"charge", "payment_intent", "amount", "reason", "metadata", "refund_application_fee"})
    ch = _charge_to_refund(ctx, params)
    if ch["status"] != "succeeded":
        raise invalid(f"Charge {ch['id']} has not succeeded and cannot be refunded.", "charge", "charge_not_refundable")
    remaining = ch["amount_captured"] - ch["amount_refunded"]
    if remaining <= 0:
        raise invalid(f"Charge {ch['id']} has already been refunded.", "charge", "charge_already_refunded")
    amount = forms.integer(params, "amount", minimum=1)
    amount = remaining if amount is None else amount
    if amount > remaining:
        raise invalid(
            f"Refund amount ({_money(amount, ch['currency'])}) is greater than unrefunded amount on charge "
            f"({_money(remaining, ch['currency'])})",
            "amount",
            "amount_too_large",
        )
    reason = forms.choice(params, "reason", ("duplicate", "fraudulent", "requested_by_customer"))
    now = ctx.store.now()
    re_id, txn_id = new_id("re"), new_id("txn")
    txn = payment_objects.balance_transaction(
        txn_id, -amount, ch["currency"], now, re_id, "refund", "REFUND FOR CHARGE", []
    )
    ctx.store.put(txn, ctx.account)
    refund = payment_objects.refund(re_id, amount, ch, now, reason, forms.metadata(params), txn_id)
    ctx.store.put(refund, ctx.account)
    previous = {
        "amount_refunded": ch["amount_refunded"],
        "refunded": ch["refunded"],
        "refunds": copy.deepcopy(ch["refunds"]),
    }
    ch["amount_refunded"] += amount
    ch["refunded"] = ch["amount_refunded"] >= ch["amount_captured"]
    ch["refunds"]["data"].insert(0, refund)
    account = ctx.event_account()
    emit(ctx.sandbox, "refund.created", refund, account, ctx=ctx)
    emit(ctx.sandbox, "charge.refunded", ch, account, previous, ctx=ctx)
    return refund


def retrieve(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    return ctx.store.get("refund", id, ctx.account, "refund")


def list_all(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    forms.check_known(params, {"limit", "starting_after", "ending_before", "charge", "payment_intent", "created"})
    refunds = ctx.store.all("refund", ctx.account)
    for name in ("charge", "payment_intent"):
        wanted = forms.text(params, name)
        if wanted:
            refunds = [refund for refund in refunds if refund[name] == wanted]
    return page(refunds, params, "/v1/refunds")

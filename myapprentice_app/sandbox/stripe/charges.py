"""/v1/charges and /v1/balance_transactions (read only: charges are made by PaymentIntents)."""

from __future__ import annotations

from typing import Any

from . import forms
from .api import Context, page


def retrieve_charge(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    return ctx.store.get("charge", id, ctx.account, "charge")


def list_charges(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    forms.check_known(params, {"limit", "starting_after", "ending_before", "payment_intent", "created", "customer"})
    charges = ctx.store.all("charge", ctx.account)
    wanted = forms.text(params, "payment_intent")
    if wanted:
        charges = [ch for ch in charges if ch["payment_intent"] == wanted]
    return page(charges, params, "/v1/charges")


def retrieve_balance_transaction(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    return ctx.store.get("balance_transaction", id, ctx.account, "id")


def list_balance_transactions(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    forms.check_known(params, {"limit", "starting_after", "ending_before", "source", "type", "created", "payout"})
    transactions = ctx.store.all("balance_transaction", ctx.account)
    for name in ("source", "type"):
        wanted = forms.text(params, name)
        if wanted:
            transactions = [txn for txn in transactions if txn[name] == wanted]
    return page(transactions, params, "/v1/balance_transactions")

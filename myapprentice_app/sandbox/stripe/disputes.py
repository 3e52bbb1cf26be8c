"""Disputes (chargebacks): Stripe's dispute test cards pay, then the cardholder's bank disputes the charge at
once. The amount and the dispute fee leave the account's balance in one balance transaction, and
`charge.dispute.created` is sent; `/v1/disputes/{id}/close` accepts the dispute (lost, `charge.dispute.closed`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import forms, payment_objects
from .api import Context, page
from .cards import DISPUTE_CARDS
from .errors import invalid
from .events import emit
from .store import new_id

if TYPE_CHECKING:
    from .runtime import Sandbox

# Stripe's dispute fee, by the account's country (AU A$25, US US$15, GB £20), returned only if it is won.
DISPUTE_FEES = {"AU": 2500, "US": 1500, "GB": 2000}
CLOSED = ("won", "lost", "warning_closed")


def open_dispute(sandbox: Sandbox, account: str, ch: dict[str, Any], number: str, ctx: Context | None) -> None:
    reason, status = DISPUTE_CARDS[number]
    store = sandbox.store
    now = store.now()
    dp_id = new_id("dp")
    withdrawals = []
    if status == "needs_response":
        fee = DISPUTE_FEES.get(store.objects[account]["country"], 1500)
        txn = payment_objects.balance_transaction(
            new_id("txn"), -ch["amount"], ch["currency"], now, dp_id, "adjustment",
            f"Chargeback withdrawal for {ch['id']}",
            [{"amount": fee, "application": None, "currency": ch["currency"], "description": "Dispute fee",
              "type": "stripe_fee"}],
        )
        withdrawals.append(txn)
        store.put(txn, account)
    dispute = {
        "amount": ch["amount"],
        "balance_transactions": withdrawals,
        "charge": ch["id"],
        "created": now,
        "currency": ch["currency"],
        "evidence": {name: None for name in EVIDENCE} | {"enhanced_evidence": {}},
        "evidence_details": {"due_by": now + 7 * payment_objects.DAY, "has_evidence": False, "past_due": False,
                             "submission_count": 0, "enhanced_eligibility": {}},
        "id": dp_id,
        "is_charge_refundable": False,
        "livemode": False,
        "metadata": {},
        "object": "dispute",
        "payment_intent": ch["payment_intent"],
        "payment_method_details": {"card": {"brand": ch["payment_method_details"]["card"]["brand"],
                                            "case_type": "inquiry" if status.startswith("warning") else "chargeback",
                                            "network_reason_code": "10.4" if reason == "fraudulent" else "13.1",
                                            "network": ch["payment_method_details"]["card"]["brand"]},
                                   "type": "card"},
        "reason": reason,
        "status": status,
        "enhanced_eligibility_types": [],
    }
    store.put(dispute, account)
    ch["disputed"] = True
    connect = account if account != store.platform else None
    emit(sandbox, "charge.dispute.created", dispute, connect, ctx=ctx)
    if withdrawals:
        emit(sandbox, "charge.dispute.funds_withdrawn", dispute, connect, ctx=ctx)


def retrieve(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    return ctx.store.get("dispute", id, ctx.account, "dispute")


def list_all(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    forms.check_known(params, {"limit", "starting_after", "ending_before", "charge", "payment_intent", "created"})
    disputes = ctx.store.all("dispute", ctx.account)
    for name in ("charge", "payment_intent"):
        wanted = forms.text(params, name)
        if wanted:
            disputes = [dispute for dispute in disputes if dispute[name] == wanted]
    return page(disputes, params, "/v1/disputes")


def close(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    """Accepting the dispute: it is lost, and the withdrawn funds stay with the cardholder."""
    forms.check_known(params, {"expand"})
    dispute = ctx.store.get("dispute", id, ctx.account, "dispute")
    if dispute["status"] in CLOSED:
        raise invalid(f"This dispute is already closed: {id}", None, "dispute_already_closed")
    previous = {"status": dispute["status"]}
    dispute["status"] = "warning_closed" if dispute["status"].startswith("warning") else "lost"
    emit(ctx.sandbox, "charge.dispute.closed", dispute, ctx.event_account(), previous, ctx=ctx)
    return dispute


EVIDENCE = (
    "access_activity_log", "billing_address", "cancellation_policy", "cancellation_policy_disclosure",
    "cancellation_rebuttal", "customer_communication", "customer_email_address", "customer_name",
    "customer_purchase_ip", "customer_signature", "duplicate_charge_documentation", "duplicate_charge_explanation",
    "duplicate_charge_id", "product_description", "receipt", "refund_policy", "refund_policy_disclosure",
    "refund_refusal_explanation", "service_date", "service_documentation", "shipping_address", "shipping_carrier",
    "shipping_date", "shipping_documentation", "shipping_tracking_number", "uncategorized_file",
    "uncategorized_text",
)

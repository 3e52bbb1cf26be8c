"""The PaymentIntent, Charge, BalanceTransaction and Refund objects, shaped like Stripe's fixtures."""

from __future__ import annotations

from typing import Any

from .cards import Card, Decline
from .store import random_part

DAY = 86400


def payment_intent(
    pi_id: str,
    amount: int,
    currency: str,
    now: int,
    metadata: dict[str, str],
    description: str | None,
    application_fee_amount: int | None,
    receipt_email: str | None = None,
) -> dict[str, Any]:
    return {
        "amount": amount,
        "amount_capturable": 0,
        "amount_details": {"tip": {}},
        "amount_received": 0,
        "application": None,
        "application_fee_amount": application_fee_amount,
        "automatic_payment_methods": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic_async",
        "client_secret": f"{pi_id}_secret_{random_part(25)}",
        "confirmation_method": "automatic",
        "created": now,
        "currency": currency,
        "customer": None,
        "description": description,
        "id": pi_id,
        "last_payment_error": None,
        "latest_charge": None,
        "livemode": False,
        "metadata": metadata,
        "next_action": None,
        "object": "payment_intent",
        "on_behalf_of": None,
        "payment_method": None,
        "payment_method_configuration_details": None,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "processing": None,
        "receipt_email": receipt_email,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
        "source": None,
        "excluded_payment_method_types": None,
        "customer_account": None,
        "managed_payments": {"enabled": False},
    }


def _card_details(card: Card, amount: int, country: str) -> dict[str, Any]:
    return {
        "amount_authorized": amount,
        "brand": card.brand,
        "checks": {"address_line1_check": None, "address_postal_code_check": None, "cvc_check": "pass"},
        "country": country,
        "exp_month": card.exp_month,
        "exp_year": card.exp_year,
        "extended_authorization": {"status": "disabled"},
        "fingerprint": card.fingerprint,
        "funding": "credit",
        "incremental_authorization": {"status": "unavailable"},
        "installments": None,
        "last4": card.last4,
        "mandate": None,
        "multicapture": {"status": "unavailable"},
        "network": card.brand,
        "network_token": {"used": False},
        "overcapture": {"maximum_amount_capturable": amount, "status": "unavailable"},
        "three_d_secure": None,
        "wallet": None,
        "authorization_code": None,
        "regulated_status": "unregulated",
        "network_transaction_id": random_part(15),
        "transaction_link_id": None,
    }


def charge(
    ch_id: str,
    pi: dict[str, Any],
    card: Card,
    payment_method: str,
    country: str,
    now: int,
    base_url: str,
    decline: Decline | None,
    balance_transaction: str | None,
) -> dict[str, Any]:
    succeeded = decline is None
    reason = failure_code = failure_message = None
    if decline is not None:
        reason, failure_code, failure_message = decline.decline_code or decline.code, decline.code, decline.message
    amount = pi["amount"]
    outcome = {
        "advice_code": None,
        "network_advice_code": None,
        "network_decline_code": None,
        "network_status": "approved_by_network" if succeeded else "declined_by_network",
        "reason": reason,
        "seller_message": "Payment complete." if succeeded else "The bank did not return any further details.",
        "type": "authorized" if succeeded else "issuer_declined",
    }
    return {
        "amount": amount,
        "amount_captured": amount if succeeded else 0,
        "amount_refunded": 0,
        "application": None,
        "application_fee": f"fee_{random_part(24)}" if succeeded and pi["application_fee_amount"] else None,
        "application_fee_amount": pi["application_fee_amount"],
        "balance_transaction": balance_transaction,
        "billing_details": {
            "address": {
                "city": None,
                "country": None,
                "line1": None,
                "line2": None,
                "postal_code": None,
                "state": None,
            },
            "email": pi["receipt_email"],
            "name": None,
            "phone": None,
            "tax_id": None,
        },
        "calculated_statement_descriptor": "MYAPPRENTICE",
        "captured": succeeded,
        "created": now,
        "currency": pi["currency"],
        "customer": None,
        "description": pi["description"],
        "disputed": False,
        "failure_balance_transaction": None,
        "failure_code": failure_code,
        "failure_message": failure_message,
        "fraud_details": {},
        "id": ch_id,
        "livemode": False,
        "metadata": dict(pi["metadata"]),
        "object": "charge",
        "on_behalf_of": None,
        "outcome": outcome,
        "paid": succeeded,
        "payment_intent": pi["id"],
        "payment_method": payment_method,
        "payment_method_details": {"card": _card_details(card, amount, country), "type": "card"},
        "receipt_email": pi["receipt_email"],
        "receipt_number": None,
        "receipt_url": f"{base_url}/receipts/payment/{ch_id}",
        "refunded": False,
        "refunds": {"data": [], "has_more": False, "object": "list", "url": f"/v1/charges/{ch_id}/refunds"},
        "review": None,
        "shipping": None,
        "source_transfer": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "succeeded" if succeeded else "failed",
        "transfer_data": None,
        "transfer_group": None,
        "source": None,
    }


def balance_transaction(
    txn_id: str,
    amount: int,
    currency: str,
    now: int,
    source: str,
    kind: str,
    description: str | None,
    fee_details: list[dict[str, Any]],
) -> dict[str, Any]:
    fee = sum(detail["amount"] for detail in fee_details)
    return {
        "amount": amount,
        "available_on": now + 2 * DAY,
        "created": now,
        "currency": currency,
        "description": description,
        "exchange_rate": None,
        "fee": fee,
        "fee_details": fee_details,
        "id": txn_id,
        "net": amount - fee,
        "object": "balance_transaction",
        "reporting_category": kind,
        "source": source,
        "status": "pending",
        "type": kind,
        "balance_type": "payments",
    }


def refund(
    re_id: str,
    amount: int,
    ch: dict[str, Any],
    now: int,
    reason: str | None,
    metadata: dict[str, str],
    balance_transaction: str,
) -> dict[str, Any]:
    return {
        "amount": amount,
        "balance_transaction": balance_transaction,
        "charge": ch["id"],
        "created": now,
        "currency": ch["currency"],
        "destination_details": {"card": {"type": "refund"}, "type": "card"},
        "id": re_id,
        "metadata": metadata,
        "object": "refund",
        "payment_intent": ch["payment_intent"],
        "reason": reason,
        "receipt_number": None,
        "source_transfer_reversal": None,
        "status": "succeeded",
        "transfer_reversal": None,
        "customer": None,
        "customer_account": None,
        "payment_method": ch["payment_method"],
    }

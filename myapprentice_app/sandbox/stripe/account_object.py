"""The Account object (shape of Stripe's `account` fixture) and what onboarding changes on it."""

from __future__ import annotations

from typing import Any

CURRENCIES = {"AU": "aud", "US": "usd", "GB": "gbp"}  # the countries whose card fee is in fees.py
ONBOARDING_DUE = [
    "business_profile.mcc",
    "business_profile.url",
    "external_account",
    "representative.first_name",
    "representative.last_name",
    "tos_acceptance.date",
    "tos_acceptance.ip",
]


def _address() -> dict[str, Any]:
    return {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None, "state": None}


def requirements(due: list[str], disabled_reason: str | None) -> dict[str, Any]:
    return {
        "alternatives": [],
        "current_deadline": None,
        "currently_due": list(due),
        "disabled_reason": disabled_reason,
        "errors": [],
        "eventually_due": list(due),
        "past_due": list(due),
        "pending_verification": [],
    }


def new_account(account_id: str, country: str, email: str | None, now: int, account_type: str) -> dict[str, Any]:
    return {
        "business_profile": {
            "annual_revenue": {"amount": None, "currency": None, "fiscal_year_end": None},
            "estimated_worker_count": None,
            "mcc": None,
            "name": None,
            "product_description": None,
            "support_address": _address(),
            "support_email": None,
            "support_phone": None,
            "support_url": None,
            "url": None,
            "minority_owned_business_designation": None,
        },
        "business_type": None,
        "capabilities": {"card_payments": "inactive", "transfers": "inactive"},
        "charges_enabled": False,
        "controller": {"type": "application"},
        "country": country,
        "created": now,
        "default_currency": CURRENCIES[country],
        "details_submitted": False,
        "email": email,
        "external_accounts": {
            "data": [],
            "has_more": False,
            "object": "list",
            "url": f"/v1/accounts/{account_id}/external_accounts",
        },
        "future_requirements": requirements([], None),
        "id": account_id,
        "metadata": {},
        "object": "account",
        "payouts_enabled": False,
        "requirements": requirements(ONBOARDING_DUE, "requirements.past_due"),
        "settings": {
            "bacs_debit_payments": {"display_name": None, "service_user_number": None},
            "branding": {"icon": None, "logo": None, "primary_color": None, "secondary_color": None},
            "card_issuing": {"tos_acceptance": {"date": None, "ip": None}},
            "card_payments": {
                "decline_on": {"avs_failure": False, "cvc_failure": False},
                "statement_descriptor_prefix": None,
                "statement_descriptor_prefix_kana": None,
                "statement_descriptor_prefix_kanji": None,
            },
            "dashboard": {"display_name": None, "timezone": "Etc/UTC"},
            "invoices": {"default_account_tax_ids": None, "hosted_payment_method_save": None},
            "payments": {
                "statement_descriptor": None,
                "statement_descriptor_kana": None,
                "statement_descriptor_kanji": None,
                "statement_descriptor_prefix_kana": None,
                "statement_descriptor_prefix_kanji": None,
            },
            "payouts": {
                "debit_negative_balances": True,
                "schedule": {"delay_days": 2, "interval": "daily"},
                "statement_descriptor": None,
            },
            "sepa_debit_payments": {},
        },
        "tos_acceptance": {"date": None, "ip": None, "user_agent": None},
        "type": account_type,
    }


def complete_onboarding(account: dict[str, Any], business_name: str, ip: str, now: int) -> dict[str, Any]:
    """What the business finishing Stripe's onboarding changes; returns the previous values (for events)."""
    previous = {
        "charges_enabled": account["charges_enabled"],
        "details_submitted": account["details_submitted"],
        "payouts_enabled": account["payouts_enabled"],
        "requirements": account["requirements"],
        "capabilities": account["capabilities"],
    }
    account["business_profile"]["name"] = business_name
    account["business_profile"]["mcc"] = "1731"  # electrical contractors
    account["business_profile"]["support_address"]["country"] = account["country"]
    account["settings"]["dashboard"]["display_name"] = business_name
    account["business_type"] = "company"
    account["capabilities"] = {"card_payments": "active", "transfers": "active"}
    account["charges_enabled"] = True
    account["details_submitted"] = True
    account["payouts_enabled"] = True
    account["requirements"] = requirements([], None)
    account["tos_acceptance"] = {"date": now, "ip": ip, "user_agent": "Stripe sandbox onboarding page"}
    return previous

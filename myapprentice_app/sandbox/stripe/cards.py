"""Stripe's test cards and test PaymentMethod ids, and what each one does when charged."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

SUCCEED = "succeed"
AUTHENTICATE = "authenticate"  # 3-D Secure: an extra confirmation step, then the charge
TEST_MODE_LIVE_CARD = (
    "Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of "
    "valid test cards, visit: https://stripe.com/docs/testing."
)


@dataclass(frozen=True)
class Decline:
    code: str
    decline_code: str | None
    message: str


DECLINES = {
    "4000000000000002": Decline("card_declined", "generic_decline", "Your card was declined."),
    "4000000000009995": Decline("card_declined", "insufficient_funds", "Your card has insufficient funds."),
    "4000000000000069": Decline("expired_card", None, "Your card has expired."),
    "4000000000000127": Decline("incorrect_cvc", None, "Your card's security code is incorrect."),
}
AUTHENTICATION_FAILED = Decline(
    "payment_intent_authentication_failure",
    None,
    "We are unable to authenticate your payment method. Please choose a different payment method and try again.",
)
# Cards that pay and are then disputed by the cardholder's bank (disputes.py): number -> (reason, status).
DISPUTE_CARDS = {
    "4000000000000259": ("fraudulent", "needs_response"),
    "4000000000002685": ("product_not_received", "needs_response"),
    "4000000000001976": ("fraudulent", "warning_needs_response"),  # an inquiry: no funds withdrawn yet
}
SUCCEEDING = {"4242424242424242", "4000000360000006", "5555555555554444", "378282246310005", *DISPUTE_CARDS}
NEEDS_AUTHENTICATION = {"4000002500003155", "4000002760003184"}
PAYMENT_METHODS = {
    "pm_card_visa": "4242424242424242",
    "pm_card_au": "4000000360000006",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_authenticationRequired": "4000002500003155",
    "pm_card_createDispute": "4000000000000259",
}


@dataclass(frozen=True)
class Card:
    number: str
    exp_month: int = 12
    exp_year: int = 2034

    @property
    def last4(self) -> str:
        return self.number[-4:]

    @property
    def brand(self) -> str:
        return {"4": "visa", "5": "mastercard", "3": "amex"}.get(self.number[:1], "unknown")

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(self.number.encode()).hexdigest()[:16]

    def outcome(self) -> str | Decline:
        if self.number in SUCCEEDING:
            return SUCCEED
        if self.number in NEEDS_AUTHENTICATION:
            return AUTHENTICATE
        return DECLINES.get(self.number) or Decline("card_declined", "test_mode_live_card", TEST_MODE_LIVE_CARD)


def digits(number: str) -> str:
    return "".join(ch for ch in number if ch.isascii() and ch.isdigit())


def luhn_valid(number: str) -> bool:
    if not 12 <= len(number) <= 19:
        return False
    total = 0
    for index, ch in enumerate(reversed(number)):
        value = int(ch) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0

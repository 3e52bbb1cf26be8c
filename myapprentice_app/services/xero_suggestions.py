"""Suggested Xero settings, read from the organisation's own chart once it is connected: its sales account for
the line categories, its bank account for payments, its Stripe account for card payments and the output tax
type with the same rate for each of the business's tax rates. They fill only what is not set, and count once a
person saves them."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from myapprentice_app.models import TaxRate, XeroAccount, XeroTaxRate

# Xero's sales tax types, most usual first (AU, then NZ/UK), for a rate that several types share.
OUTPUT_TYPES = ("OUTPUT", "OUTPUT2", "EXEMPTOUTPUT", "ZERORATEDOUTPUT", "ZERORATED", "NONE")
NOT_FOR_PAYMENTS = ("stripe", "paypal", "clearing", "credit card")


def account_suggestions(accounts: list[XeroAccount], revenue: list[XeroAccount]) -> dict[str, str]:
    suggested: dict[str, str] = {}
    sales = _first(revenue, lambda a: a.type == "SALES" or "sales" in a.name.casefold())
    if sales is not None:
        suggested.update(labour_account=sales.code, materials_account=sales.code, other_account=sales.code)
    other = _first(revenue, lambda a: "other" in a.name.casefold())
    if other is not None:
        suggested["other_account"] = other.code
    bank = _first(accounts, lambda a: a.type == "BANK" and not any(w in a.name.casefold() for w in NOT_FOR_PAYMENTS))
    if bank is not None:
        suggested["payment_account"] = bank.code
    stripe = (_first(accounts, lambda a: a.type == "BANK" and "stripe" in a.name.casefold())
              or _first(accounts, lambda a: a.enable_payments and "stripe" in a.name.casefold()))
    if stripe is not None:
        suggested["stripe_account"] = stripe.code
    fees = _first(accounts, lambda a: a.account_class == "EXPENSE" and any(
        word in a.name.casefold() for word in ("bank fee", "bank service", "merchant", "stripe fee")))
    if fees is not None:
        suggested["stripe_fee_account"] = fees.code
    return suggested


def tax_type_suggestion(rate: TaxRate, sales_types: list[XeroTaxRate]) -> str:
    """The organisation's sales tax type with the same rate ("" when it has none)."""
    same = [t for t in sales_types if t.rate == rate.rate]
    same.sort(key=lambda t: (OUTPUT_TYPES.index(t.tax_type) if t.tax_type in OUTPUT_TYPES else len(OUTPUT_TYPES),
                             t.name))
    return same[0].tax_type if same else ""


def percent(rate: Decimal) -> str:
    return f"{rate.normalize():f}%"


def _first(accounts: Iterable[XeroAccount], wanted) -> XeroAccount | None:  # type: ignore[no-untyped-def]
    return next((account for account in sorted(accounts, key=lambda a: a.code) if wanted(account)), None)

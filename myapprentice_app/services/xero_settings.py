"""The Xero tab: account per line category, tax-rate mapping, payment accounts, push status, contact policy.

Every choice is checked against the organisation's cached accounts and tax rates; no code is assumed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col, select

from myapprentice_app.db import locked, utcnow
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models import (
    Business,
    Payment,
    StripeCredit,
    StripePayment,
    TaxRate,
    XeroAccount,
    XeroSettings,
    XeroTaxRate,
)
from myapprentice_app.services import audit
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.services.principal import Principal
from myapprentice_app.services.xero_suggestions import account_suggestions, percent, tax_type_suggestion

SETTING_FIELDS = ("labour_account", "materials_account", "other_account", "payment_account", "stripe_account",
                  "stripe_fee_account", "push_as", "contact_policy")


@dataclass
class Choice:
    value: str = ""
    label: str = ""


@dataclass
class TaxMapping:
    rate_id: int = 0
    name: str = ""  # "GST 10% (10%)"
    xero_tax_type: str = ""
    suggested: str = ""  # the organisation's sales tax type with the same rate, while none is mapped


@dataclass
class XeroSettingsView:
    values: dict[str, str] = field(default_factory=dict)
    revenue_accounts: list[Choice] = field(default_factory=list)
    payment_accounts: list[Choice] = field(default_factory=list)
    expense_accounts: list[Choice] = field(default_factory=list)  # for Stripe's fee
    tax_types: list[Choice] = field(default_factory=list)
    tax_mappings: list[TaxMapping] = field(default_factory=list)
    # Read from the organisation's chart for the settings not chosen yet; saved only when a person saves them.
    suggested: dict[str, str] = field(default_factory=dict)


class RateMismatch(ValueError):
    """A tax rate mapped to a Xero tax type of another rate: allowed only once the person has been warned."""


def settings_row(session: Session, business_id: int) -> XeroSettings:
    """The business's settings, made on first use. Making them locks the business until commit, so the first
    saves from two tabs at the same moment make one row and the second saves onto it."""
    row = session.get(XeroSettings, business_id)
    if row is None:
        locked(session, Business, business_id)
        row = session.get(XeroSettings, business_id) or XeroSettings(business_id=business_id)
        session.add(row)
    return row


def settings_view(session: Session, actor: Principal) -> XeroSettingsView:
    actor.require(Permission.XERO_SETTINGS)
    row = session.get(XeroSettings, actor.business_id) or XeroSettings(business_id=actor.business_id)
    accounts = session.exec(select(XeroAccount).where(XeroAccount.business_id == actor.business_id,
                                                      XeroAccount.status == "ACTIVE")
                            .order_by(XeroAccount.code)).all()
    rates = session.exec(select(XeroTaxRate).where(XeroTaxRate.business_id == actor.business_id,
                                                   XeroTaxRate.status == "ACTIVE")).all()
    app_rates = session.exec(select(TaxRate).where(TaxRate.business_id == actor.business_id)
                             .order_by(TaxRate.name)).all()
    values = {name: str(getattr(row, name) or "") for name in SETTING_FIELDS}
    revenue = [a for a in accounts if _is_revenue(a)]
    sales_types = [r for r in rates if r.for_revenue]
    suggested = {name: code for name, code in account_suggestions(list(accounts), revenue).items() if not values[name]}
    return XeroSettingsView(
        values=values, suggested=suggested,
        revenue_accounts=[Choice(a.code, f"{a.code} · {a.name}") for a in revenue],
        payment_accounts=[Choice(a.code, f"{a.code} · {a.name}") for a in accounts if _takes_payments(a)],
        expense_accounts=[Choice(a.code, f"{a.code} · {a.name}") for a in accounts if a.account_class == "EXPENSE"],
        tax_types=[Choice(r.tax_type, f"{r.name} ({r.tax_type}) · {percent(r.rate)}") for r in sales_types],
        tax_mappings=[TaxMapping(r.id or 0, f"{r.name} ({percent(r.rate)})", r.xero_tax_type or "",
                                 "" if r.xero_tax_type else tax_type_suggestion(r, sales_types)) for r in app_rates],
    )


def save_settings(session: Session, actor: Principal, values: dict[str, str],
                  tax_mappings: dict[int, str], *, accept_other_rates: bool = False) -> None:
    """Save the tab. A tax rate mapped to a Xero type of another rate is refused with a warning (under the
    key `accept_other_rates`) until the person confirms it."""
    actor.require(Permission.XERO_SETTINGS)
    problems: dict[str, str] = {}
    row = settings_row(session, actor.business_id)
    checked: dict[str, str | None] = {}
    for name in ("labour_account", "materials_account", "other_account"):
        checked[name] = _try(problems, name, lambda code: require_account(session, actor.business_id, code,
                                                                          revenue=True), values.get(name, ""))
    for name in ("payment_account", "stripe_account"):
        checked[name] = _try(problems, name, lambda code: require_account(session, actor.business_id, code,
                                                                          payments=True), values.get(name, ""))
    checked["stripe_fee_account"] = _try(problems, "stripe_fee_account", lambda code: require_account(
        session, actor.business_id, code), values.get("stripe_fee_account", ""))
    if values.get("push_as", "authorised") not in ("draft", "authorised"):
        problems["push_as"] = "Choose Draft or Authorised."
    if values.get("contact_policy", "create") not in ("create", "require_match"):
        problems["contact_policy"] = "Choose how contacts are found."
    rates = {rate.id: rate for rate in session.exec(select(TaxRate).where(TaxRate.business_id == actor.business_id))}
    mapped: dict[int, str | None] = {}
    for rate_id, tax_type in tax_mappings.items():
        if rate_id not in rates:
            problems[f"tax_{rate_id}"] = "Unknown tax rate."
            continue
        try:
            mapped[rate_id] = require_tax_type(session, actor.business_id, tax_type, rate=rates[rate_id],
                                               accept_other_rate=accept_other_rates) if tax_type.strip() else None
        except RateMismatch as warned:
            problems[f"tax_{rate_id}"] = str(warned)
            problems["accept_other_rates"] = ("A tax rate is mapped to a Xero tax type with a different rate, so "
                                              "Xero would show other tax than the invoice. Confirm to save it.")
        except ValueError as refused:
            problems[f"tax_{rate_id}"] = str(refused)
    if problems:
        raise ValidationFailed(problems)
    for name, value in checked.items():
        setattr(row, name, value)
    row.push_as = values.get("push_as", "authorised") or "authorised"
    row.contact_policy = values.get("contact_policy", "create") or "create"
    row.updated_at = utcnow()
    for rate_id, chosen in mapped.items():
        rates[rate_id].xero_tax_type = chosen
    # A payment Xero refused may go now (a payment account it takes): see sync/payments.py REFUSED.
    session.execute(sa.update(Payment).where(col(Payment.business_id) == actor.business_id,
                                             col(Payment.sync_status) == SyncStatus.ERROR,
                                             col(Payment.xero_payment_id).is_(None))
                    .values(sync_status=SyncStatus.NOT_SYNCED))
    # So may a Stripe fee or card refund held back for want of its account, or refused: the next cycle sends it.
    session.execute(sa.update(StripePayment).where(col(StripePayment.business_id) == actor.business_id,
                                                   col(StripePayment.xero_fee_transaction_id).is_(None))
                    .values(fee_sync_message=None))
    session.execute(sa.update(StripeCredit).where(col(StripeCredit.business_id) == actor.business_id,
                                                  col(StripeCredit.xero_refund_id).is_(None))
                    .values(sync_message=None))
    audit.record(session, actor, actor.business_id, "xero.settings_changed")
    session.commit()


def require_account(session: Session, business_id: int, code: str, *, revenue: bool = False,
                    payments: bool = False) -> str:
    account = session.exec(select(XeroAccount).where(XeroAccount.business_id == business_id,
                                                     XeroAccount.code == code.strip())).first()
    if account is None or account.status != "ACTIVE":
        raise ValueError(f"Account {code} isn't one of the organisation's active accounts.")
    if revenue and not _is_revenue(account):
        raise ValueError(f"Account {code} isn't a revenue account.")
    if payments and not _takes_payments(account):
        raise ValueError(f"Account {code} can't receive payments (choose a bank account).")
    return account.code


def require_tax_type(session: Session, business_id: int, tax_type: str, *, rate: TaxRate | None = None,
                     accept_other_rate: bool = False) -> str:
    xero = session.exec(select(XeroTaxRate).where(XeroTaxRate.business_id == business_id,
                                                  XeroTaxRate.tax_type == tax_type.strip())).first()
    if xero is None or xero.status != "ACTIVE" or not xero.for_revenue:
        raise ValueError(f"{tax_type} isn't a tax rate this organisation can use on sales.")
    if rate is not None and xero.rate != rate.rate and not accept_other_rate:
        raise RateMismatch(f"{rate.name} is {percent(rate.rate)}, but Xero's {xero.name} ({xero.tax_type}) is "
                           f"{percent(xero.rate)}.")
    return xero.tax_type


def _try(problems: dict[str, str], name: str, check, value: str) -> str | None:  # type: ignore[no-untyped-def]
    if not value.strip():
        return None
    try:
        return check(value)
    except ValueError as refused:
        problems[name] = str(refused)
        return None


def _is_revenue(account: XeroAccount) -> bool:
    return account.account_class == "REVENUE" and account.type in ("REVENUE", "SALES", "OTHERINCOME")


def _takes_payments(account: XeroAccount) -> bool:
    return account.type == "BANK" or account.enable_payments

"""Stripe: a business's connected account, the Checkout Sessions opened for its invoices, every webhook event
received (deduplicated by id), and each card payment with its fee and refunds."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from myapprentice_app.db import UTCDateTime, utcnow


class StripeAccount(SQLModel, table=True):
    """One business's connected Stripe account (direct charges are made on it with `Stripe-Account`)."""

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", unique=True)
    account_id: str = Field(sa_type=sa.String(64), unique=True)  # acct_…
    status: str = Field(default="onboarding", sa_type=sa.String(20))  # onboarding | connected | disconnected
    charges_enabled: bool = False
    payouts_enabled: bool = False
    details_submitted: bool = False
    currently_due: str = Field(default="", sa_type=sa.Text)  # comma-separated requirement names
    disabled_reason: str | None = Field(default=None, sa_type=sa.String(100))
    country: str | None = Field(default=None, sa_type=sa.String(2))
    connected_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StripeCheckout(SQLModel, table=True):
    """A Checkout Session opened from an invoice's pay page; at most one is open per invoice."""

    id: str = Field(sa_type=sa.String(255), primary_key=True)  # cs_…
    business_id: int = Field(foreign_key="business.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    account_id: str = Field(sa_type=sa.String(64))
    amount: int  # minor units asked for
    currency: str = Field(sa_type=sa.String(3))
    url: str = Field(sa_type=sa.String(1000))
    status: str = Field(default="open", sa_type=sa.String(10))  # open | complete | expired
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    failure: str | None = Field(default=None, sa_type=sa.Text)  # the last decline, told to the client
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StripeEvent(SQLModel, table=True):
    """Every verified webhook event, once (its id is the key); what came of it, and any problem to review."""

    id: str = Field(sa_type=sa.String(255), primary_key=True)  # evt_…
    type: str = Field(sa_type=sa.String(80))
    account_id: str | None = Field(default=None, sa_type=sa.String(64))
    business_id: int | None = Field(default=None, foreign_key="business.id", index=True)
    created: int = 0  # Stripe's unix time
    received_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    status: str = Field(default="received", sa_type=sa.String(14))  # received | processed | ignored | needs_review
    problem: str | None = Field(default=None, sa_type=sa.Text)


class StripePayment(SQLModel, table=True):
    """One card payment (a PaymentIntent on the connected account): what Stripe took, its fee, its refunds."""

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    payment_intent_id: str = Field(sa_type=sa.String(255), unique=True)  # pi_…
    checkout_session_id: str | None = Field(default=None, sa_type=sa.String(255))
    charge_id: str | None = Field(default=None, sa_type=sa.String(255))
    currency: str = Field(sa_type=sa.String(3))
    amount_received: int = 0  # minor units
    amount_refunded: int = 0
    overpaid: int = 0  # taken beyond what was owing: recorded nowhere, so a refund gives it back first
    fee: int = 0
    payment_id: int | None = Field(default=None, foreign_key="payment.id")  # the invoice's Payment (method Stripe)
    xero_fee_transaction_id: str | None = Field(default=None, sa_type=sa.String(36))
    fee_sync_message: str | None = Field(default=None, sa_type=sa.Text)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StripeDispute(SQLModel, table=True):
    """A card payment disputed by the cardholder's bank (a chargeback), as Stripe has it now."""

    id: str = Field(sa_type=sa.String(255), primary_key=True)  # dp_… / du_…
    business_id: int = Field(foreign_key="business.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    stripe_payment_id: int = Field(foreign_key="stripepayment.id")
    amount: int  # minor units disputed
    currency: str = Field(sa_type=sa.String(3))
    reason: str = Field(sa_type=sa.String(40))
    status: str = Field(sa_type=sa.String(30))  # Stripe's: needs_response, under_review, won, lost, warning_…
    respond_by: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    noted_in_xero: str | None = Field(default=None, sa_type=sa.String(30))  # the status last written in History
    reversed: bool = False  # lost: the card payment was taken back from the invoice
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class StripeCredit(SQLModel, table=True):
    """Part of a card payment refunded: a credit to the client, posted to Xero as an ACCRECCREDIT credit note
    refunded from the Stripe account (the payment itself stays, as the money did arrive)."""

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    stripe_payment_id: int = Field(foreign_key="stripepayment.id")
    amount: int  # minor units refunded
    currency: str = Field(sa_type=sa.String(3))
    refunded_on: dt.date
    xero_credit_note_id: str | None = Field(default=None, sa_type=sa.String(36))
    xero_refund_id: str | None = Field(default=None, sa_type=sa.String(36))  # the refund Payment on the note
    sync_message: str | None = Field(default=None, sa_type=sa.Text)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

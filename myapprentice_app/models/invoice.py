from __future__ import annotations

import datetime as dt
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from myapprentice_app.db import ExactDecimal, UTCDateTime, utcnow
from myapprentice_app.domain.invoice_status import InvoiceStatus

ZERO = Decimal("0.00")


class TaxRate(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    name: str = Field(sa_type=sa.String(100))
    rate: Decimal = Field(sa_type=ExactDecimal)  # percent, e.g. 10
    xero_tax_type: str | None = Field(default=None, sa_type=sa.String(50))
    is_default: bool = False


class Invoice(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    job_id: int | None = Field(default=None, foreign_key="job.id")
    quote_id: int | None = Field(default=None, foreign_key="quote.id")
    number: str = Field(sa_type=sa.String(30))
    reference: str | None = Field(default=None, sa_type=sa.String(255))
    issue_date: dt.date
    due_date: dt.date
    status: str = Field(default="draft", sa_type=sa.String(20), index=True)
    amounts_are: str = Field(default="exclusive", sa_type=sa.String(12))
    currency: str = Field(default="AUD", sa_type=sa.String(3))
    subtotal: Decimal = Field(default=ZERO, sa_type=ExactDecimal)
    total_tax: Decimal = Field(default=ZERO, sa_type=ExactDecimal)
    total: Decimal = Field(default=ZERO, sa_type=ExactDecimal)
    amount_paid: Decimal = Field(default=ZERO, sa_type=ExactDecimal)
    version: int = 1
    pay_token: str | None = Field(default=None, sa_type=sa.String(64), unique=True)
    sent_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    # Xero link and sync state
    sync_status: str = Field(default="not_synced", sa_type=sa.String(12), index=True)
    xero_invoice_id: str | None = Field(default=None, sa_type=sa.String(36))
    synced_version: int | None = None
    sync_error_code: str | None = Field(default=None, sa_type=sa.String(40))
    sync_error_message: str | None = Field(default=None, sa_type=sa.Text)
    sync_error_detail: str | None = Field(default=None, sa_type=sa.Text)
    xero_drift: str | None = Field(default=None, sa_type=sa.Text)
    xero_online_invoice_url: str | None = Field(default=None, sa_type=sa.String(500))  # the client's Xero page

    __table_args__ = (
        sa.UniqueConstraint("business_id", "number"),
        sa.Index("ix_invoice_business_issue", "business_id", "issue_date", "id"),
    )

    @property
    def amount_due(self) -> Decimal:
        """What the client still owes: nothing on a voided invoice."""
        if self.status == InvoiceStatus.VOIDED:
            return ZERO
        return self.total - self.amount_paid

    @property
    def pushable(self) -> bool:
        """A voided invoice goes to Xero only to void it there: not when Xero never had it, nor once it has the void."""
        if self.status != InvoiceStatus.VOIDED:
            return True
        return bool(self.xero_invoice_id) and self.synced_version != self.version

    @property
    def sync_stamp(self) -> str:
        """What a page showed of this invoice's sync state: a fix offered for one state isn't applied to another."""
        return f"{self.version}.{self.synced_version}.{self.sync_status}.{self.sync_error_code or ''}"


class LineItem(SQLModel, table=True):
    """A priced line on a job, a quote or an invoice (exactly one owner is set)."""

    id: int | None = Field(default=None, primary_key=True)
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    quote_id: int | None = Field(default=None, foreign_key="quote.id", index=True)
    job_id: int | None = Field(default=None, foreign_key="job.id", index=True)
    position: int = 0
    description: str = Field(sa_type=sa.String(4000))
    quantity: Decimal = Field(sa_type=ExactDecimal)
    unit_amount: Decimal = Field(sa_type=ExactDecimal)
    category: str = Field(default="labour", sa_type=sa.String(12))  # labour | materials | other
    tax_rate_id: int | None = Field(default=None, foreign_key="taxrate.id")
    line_amount: Decimal = Field(default=ZERO, sa_type=ExactDecimal)
    tax_amount: Decimal = Field(default=ZERO, sa_type=ExactDecimal)


class Payment(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    amount: Decimal = Field(sa_type=ExactDecimal)
    paid_on: dt.date
    method: str = Field(sa_type=sa.String(20))  # bank_transfer | cash | card | stripe | xero
    reference: str | None = Field(default=None, sa_type=sa.String(255))
    source: str = Field(default="app", sa_type=sa.String(10))  # app | stripe | xero
    recorded_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    xero_payment_id: str | None = Field(default=None, sa_type=sa.String(36))
    sync_status: str = Field(default="not_synced", sa_type=sa.String(12))
    sync_error_message: str | None = Field(default=None, sa_type=sa.Text)
    refunded_amount: Decimal = Field(default=ZERO, sa_type=ExactDecimal)  # a Stripe refund; `amount` is what remains
    xero_reversal_due: bool = False  # refunded after it reached Xero: the Xero payment is to be deleted
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

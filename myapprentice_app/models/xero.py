"""The Xero connection, its settings and cached reference data, and the record of every sync."""

from __future__ import annotations

import datetime as dt
import time
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from myapprentice_app.config import get_settings
from myapprentice_app.db import ExactDecimal, UTCDateTime, utcnow
from myapprentice_app.domain.sync_states import BatchState, ConnectionStatus, ItemOutcome, RunState
from myapprentice_app.domain.xero_limits import DAY_SECONDS


class XeroConnection(SQLModel, table=True):
    """One business's link to one Xero organisation. Tokens are encrypted (security.encrypt)."""

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", unique=True)
    status: str = Field(default=ConnectionStatus.CHOOSE_ORG.value, sa_type=sa.String(20))  # ConnectionStatus
    # One organisation serves one business: the unique index holds even when two businesses connect at once.
    tenant_id: str | None = Field(default=None, sa_type=sa.String(36), unique=True)
    tenant_name: str | None = Field(default=None, sa_type=sa.String(255))
    connection_id: str | None = Field(default=None, sa_type=sa.String(36))
    tenant_choices: str | None = Field(default=None, sa_type=sa.Text)  # JSON list while the user picks one
    token_enc: str = Field(sa_type=sa.Text)
    access_expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    refresh_lock_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    refresh_count: int = 0
    problem: str | None = Field(default=None, sa_type=sa.Text)
    connected_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    connected_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    cache_refreshed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_pulled_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class XeroSettings(SQLModel, table=True):
    business_id: int = Field(foreign_key="business.id", primary_key=True)
    labour_account: str | None = Field(default=None, sa_type=sa.String(10))
    materials_account: str | None = Field(default=None, sa_type=sa.String(10))
    other_account: str | None = Field(default=None, sa_type=sa.String(10))
    payment_account: str | None = Field(default=None, sa_type=sa.String(10))
    stripe_account: str | None = Field(default=None, sa_type=sa.String(10))
    stripe_fee_account: str | None = Field(default=None, sa_type=sa.String(10))  # expense account for Stripe's fee
    push_as: str = Field(default="authorised", sa_type=sa.String(12))  # draft | authorised
    contact_policy: str = Field(default="create", sa_type=sa.String(14))  # create | require_match
    linked_tenant_id: str | None = Field(default=None, sa_type=sa.String(36))  # whose ids the app keeps (xero_links)
    updated_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    def account_for(self, category: str) -> str | None:
        """The revenue account a line of this category (labour, materials, other) is coded to."""
        return getattr(self, f"{category}_account", None)


class XeroAccount(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    account_id: str = Field(sa_type=sa.String(36))
    code: str = Field(default="", sa_type=sa.String(10))
    name: str = Field(sa_type=sa.String(150))
    type: str = Field(sa_type=sa.String(20))
    account_class: str = Field(default="", sa_type=sa.String(20))
    status: str = Field(sa_type=sa.String(10))
    tax_type: str | None = Field(default=None, sa_type=sa.String(50))
    enable_payments: bool = False


class XeroTaxRate(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    tax_type: str = Field(sa_type=sa.String(50))
    name: str = Field(sa_type=sa.String(150))
    rate: Decimal = Field(default=Decimal(0), sa_type=ExactDecimal)
    status: str = Field(sa_type=sa.String(10))
    for_revenue: bool = True


class XeroContact(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    contact_id: str = Field(sa_type=sa.String(36))
    name: str = Field(sa_type=sa.String(255))
    email: str | None = Field(default=None, sa_type=sa.String(320))
    status: str = Field(default="ACTIVE", sa_type=sa.String(12))

    __table_args__ = (sa.UniqueConstraint("business_id", "contact_id"),)


class XeroInvoiceRef(SQLModel, table=True):
    """Invoice numbers known to exist in Xero (pre-flight for number conflicts, and Sync All's watermark)."""

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    number: str = Field(sa_type=sa.String(255))
    invoice_id: str = Field(sa_type=sa.String(36))
    contact_id: str | None = Field(default=None, sa_type=sa.String(36))
    total: Decimal = Field(default=Decimal(0), sa_type=ExactDecimal)
    status: str = Field(default="", sa_type=sa.String(12))

    __table_args__ = (sa.UniqueConstraint("business_id", "number"),)


class OAuthState(SQLModel, table=True):
    """One consent in flight: the CSRF state and the PKCE verifier, bound to who started it."""

    state: str = Field(sa_type=sa.String(64), primary_key=True)
    business_id: int = Field(foreign_key="business.id")
    user_id: int = Field(foreign_key="user.id")
    code_verifier: str = Field(sa_type=sa.String(128))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    used_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class XeroBudget(SQLModel, table=True):
    """The per-organisation rate-limit budget every worker shares (60/min, 5 concurrent, the day's quota)."""

    tenant_id: str = Field(sa_type=sa.String(36), primary_key=True)
    window_started_at: float = 0.0
    window_calls: int = 0
    blocked_until: float = 0.0
    blocked_problem: str | None = Field(default=None, sa_type=sa.String(12))  # the limit a 429 named
    day_remaining: int | None = None
    day_remaining_at: float = 0.0  # when Xero said so
    minute_remaining: int | None = None

    def calls_left_today(self) -> int | None:
        """Xero's last X-DayLimit-Remaining while it can still hold: a figure older than a day (shortened like the
        sandbox's when it runs time-scaled) says nothing, as Xero's day has reset since."""
        day = DAY_SECONDS / get_settings().xero_minute_scale
        return None if self.day_remaining is None or time.time() >= self.day_remaining_at + day else self.day_remaining


class XeroCallSlot(SQLModel, table=True):
    """One of the organisation's concurrent-call slots; a lease, so a killed worker's slot frees itself."""

    tenant_id: str = Field(sa_type=sa.String(36), primary_key=True)
    slot: int = Field(primary_key=True)
    held_until: float = 0.0
    holder: str | None = Field(default=None, sa_type=sa.String(64))


class SyncRun(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    kind: str = Field(sa_type=sa.String(12))  # RunKind
    state: str = Field(default=RunState.QUEUED.value, sa_type=sa.String(10), index=True)  # RunState
    create_contacts: bool = False  # the "create the contact in Xero" fix, whatever the contact policy
    # Set only while a Send all is active: the unique index makes two clicks start one run.
    active_send_all: int | None = Field(default=None, unique=True)
    started_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    finished_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    heartbeat_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Fencing: who holds the run, and the token bumped on every claim that each of its writes compares.
    owner: str | None = Field(default=None, sa_type=sa.String(64))
    generation: int = 0
    total: int = 0
    next_try_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    calls_made: int = 0
    message: str | None = Field(default=None, sa_type=sa.Text)


class SyncRunItem(SQLModel, table=True):
    run_id: int = Field(foreign_key="syncrun.id", primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", primary_key=True, index=True)
    version: int = 1
    outcome: str = Field(default=ItemOutcome.PENDING.value, sa_type=sa.String(10))  # ItemOutcome


class XeroBatch(SQLModel, table=True):
    """A write request to Xero, stored with its Idempotency-Key before it is sent.

    A batch left in `sending` means its outcome is unknown (the worker died or the response was lost):
    it is reconciled by invoice number before anything in it is sent again.
    """

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    run_id: int | None = Field(default=None, foreign_key="syncrun.id", index=True)
    kind: str = Field(sa_type=sa.String(12))  # invoices | contacts | payments
    idempotency_key: str = Field(sa_type=sa.String(128), unique=True)
    state: str = Field(default=BatchState.SENDING.value, sa_type=sa.String(10), index=True)  # BatchState
    item_ids: str = Field(sa_type=sa.Text)  # JSON [[local id, version], ...]
    owner: str | None = Field(default=None, sa_type=sa.String(64))
    generation: int = 0  # the run's fencing token when the batch was sent
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class XeroUnansweredWrite(SQLModel, table=True):
    """A single write (a Stripe fee, a credit note, its refund) sent to Xero and not yet answered, by the
    Idempotency-Key it went under: the row is written before the write is sent and deleted once Xero answers."""

    idempotency_key: str = Field(sa_type=sa.String(128), primary_key=True)
    sent_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class SyncProblem(SQLModel, table=True):
    """Each problem of an invoice's last failed sync, by cause: what groups errors for fixing them once."""

    invoice_id: int = Field(foreign_key="invoice.id", primary_key=True)
    cause: str = Field(sa_type=sa.String(60), primary_key=True)  # domain.sync_errors.Problem.key
    business_id: int = Field(foreign_key="business.id", index=True)
    code: str = Field(sa_type=sa.String(30))  # ErrorCode
    message: str = Field(sa_type=sa.Text)


class SyncAttempt(SQLModel, table=True):
    """Every attempt on an invoice: who asked, when, what was sent, what Xero answered."""

    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    run_id: int | None = Field(default=None, foreign_key="syncrun.id")
    user_id: int | None = Field(default=None, foreign_key="user.id")
    at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    action: str = Field(sa_type=sa.String(20))  # create | update | link | payment | preflight | pull
    outcome: str = Field(sa_type=sa.String(10))  # synced | error | retrying | unknown
    idempotency_key: str | None = Field(default=None, sa_type=sa.String(128))
    sent: str | None = Field(default=None, sa_type=sa.Text)
    answer: str | None = Field(default=None, sa_type=sa.Text)

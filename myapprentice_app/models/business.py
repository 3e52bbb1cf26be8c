from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from myapprentice_app.db import UTCDateTime, utcnow


class Business(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(sa_type=sa.String(200))
    country: str = Field(default="AU", sa_type=sa.String(2))
    currency: str = Field(default="AUD", sa_type=sa.String(3))
    abn: str | None = Field(default=None, sa_type=sa.String(20))
    email: str | None = Field(default=None, sa_type=sa.String(320))
    phone: str | None = Field(default=None, sa_type=sa.String(40))
    address: str | None = Field(default=None, sa_type=sa.String(500))
    invoice_prefix: str = Field(default="INV-", sa_type=sa.String(10))
    next_invoice_number: int = 1
    payment_terms_days: int = 14
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Membership(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    role: str = Field(sa_type=sa.String(20))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("user_id", "business_id"),)

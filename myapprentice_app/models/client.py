from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from myapprentice_app.db import UTCDateTime, utcnow


class Client(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    name: str = Field(sa_type=sa.String(200))
    email: str | None = Field(default=None, sa_type=sa.String(320))
    phone: str | None = Field(default=None, sa_type=sa.String(40))
    address_line1: str | None = Field(default=None, sa_type=sa.String(200))
    address_line2: str | None = Field(default=None, sa_type=sa.String(200))
    city: str | None = Field(default=None, sa_type=sa.String(100))
    region: str | None = Field(default=None, sa_type=sa.String(100))
    postcode: str | None = Field(default=None, sa_type=sa.String(20))
    country: str | None = Field(default=None, sa_type=sa.String(100))
    xero_contact_id: str | None = Field(default=None, sa_type=sa.String(36))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (
        sa.Index("uq_client_business_name", "business_id", sa.func.lower(sa.column("name")), unique=True),
    )

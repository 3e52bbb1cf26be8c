"""Jobs and quotes: where invoices come from."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from myapprentice_app.db import UTCDateTime, utcnow
from myapprentice_app.domain.work_status import JobStatus, QuoteStatus


class Job(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    title: str = Field(sa_type=sa.String(200))
    site_address: str | None = Field(default=None, sa_type=sa.String(300))
    status: str = Field(default=JobStatus.SCHEDULED.value, sa_type=sa.String(20))  # JobStatus
    assigned_user_id: int | None = Field(default=None, foreign_key="user.id", index=True)
    completed_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Quote(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    client_id: int = Field(foreign_key="client.id", index=True)
    job_id: int | None = Field(default=None, foreign_key="job.id")
    number: str = Field(sa_type=sa.String(30))
    title: str = Field(sa_type=sa.String(200))
    status: str = Field(default=QuoteStatus.DRAFT.value, sa_type=sa.String(20))  # QuoteStatus
    amounts_are: str = Field(default="exclusive", sa_type=sa.String(12))
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.Index("uq_quote_business_number", "business_id", "number", unique=True),)

"""Emails the app sends (invoices to clients, team invitations): the outbox and the SMTP log in one table."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from myapprentice_app.db import UTCDateTime, utcnow


class EmailMessage(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    invoice_id: int | None = Field(default=None, foreign_key="invoice.id", index=True)
    sent_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    to_address: str = Field(sa_type=sa.String(320))
    subject: str = Field(sa_type=sa.String(300))
    body: str = Field(sa_type=sa.Text)
    transport: str = Field(default="outbox", sa_type=sa.String(10))  # outbox | smtp
    status: str = Field(default="sent", sa_type=sa.String(10))  # sent | failed
    error: str | None = Field(default=None, sa_type=sa.Text)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)

"""Invitations to join a business. The membership is made only when the invitation is accepted: by a new
person choosing a password, or by an existing account signing in as itself."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from myapprentice_app.db import UTCDateTime, utcnow


class Invitation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    business_id: int = Field(foreign_key="business.id", index=True)
    email: str = Field(sa_type=sa.String(320), index=True)
    name: str = Field(default="", sa_type=sa.String(200))
    role: str = Field(sa_type=sa.String(20))
    user_id: int | None = Field(default=None, foreign_key="user.id", index=True)  # who accepted it
    token_hash: str = Field(sa_type=sa.String(64), unique=True, index=True)
    invited_by_user_id: int | None = Field(default=None, foreign_key="user.id")
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    accepted_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

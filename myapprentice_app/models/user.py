from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from myapprentice_app.db import UTCDateTime, utcnow


class User(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(sa_type=sa.String(320), unique=True, index=True)
    name: str = Field(sa_type=sa.String(200))
    password_hash: str = Field(sa_type=sa.String(200))
    totp_secret_enc: str | None = Field(default=None, sa_type=sa.String(500))
    totp_enabled: bool = False
    totp_last_step: int | None = None
    # Second-factor failures per account, across sign-ins: a correct password never resets them.
    mfa_failures: int = 0
    mfa_locked_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class RecoveryCode(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    code_hash: str = Field(sa_type=sa.String(64))
    used_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class AuthSession(SQLModel, table=True):
    """A login. Only the SHA-256 of the opaque token is stored, so a database leak opens no session."""

    id: int | None = Field(default=None, primary_key=True)
    token_hash: str = Field(sa_type=sa.String(64), unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    business_id: int | None = Field(default=None, foreign_key="business.id")  # None until a business is picked
    created_at: dt.datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: dt.datetime = Field(sa_type=UTCDateTime)
    mfa_verified_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins per email address, known or not, so lockout reveals nothing about who has an account."""

    email: str = Field(sa_type=sa.String(320), primary_key=True)
    failures: int = 0
    locked_until: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_failure_at: dt.datetime | None = Field(default=None, sa_type=UTCDateTime)

"""One typed Settings object, read from the environment."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_DIR = PROJECT_ROOT / "instance"


def _default_key_file() -> Path:
    # Outside instance/: a copied data folder (database, queue, sandbox state) must not carry its own key.
    config_home = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config")
    return config_home / "myapprentice" / "secret_key"

SANDBOX_XERO_CLIENT_ID = "myapprentice-sandbox"
SANDBOX_XERO_CLIENT_SECRET = "sandbox-secret"


class UnsafeConfiguration(RuntimeError):
    """Production mode was asked for with a setting that is only fit for a laptop."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", env_file=None)

    app_env: Literal["development", "production"] = "development"
    app_url: str = "http://localhost:3000"
    instance_dir: Path = INSTANCE_DIR
    database_url: str = f"sqlite:///{INSTANCE_DIR / 'myapprentice.db'}"
    redis_url: str | None = None
    huey_queue_file: str | None = None  # the SQLite queue when REDIS_URL is unset (default instance/queue.db)
    huey_name: str = "myapprentice"  # the queue's name (its Redis key prefix): apps sharing a Redis differ here
    secret_key: SecretStr | None = None
    secret_key_file: Path = Field(default_factory=_default_key_file)  # the generated key when SECRET_KEY is unset

    password_hashing: Literal["argon2id", "cheap_for_tests"] = "argon2id"
    session_hours: int = 12
    step_up_minutes: int = 5
    session_recheck_seconds: float = 60  # how old a tab's check of its session may be (changes in the app: at once)
    login_max_failures: int = 5
    login_lockout_minutes: int = 15
    mfa_max_failures: int = 5  # wrong second-factor codes per account, across sign-ins
    mfa_lockout_minutes: int = 15

    xero_client_id: str | None = None
    xero_client_secret: SecretStr | None = None
    xero_sandbox_url: str = "http://127.0.0.1:8901"
    # The sandbox's `time_scale` fault, for the engine: its minute window is this many times shorter too.
    # Simulation only: ignored against real Xero.
    xero_time_scale: float = Field(default=1.0, gt=0)
    # How many tasks (sync runs, mostly) one worker process works at once: a run spends its life waiting on
    # Xero, so one process keeps many organisations' runs in flight. Its senders: 5 per run, in one pool.
    worker_runs: int = Field(default=16, ge=1)
    # The most PostgreSQL connections one process opens, half of them kept open. Unset: 20 in a web process,
    # 10 in a worker (`cli._worker`), whose runs hold one only for short writes between Xero's answers.
    database_connections: int | None = Field(default=None, ge=2)

    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_sandbox_url: str = "http://127.0.0.1:8902"

    smtp_url: str | None = None
    mail_from: str = "invoices@myapprentice.local"

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.app_env != "production":
            return self
        if self.secret_key is None or len(self.secret_key.get_secret_value()) < 32:
            raise UnsafeConfiguration("SECRET_KEY must be set to at least 32 characters in production")
        if self.database_url.startswith("sqlite"):
            raise UnsafeConfiguration("DATABASE_URL must point at PostgreSQL in production, not SQLite")
        if not self.app_url.startswith("https://"):
            raise UnsafeConfiguration("APP_URL must be an https:// address in production")
        if self.password_hashing != "argon2id":
            raise UnsafeConfiguration("PASSWORD_HASHING must be argon2id in production")
        if self.stripe_secret_key is not None and self.stripe_webhook_secret is None:
            raise UnsafeConfiguration("STRIPE_WEBHOOK_SECRET must be set with STRIPE_SECRET_KEY in production: "
                                      "without it no Stripe event can be verified")
        return self

    @property
    def uses_real_xero(self) -> bool:
        return bool(self.xero_client_id and self.xero_client_secret)

    @property
    def xero_minute_scale(self) -> float:
        return 1.0 if self.uses_real_xero else self.xero_time_scale

    @property
    def uses_real_stripe(self) -> bool:
        return self.stripe_secret_key is not None

    def secret(self) -> str:
        """The key all at-rest encryption derives from; generated once for the embedded default."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        key_file = self.secret_key_file
        if not key_file.exists():
            key_file.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
            legacy = self.instance_dir / "secret_key"  # where earlier versions kept it: move it out, once
            key = legacy.read_text().strip() if legacy.exists() else secrets.token_urlsafe(48)
            key_file.touch(mode=0o600)
            key_file.write_text(key)
            legacy.unlink(missing_ok=True)
        return key_file.read_text().strip()


@lru_cache
def get_settings() -> Settings:
    return Settings()

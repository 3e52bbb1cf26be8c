"""Where Xero is: the real one when credentials are configured, the local sandbox otherwise."""

from __future__ import annotations

from dataclasses import dataclass

from myapprentice_app.config import SANDBOX_XERO_CLIENT_ID, SANDBOX_XERO_CLIENT_SECRET, get_settings

SCOPES = ("openid", "profile", "email", "offline_access", "accounting.contacts", "accounting.invoices",
          "accounting.payments", "accounting.settings.read", "accounting.transactions")


@dataclass(frozen=True)
class Endpoints:
    authorize_url: str
    token_url: str
    revocation_url: str
    api_url: str
    identity_url: str
    client_id: str
    client_secret: str
    deep_link: str  # "Open in Xero"

    @property
    def scope(self) -> str:
        return " ".join(SCOPES)


def endpoints() -> Endpoints:
    settings = get_settings()
    if settings.uses_real_xero:
        assert settings.xero_client_id and settings.xero_client_secret
        return Endpoints(
            authorize_url="https://login.xero.com/identity/connect/authorize",
            token_url="https://identity.xero.com/connect/token",
            revocation_url="https://identity.xero.com/connect/revocation",
            api_url="https://api.xero.com/api.xro/2.0",
            identity_url="https://api.xero.com",
            client_id=settings.xero_client_id,
            client_secret=settings.xero_client_secret.get_secret_value(),
            deep_link="https://go.xero.com/AccountsReceivable/View.aspx?InvoiceID={invoice}",
        )
    base = settings.xero_sandbox_url.rstrip("/")
    return Endpoints(
        authorize_url=f"{base}/identity/connect/authorize",
        token_url=f"{base}/connect/token",
        revocation_url=f"{base}/connect/revocation",
        api_url=f"{base}/api.xro/2.0",
        identity_url=base,
        client_id=SANDBOX_XERO_CLIENT_ID,
        client_secret=SANDBOX_XERO_CLIENT_SECRET,
        deep_link=base + "/sandbox-online-invoice/{tenant}/{invoice}",
    )

"""The consent leg with Authlib: authorisation URL with state + PKCE, code exchange, refresh, revocation."""

from __future__ import annotations

import time
from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.requests_client import OAuth2Session

from myapprentice_app.integrations.xero.endpoints import endpoints
from myapprentice_app.integrations.xero.errors import ConnectionRevoked, OutcomeUnknown, Unavailable

# update_token() in xero-python raises TypeError on any other key (reference §1.8).
TOKEN_KEYS = ("access_token", "refresh_token", "id_token", "token_type", "expires_in", "expires_at", "scope")


def new_verifier() -> str:
    return generate_token(64)


def authorization_url(redirect_uri: str, state: str, code_verifier: str) -> str:
    where = endpoints()
    session = OAuth2Session(where.client_id, where.client_secret, scope=where.scope, redirect_uri=redirect_uri,
                            code_challenge_method="S256")
    url, _ = session.create_authorization_url(where.authorize_url, state=state, code_verifier=code_verifier)
    return url


def exchange_code(redirect_uri: str, code: str, code_verifier: str) -> dict[str, Any]:
    where = endpoints()
    session = OAuth2Session(where.client_id, where.client_secret, redirect_uri=redirect_uri)
    try:
        token = session.fetch_token(where.token_url, grant_type="authorization_code", code=code,
                                    code_verifier=code_verifier, timeout=20)
    except OAuthError as error:
        raise ConnectionRevoked(f"Xero refused the sign-in code: {error.error}") from error
    return sdk_token(dict(token))


def refresh(token: dict[str, Any]) -> dict[str, Any]:
    where = endpoints()
    session = OAuth2Session(where.client_id, where.client_secret)
    try:
        fresh = session.refresh_token(where.token_url, refresh_token=token["refresh_token"], timeout=20)
    except OAuthError as error:
        if error.error == "invalid_grant":
            raise ConnectionRevoked("invalid_grant") from error
        raise Unavailable(f"token refresh failed: {error.error}") from error
    except OSError as error:
        raise OutcomeUnknown(f"token refresh: {error}") from error
    return sdk_token(dict(fresh))


def revoke(token: dict[str, Any]) -> None:
    where = endpoints()
    session = OAuth2Session(where.client_id, where.client_secret)
    session.revoke_token(where.revocation_url, token=token.get("refresh_token"), token_type_hint="refresh_token",
                         timeout=20)


def sdk_token(token: dict[str, Any]) -> dict[str, Any]:
    """The dict xero-python accepts: Xero's keys only, scope as a list (§1.8), and expires_at."""
    cleaned = {key: token[key] for key in TOKEN_KEYS if token.get(key) is not None}
    scope = cleaned.get("scope", "")
    # A scope kept as a string makes the SDK send "o+f+f+l+i+n+e..." when it refreshes (reference §1.8).
    cleaned["scope"] = scope.split() if isinstance(scope, str) else list(scope)
    if "expires_at" not in cleaned:
        cleaned["expires_at"] = time.time() + float(cleaned.get("expires_in", 1800))
    return cleaned

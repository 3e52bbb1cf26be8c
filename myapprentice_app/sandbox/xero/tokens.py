"""Grants, JWT-shaped access/id tokens, refresh-token rotation with Xero's 30-minute grace, connections."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from . import dates
from .store import Store

ACCESS_TOKEN_SECONDS = 1800
ID_TOKEN_SECONDS = 300
REFRESH_TOKEN_SECONDS = 60 * 24 * 3600
REFRESH_GRACE_SECONDS = 1800
CODE_SECONDS = 300


class InvalidGrant(Exception):
    pass


def user_id_for(email: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"xero-sandbox-user:{email.lower()}"))


def new_grant(store: Store, client_id: str, email: str, scope: str, tenant_ids: list[str]) -> dict[str, Any]:
    """One consent: records the grant and (re)connects each chosen organisation for this user and app."""
    grant = {
        "grant_id": str(uuid.uuid4()),
        "client_id": client_id,
        "email": email,
        "user_id": user_id_for(email),
        "scope": scope,
        "auth_event_id": str(uuid.uuid4()),
        "revoked": False,
        "created_ms": store.now_ms(),
    }
    store.state["grants"][grant["grant_id"]] = grant
    for tenant_id in tenant_ids:
        connect(store, grant, tenant_id)
    store.changed()
    return grant


def connect(store: Store, grant: dict[str, Any], tenant_id: str) -> dict[str, Any]:
    now = dates.identity_string(store.now_ms())
    for connection in store.state["connections"].values():
        if (connection["client_id"], connection["user_id"], connection["tenantId"]) == (
            grant["client_id"],
            grant["user_id"],
            tenant_id,
        ):
            connection.update(authEventId=grant["auth_event_id"], updatedDateUtc=now)
            return connection
    connection = {
        "id": str(uuid.uuid4()),
        "authEventId": grant["auth_event_id"],
        "tenantId": tenant_id,
        "tenantType": "ORGANISATION",
        "tenantName": store.orgs[tenant_id]["Name"],
        "createdDateUtc": now,
        "updatedDateUtc": now,
        "client_id": grant["client_id"],
        "user_id": grant["user_id"],
    }
    store.state["connections"][connection["id"]] = connection
    return connection


def connections_for(store: Store, grant: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        connection
        for connection in store.state["connections"].values()
        if connection["client_id"] == grant["client_id"]
        and connection["user_id"] == grant["user_id"]
        and connection["tenantId"] in store.orgs
    ]


def is_connected(store: Store, grant: dict[str, Any], tenant_id: str) -> bool:
    return any(connection["tenantId"] == tenant_id for connection in connections_for(store, grant))


def issue(
    store: Store,
    grant: dict[str, Any],
    issuer: str,
    refresh_token: str | None = None,
    nonce: str | None = None,
) -> dict[str, Any]:
    """A token response with exactly Xero's keys; refresh_token reused only for grace-period replays.

    Both tokens are RS256 JWTs signed with the key in the JWKS; `issuer` is the sandbox's own address,
    the one its discovery document names, so an OIDC client that discovers the sandbox accepts them.
    """
    now_ms = store.now_ms()
    now = now_ms // 1000
    scopes = grant["scope"].split()
    key = store.signing_key
    access_token = key.sign(
        {
            "nbf": now,
            "exp": now + ACCESS_TOKEN_SECONDS,
            "iss": issuer,
            "aud": f"{issuer}/resources",
            "client_id": grant["client_id"],
            "sub": grant["user_id"],
            "auth_time": grant["created_ms"] // 1000,
            "xero_userid": grant["user_id"],
            "global_session_id": grant["grant_id"],
            "jti": secrets.token_hex(16),
            "authentication_event_id": grant["auth_event_id"],
            "scope": scopes,
        }
    )
    store.state["access_tokens"][access_token] = {
        "grant_id": grant["grant_id"],
        "expires_ms": now_ms + ACCESS_TOKEN_SECONDS * 1000,
    }
    response: dict[str, Any] = {}
    if "openid" in scopes:
        response["id_token"] = key.sign(
            {
                "nbf": now,
                "exp": now + ID_TOKEN_SECONDS,
                "iss": issuer,
                "aud": grant["client_id"],
                "iat": now,
                "auth_time": grant["created_ms"] // 1000,
                **({"nonce": nonce} if nonce else {}),
                "sub": grant["user_id"],
                "xero_userid": grant["user_id"],
                "email": grant["email"],
                "given_name": "Demo",
                "family_name": "User",
                "preferred_username": grant["email"],
            }
        )
    response.update(access_token=access_token, expires_in=ACCESS_TOKEN_SECONDS, token_type="Bearer")
    if "offline_access" in scopes:
        if refresh_token is None:
            refresh_token = secrets.token_hex(32)
            store.state["refresh_tokens"][refresh_token] = {
                "grant_id": grant["grant_id"],
                "expires_ms": now_ms + REFRESH_TOKEN_SECONDS * 1000,
                "used_ms": None,
                "successor": None,
            }
        response["refresh_token"] = refresh_token
    response["scope"] = grant["scope"]
    store.changed()
    return response


def refresh(store: Store, refresh_token: str, client_id: str, issuer: str) -> dict[str, Any]:
    entry = store.state["refresh_tokens"].get(refresh_token)
    if entry is None:
        raise InvalidGrant
    grant = store.state["grants"][entry["grant_id"]]
    now_ms = store.now_ms()
    if grant["revoked"] or grant["client_id"] != client_id or entry["expires_ms"] < now_ms:
        raise InvalidGrant
    if entry["used_ms"] is not None:
        # Xero lets a client that lost the refresh response retry with the old token for 30 minutes.
        successor = store.state["refresh_tokens"].get(entry["successor"])
        if now_ms - entry["used_ms"] > REFRESH_GRACE_SECONDS * 1000 or successor is None:
            raise InvalidGrant
        return issue(store, grant, issuer, refresh_token=entry["successor"])
    response = issue(store, grant, issuer)
    entry["used_ms"] = now_ms
    entry["successor"] = response.get("refresh_token")
    return response


def revoke(store: Store, token: str) -> None:
    """Revoking a refresh token disconnects every organisation this user connected to the app."""
    entry = store.state["refresh_tokens"].get(token)
    if entry is None:
        return
    grant = store.state["grants"][entry["grant_id"]]
    for other in store.state["grants"].values():
        if other["client_id"] == grant["client_id"] and other["user_id"] == grant["user_id"]:
            other["revoked"] = True
    for connection_id, connection in list(store.state["connections"].items()):
        if connection["client_id"] == grant["client_id"] and connection["user_id"] == grant["user_id"]:
            del store.state["connections"][connection_id]
    store.changed()


def expire_all_access_tokens(store: Store) -> None:
    now_ms = store.now_ms()
    for entry in store.state["access_tokens"].values():
        entry["expires_ms"] = min(entry["expires_ms"], now_ms - 1)
    store.changed()


def disconnect_tenant(store: Store, tenant_id: str) -> int:
    doomed = [cid for cid, conn in store.state["connections"].items() if conn["tenantId"] == tenant_id]
    for connection_id in doomed:
        del store.state["connections"][connection_id]
    store.changed()
    return len(doomed)

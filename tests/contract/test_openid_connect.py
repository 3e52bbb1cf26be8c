"""Sign in with Xero (OpenID Connect) through Authlib's OIDC client, which verifies the id_token's RS256
signature against the published JWKS, its issuer (from discovery), audience, nonce and expiry."""

from __future__ import annotations

import re
import time
from urllib.parse import parse_qs, urlparse

import httpx
import pytest
from authlib.integrations.base_client import BaseApp, OAuth2Mixin, OpenIDMixin
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.errors import BadSignatureError, ExpiredTokenError, InvalidClaimError, MissingClaimError
from joserfc.jwk import KeySet

from .conftest import CLIENT_ID, CLIENT_SECRET

REDIRECT = "http://localhost:3000/oauth/xero/callback"


@pytest.fixture(autouse=True)
def on_the_clients_clock(clocks_agree):
    """An OIDC client checks a token's times against its own clock."""


class OIDCClient(OAuth2Mixin, OpenIDMixin, BaseApp):
    """Authlib's framework-free composition of its OAuth 2 and OpenID Connect client (as Flask's, minus Flask)."""

    client_cls = OAuth2Session


def client(base_url: str) -> OIDCClient:
    return OIDCClient(
        None,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        server_metadata_url=f"{base_url}/.well-known/openid-configuration",
        client_kwargs={"scope": "openid profile email", "code_challenge_method": "S256"},
    )


def sign_in(oidc: OIDCClient, tenant_id: str) -> tuple[dict, dict]:
    """Authorisation URL from discovery (state, nonce, PKCE), the consent page as a browser fills it, the code."""
    started = oidc.create_authorization_url(REDIRECT)
    page = httpx.get(started["url"])
    assert page.status_code == 200, page.text
    hidden = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', page.text))
    assert hidden["nonce"] == started["nonce"]
    answer = httpx.post(
        str(page.url.copy_with(query=None)),
        data={**hidden, "email": "oidc.person@example.com", "password": "pw", "action": "allow", "tenant": tenant_id},
    )
    callback = parse_qs(urlparse(answer.headers["location"]).query)
    assert callback["state"] == [started["state"]]
    token = oidc.fetch_access_token(
        REDIRECT, code=callback["code"][0], code_verifier=started["code_verifier"]
    )
    return started, token


def test_discovery_and_the_id_token_agree_on_the_issuer_and_the_signature_verifies(sandbox, admin):
    tenant_id = admin.new_organisation("OIDC Co")
    oidc = client(sandbox.base_url)
    started, token = sign_in(oidc, tenant_id)
    assert oidc.load_server_metadata()["issuer"] == sandbox.base_url
    assert set(token) >= {"id_token", "access_token", "expires_in", "token_type", "scope"}
    user = oidc.parse_id_token(token, nonce=started["nonce"], leeway=0)
    assert user["iss"] == sandbox.base_url and user["aud"] == CLIENT_ID
    assert user["email"] == "oidc.person@example.com" and user["nonce"] == started["nonce"]
    assert user["xero_userid"] == user["sub"] and user["exp"] > time.time()
    assert {"given_name", "family_name"} <= set(user)


def test_a_wrong_nonce_a_tampered_token_and_another_audience_are_refused(sandbox, admin):
    tenant_id = admin.new_organisation("OIDC Refusals")
    oidc = client(sandbox.base_url)
    started, token = sign_in(oidc, tenant_id)
    with pytest.raises(InvalidClaimError, match="nonce"):
        oidc.parse_id_token(token, nonce="someone-elses-nonce")
    header, claims, signature = token["id_token"].split(".")
    forged = {**token, "id_token": f"{header}.{claims}.{signature[::-1]}"}
    with pytest.raises(BadSignatureError):
        oidc.parse_id_token(forged, nonce=started["nonce"])
    other = client(sandbox.base_url)
    other.client_id = "another-app"
    with pytest.raises((InvalidClaimError, MissingClaimError)):  # not its audience
        other.parse_id_token(token, nonce=started["nonce"])


def test_an_id_token_past_its_five_minutes_is_refused(sandbox, admin):
    tenant_id = admin.new_organisation("OIDC Stale")
    oidc = client(sandbox.base_url)
    admin.post("clock", {"advance_seconds": -600})  # issued ten minutes ago, as far as the client can tell
    try:
        started, token = sign_in(oidc, tenant_id)
    finally:
        admin.post("clock", {"advance_seconds": 600})
    with pytest.raises(ExpiredTokenError):
        oidc.parse_id_token(token, nonce=started["nonce"], leeway=0)


def test_the_jwks_publishes_the_rs256_key_that_signs_the_access_token_too(sandbox, admin):
    tenant_id = admin.new_organisation("JWKS Co")
    keys = httpx.get(f"{sandbox.base_url}/.well-known/openid-configuration/jwks").json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and keys[0]["alg"] == "RS256" and keys[0]["use"] == "sig"
    access = jwt.decode(admin.token(tenant_id)["access_token"], KeySet.import_key_set({"keys": keys}))
    assert access.header["kid"] == keys[0]["kid"]
    assert access.claims["iss"] == sandbox.base_url and access.claims["aud"] == f"{sandbox.base_url}/resources"
    assert access.claims["exp"] - access.claims["nbf"] == 1800


def test_the_signing_key_is_kept_in_the_state_file_across_restarts_and_resets(tmp_path):
    from myapprentice_app.sandbox.xero.store import Store

    state_file = str(tmp_path / "xero.json")
    first = Store(state_file)
    first.save()
    again = Store(state_file)
    assert again.signing_key.kid == first.signing_key.kid
    again.reset()
    assert again.signing_key.kid == first.signing_key.kid
    assert Store(str(tmp_path / "other.json")).signing_key.kid != first.signing_key.kid

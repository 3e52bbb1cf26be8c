"""OAuth 2.0 endpoints: the consent page, /connect/token and /connect/revocation."""

from __future__ import annotations

import base64
import hashlib
import html
import secrets
from typing import Any
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from . import responses, tokens
from .runtime import Sandbox

DEMO_EMAIL = "demo@brightspark.example"
DEMO_PASSWORD = "demo-password"
AUTHORIZE_PARAMS = (
    "response_type",
    "client_id",
    "redirect_uri",
    "scope",
    "state",
    "code_challenge",
    "code_challenge_method",
    "acr_values",
    "nonce",
)


def sandbox_of(request: Request) -> Sandbox:
    return request.app.state.sandbox


def issuer_of(request: Request) -> str:
    """The sandbox's own address, as its clients reach it: issuer of its tokens and of its discovery."""
    return str(request.base_url).rstrip("/")


# -- consent page -----------------------------------------------------------------------------------


def authorize_problem(params: dict[str, str]) -> str | None:
    if params.get("response_type") != "code":
        return "unsupported_response_type: response_type must be 'code'"
    if not params.get("client_id"):
        return "invalid_request: client_id is required"
    if not params.get("redirect_uri"):
        return "invalid_request: redirect_uri is required"
    if params.get("code_challenge") and params.get("code_challenge_method", "plain") != "S256":
        return "invalid_request: code_challenge_method must be S256"
    if not params.get("scope", "").split():
        return "invalid_scope: scope is required"
    return None


async def authorize_page(request: Request) -> Response:
    params = {key: value for key, value in request.query_params.items() if key in AUTHORIZE_PARAMS}
    problem = authorize_problem(params)
    if problem:
        return error_page(problem)
    return consent_form(sandbox_of(request), params)


async def authorize_submit(request: Request) -> Response:
    sandbox = sandbox_of(request)
    form = await request.form()
    params = {key: str(form[key]) for key in AUTHORIZE_PARAMS if form.get(key)}
    problem = authorize_problem(params)
    if problem:
        return error_page(problem)
    if form.get("action") == "deny":
        return redirect_back(params, {"error": "access_denied"})
    tenant_ids = [str(value) for value in form.getlist("tenant") if str(value) in sandbox.store.orgs]
    email = str(form.get("email") or "").strip()
    if not email or not form.get("password"):
        return consent_form(sandbox, params, "Enter your email address and password to sign in.")
    if not tenant_ids:
        return consent_form(sandbox, params, "Choose at least one organisation to connect.")
    code = secrets.token_urlsafe(32)
    sandbox.store.state["codes"][code] = {
        "client_id": params["client_id"],
        "redirect_uri": params["redirect_uri"],
        "scope": params.get("scope", ""),
        "code_challenge": params.get("code_challenge"),
        "nonce": params.get("nonce"),
        "email": email,
        "tenant_ids": tenant_ids,
        "expires_ms": sandbox.store.now_ms() + tokens.CODE_SECONDS * 1000,
        "used": False,
    }
    sandbox.store.changed()
    return redirect_back(
        params, {"code": code, "scope": params.get("scope", ""), "session_state": secrets.token_urlsafe(16)}
    )


def redirect_back(params: dict[str, str], values: dict[str, str]) -> Response:
    if params.get("state"):
        values["state"] = params["state"]
    uri = params["redirect_uri"]
    return RedirectResponse(f"{uri}{'&' if '?' in uri else '?'}{urlencode(values)}", status_code=302)


def consent_form(sandbox: Sandbox, params: dict[str, str], message: str | None = None) -> Response:
    single = "bulk_connect:false" in params.get("acr_values", "")
    kind = "radio" if single else "checkbox"
    orgs = list(sandbox.store.orgs.values())
    choices = (
        "".join(
            f'<label class="org"><input type="{kind}" name="tenant" value="{org["OrganisationID"]}"'
            f"{' checked' if index == 0 else ''}> {html.escape(org['Name'])}</label>"
            for index, org in enumerate(orgs)
        )
        or "<p>No organisations exist yet. Create one with POST /sandbox-admin/organisations.</p>"
    )
    hidden = "".join(
        f'<input type="hidden" name="{key}" value="{html.escape(value)}">' for key, value in params.items()
    )
    scopes = "".join(f"<li>{html.escape(scope)}</li>" for scope in params.get("scope", "").split())
    alert = f'<p class="alert" role="alert">{html.escape(message)}</p>' if message else ""
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Xero Sandbox | Allow access</title>
<style>body{{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;color:#1e3145}}
h1{{color:#13b5ea}} label{{display:block;margin:.5rem 0}}
.org{{padding:.4rem;border:1px solid #ccd;border-radius:4px}}
.alert{{color:#b00020}} button{{padding:.5rem 1.2rem;margin-right:.5rem}}</style></head>
<body><h1>Xero Sandbox</h1>
<p><strong>{html.escape(params["client_id"])}</strong> wants to access your Xero organisation.</p>
{alert}
<form method="post" action="/identity/connect/authorize">{hidden}
<fieldset><legend>Sign in</legend>
<label>Email address <input type="email" name="email" value="{DEMO_EMAIL}" required></label>
<label>Password <input type="password" name="password" value="{DEMO_PASSWORD}" required></label></fieldset>
<fieldset><legend>Choose organisation{"" if single else "s"}</legend>{choices}</fieldset>
<p>This app will be able to:</p><ul>{scopes}</ul>
<button type="submit" name="action" value="allow">Allow access</button>
<button type="submit" name="action" value="deny" formnovalidate>Cancel</button>
</form></body></html>"""
    return HTMLResponse(page)


def error_page(problem: str) -> Response:
    return HTMLResponse(
        f"<!doctype html><title>Xero Sandbox | Error</title><h1>Sorry, something went wrong</h1>"
        f"<p>{html.escape(problem)}</p>",
        status_code=400,
    )


# -- token endpoint ---------------------------------------------------------------------------------


def client_credentials(request: Request, form: dict[str, str]) -> tuple[str | None, str | None]:
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        try:
            decoded = base64.b64decode(header[6:].strip()).decode()
        except ValueError:
            return None, None
        client_id, _, secret = decoded.partition(":")
        return client_id, secret
    return form.get("client_id"), form.get("client_secret")


def check_client(sandbox: Sandbox, client_id: str | None, secret: str | None) -> bool:
    """Any client id is welcome; its first secret is remembered and must match from then on."""
    if not client_id:
        return False
    clients = sandbox.store.state["clients"]
    known = clients.get(client_id)
    if known is None:
        clients[client_id] = {"secret": secret, "first_seen_ms": sandbox.store.now_ms()}
        sandbox.store.changed()
        return True
    if secret and known.get("secret") and known["secret"] != secret:
        return False
    if secret and not known.get("secret"):
        known["secret"] = secret
    return True


async def token(request: Request) -> Response:
    sandbox = sandbox_of(request)
    form = {key: str(value) for key, value in (await request.form()).items()}
    client_id, secret = client_credentials(request, form)
    if not check_client(sandbox, client_id, secret):
        return finish(sandbox, "POST /connect/token", responses.oauth_error("invalid_client"))
    assert client_id is not None
    grant_type = form.get("grant_type")
    try:
        if grant_type == "authorization_code":
            body = exchange_code(sandbox, client_id, form, issuer_of(request))
        elif grant_type == "refresh_token":
            body = tokens.refresh(sandbox.store, form.get("refresh_token", ""), client_id, issuer_of(request))
        else:
            return finish(sandbox, "POST /connect/token", responses.oauth_error("unsupported_grant_type"))
    except tokens.InvalidGrant:
        return finish(sandbox, "POST /connect/token", responses.oauth_error("invalid_grant"))
    response = responses.json_response(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
    return finish(sandbox, "POST /connect/token", response)


def exchange_code(sandbox: Sandbox, client_id: str, form: dict[str, str], issuer: str) -> dict[str, Any]:
    entry = sandbox.store.state["codes"].get(form.get("code", ""))
    if (
        entry is None
        or entry["used"]
        or entry["expires_ms"] < sandbox.store.now_ms()
        or entry["client_id"] != client_id
        or entry["redirect_uri"] != form.get("redirect_uri")
    ):
        raise tokens.InvalidGrant
    if entry["code_challenge"]:
        verifier = form.get("code_verifier", "")
        digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        if not 43 <= len(verifier) <= 128 or not secrets.compare_digest(digest, entry["code_challenge"]):
            raise tokens.InvalidGrant
    entry["used"] = True
    tenant_ids = [tenant for tenant in entry["tenant_ids"] if tenant in sandbox.store.orgs]
    grant = tokens.new_grant(sandbox.store, client_id, entry["email"], entry["scope"], tenant_ids)
    return tokens.issue(sandbox.store, grant, issuer, nonce=entry.get("nonce"))


async def revocation(request: Request) -> Response:
    sandbox = sandbox_of(request)
    form = {key: str(value) for key, value in (await request.form()).items()}
    client_id, secret = client_credentials(request, form)
    if not check_client(sandbox, client_id, secret):
        return finish(sandbox, "POST /connect/revocation", responses.oauth_error("invalid_client"))
    tokens.revoke(sandbox.store, form.get("token", ""))
    return finish(sandbox, "POST /connect/revocation", Response(b"", status_code=200))


async def openid_configuration(request: Request) -> Response:
    base = issuer_of(request)
    return responses.json_response(
        {
            "issuer": base,
            "authorization_endpoint": f"{base}/identity/connect/authorize",
            "token_endpoint": f"{base}/connect/token",
            "revocation_endpoint": f"{base}/connect/revocation",
            "jwks_uri": f"{base}/.well-known/openid-configuration/jwks",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "refresh_token"],
            "code_challenge_methods_supported": ["S256"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "profile", "email", "offline_access"],
            "claims_supported": ["sub", "email", "given_name", "family_name", "xero_userid", "nonce"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }
    )


async def jwks(request: Request) -> Response:
    return responses.json_response({"keys": [sandbox_of(request).store.signing_key.jwk()]})


def finish(sandbox: Sandbox, label: str, response: Response) -> Response:
    sandbox.store.count(label, response.status_code)
    return response

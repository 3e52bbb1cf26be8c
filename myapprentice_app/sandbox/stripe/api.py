"""What every /v1 request goes through: the API key, the `Stripe-Account` header, form decoding,
Idempotency-Key, `expand[]`, list pagination and Stripe's error envelope."""

from __future__ import annotations

import asyncio
import base64
import copy
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from . import forms
from .errors import StripeError, bad_api_key, invalid, no_access_to_account, no_api_key
from .store import Store, random_part

if TYPE_CHECKING:
    from .runtime import Sandbox

API_VERSION = "2026-10-28.endive"
TEST_KEY = re.compile(r"^(sk|rk)_test_[A-Za-z0-9_]{6,}$")
Handler = Callable[..., Any]


@dataclass
class Context:
    sandbox: Sandbox
    account: str  # the account the request acts on: a connected account (Stripe-Account) or the platform
    base_url: str
    request_id: str
    idempotency_key: str | None

    @property
    def store(self) -> Store:
        return self.sandbox.store

    @property
    def connected(self) -> bool:
        return self.account != self.store.platform

    def event_account(self) -> str | None:
        """Connect events carry the connected account's id; the platform's own events carry none."""
        return self.account if self.connected else None


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(
        json.dumps(body, indent=2), status_code=status, media_type="application/json", headers=headers or {}
    )


def api_key(request: Request) -> str:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer":
        return value.strip()
    if scheme.lower() == "basic":
        try:
            return base64.b64decode(value).decode().split(":", 1)[0]
        except ValueError:
            return value
    return ""


def authenticate(request: Request) -> None:
    key = api_key(request)
    if not key:
        raise no_api_key()
    expected = os.environ.get("STRIPE_SANDBOX_API_KEY")
    if (expected and key != expected) or not TEST_KEY.match(key):
        raise bad_api_key(key)


def acting_account(request: Request, store: Store) -> str:
    header = request.headers.get("stripe-account", "").strip()
    if not header or header == store.platform:
        return store.platform
    if not store.is_connected(header):
        raise no_access_to_account(header)
    return header


RATE_LIMITED = "Too many requests hit the API too quickly. We recommend an exponential backoff of your requests."


class DroppedResponse(Response):
    """The request was carried out, but its answer is cut off half-way (the client sees a broken connection)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")]})
        await send({"type": "http.response.body", "body": b'{"id": "', "more_body": True})
        raise ConnectionAbortedError("Stripe sandbox: answer dropped after the request was done (fail_next)")


def endpoint(handler: Handler) -> Callable[[Request], Any]:
    async def route(request: Request) -> Response:
        sandbox: Sandbox = request.app.state.sandbox
        request_id = f"req_{random_part(14)}"
        headers = {"Request-Id": request_id, "Stripe-Version": request.headers.get("stripe-version", API_VERSION)}
        raw = (await request.body()).decode("utf-8", "replace") if request.method != "GET" else ""
        key = request.headers.get("idempotency-key") if request.method == "POST" else None
        account = ""
        fingerprint = f"{request.method} {request.url.path} {raw}"
        fault = sandbox.failures.pop(0) if request.method == "POST" and sandbox.failures else None
        if sandbox.latency:
            await asyncio.sleep(sandbox.latency)
        if fault == "rate_limit":
            error = StripeError(429, RATE_LIMITED, code="rate_limit")
            return json_response(error.body(), error.status, headers)
        try:
            authenticate(request)
            account = acting_account(request, sandbox.store)
            if key:
                replayed = sandbox.idempotency.replay(account, key, fingerprint)
                if replayed:
                    return json_response(replayed[1], replayed[0], {**headers, "Idempotent-Replayed": "true"})
            params = {**forms.decode(request.url.query), **forms.decode(raw)}
            ctx = Context(sandbox, account, str(request.base_url).rstrip("/"), request_id, key)
            body = handler(ctx, params, **request.path_params)
            body = expand(ctx, body, forms.strings(params, "expand"))
            status = 200
        except StripeError as exc:
            status, body = exc.status, exc.body()
        if key and account:
            sandbox.idempotency.save(account, key, fingerprint, status, body)
        if request.method != "GET":
            sandbox.store.changed()
        if fault == "drop":
            return DroppedResponse()
        return json_response(body, status, headers)

    return route


# -- expand[] ----------------------------------------------------------------------------------------


def expand(ctx: Context, body: dict[str, Any], paths: list[str]) -> dict[str, Any]:
    if not paths:
        return body
    body = copy.deepcopy(body)
    for path in paths:
        _expand(ctx, body, path.split("."), path)
    return body


def _expand(ctx: Context, node: Any, parts: list[str], path: str) -> None:
    if not parts or not isinstance(node, dict):
        return
    head, rest = parts[0], parts[1:]
    if head == "data" and node.get("object") == "list":
        for item in node["data"]:
            _expand(ctx, item, rest, path)
        return
    if head not in node:
        raise invalid(f"This property cannot be expanded ({head}).", "expand")
    value = node[head]
    if isinstance(value, str):
        found = ctx.store.find(value)
        if found is None or ctx.store.owner(value) != ctx.account:
            raise invalid(f"This property cannot be expanded ({head}).", "expand")
        node[head] = value = copy.deepcopy(found)
    _expand(ctx, value, rest, path)


# -- lists -------------------------------------------------------------------------------------------


def page(items: list[dict[str, Any]], params: dict[str, Any], url: str) -> dict[str, Any]:
    """Stripe's list object: newest first, `limit` 1-100 (default 10), `starting_after` / `ending_before`."""
    limit = forms.integer(params, "limit") or 10
    if not 1 <= limit <= 100:
        raise invalid("Invalid limit: must be between 1 and 100", "limit")
    ids = [item["id"] for item in items]
    after = forms.text(params, "starting_after")
    before = forms.text(params, "ending_before")
    for name, cursor in (("starting_after", after), ("ending_before", before)):
        if cursor is not None and cursor not in ids:
            raise invalid(f"No such object: '{cursor}'", name, "resource_missing")
    if after is not None:
        rest = items[ids.index(after) + 1 :]
        chosen, has_more = rest[:limit], len(rest) > limit
    elif before is not None:
        rest = items[: ids.index(before)]
        chosen, has_more = rest[-limit:], len(rest) > limit
    else:
        chosen, has_more = items[:limit], len(items) > limit
    return {"object": "list", "data": chosen, "has_more": has_more, "url": url}

"""What every Accounting call goes through: token, tenant, rate limits, faults, Idempotency-Key, drops."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send

from . import messages, query, responses, tokens
from .arrival import ARRIVED
from .idempotency import Remembered
from .ratelimit import Denial
from .runtime import Sandbox

log = logging.getLogger(__name__)
WRITE_METHODS = ("POST", "PUT", "PATCH")


class SimulatedDrop(Exception):
    """Raised mid-response so the server closes the connection, as a network failure would."""


class DroppedResponse(Response):
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"4096")],
            }
        )
        await send({"type": "http.response.body", "body": b'{"Id":"', "more_body": True})
        raise SimulatedDrop("response dropped after commit (fault p_drop_after_commit)")


class CutResponse(Response):
    """The whole answer is remembered under its key; only its first half reaches the client, as a complete 200."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        half = bytes(self.body)[: len(self.body) // 2]
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(half)).encode())]})
        await send({"type": "http.response.body", "body": half})


@dataclass
class Call:
    request: Request
    sandbox: Sandbox
    grant: dict[str, Any]
    tenant_id: str
    org: dict[str, Any]
    body: bytes
    params: dict[str, str]

    def param(self, name: str) -> str | None:
        return self.params.get(name.lower())

    @property
    def unitdp(self) -> int:
        return 4 if self.param("unitdp") == "4" else 2

    @property
    def summarize_errors(self) -> bool:
        if self.sandbox.faults.ignore_summarize_errors:
            return True
        return (self.param("summarizeErrors") or "true").lower() != "false"

    @property
    def now_ms(self) -> int:
        return self.sandbox.store.now_ms()

    @property
    def base_url(self) -> str:
        return str(self.request.base_url)

    @property
    def numbers(self) -> dict[str, str]:
        return self.sandbox.store.invoice_numbers.setdefault(self.tenant_id, {})


Handler = Callable[[Call], Response]


def authenticate(sandbox: Sandbox, request: Request) -> tuple[dict[str, Any] | None, Response | None]:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None, responses.problem(401, "AuthenticationUnsuccessful")
    entry = sandbox.store.state["access_tokens"].get(token.strip())
    if entry is None:
        return None, responses.problem(401, "AuthenticationUnsuccessful")
    grant = sandbox.store.state["grants"][entry["grant_id"]]
    if grant["revoked"]:
        return None, responses.problem(401, "AuthenticationUnsuccessful")
    if entry["expires_ms"] <= sandbox.store.now_ms():
        return None, responses.token_expired(entry["expires_ms"])
    if sandbox.faults.refuse_access:
        return None, responses.problem(401, "AuthorizationUnsuccessful")
    return grant, None


def accounting(label: str, handler: Handler) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        sandbox: Sandbox = request.app.state.sandbox
        response = await run(sandbox, request, handler)
        sandbox.store.count(
            label, "dropped" if isinstance(response, DroppedResponse) else response.status_code
        )
        return response

    return endpoint


async def run(sandbox: Sandbox, request: Request, handler: Handler) -> Response:
    grant, refusal = authenticate(sandbox, request)
    if refusal is not None or grant is None:
        return refusal or responses.problem(401, "AuthenticationUnsuccessful")
    tenant_id = request.headers.get("xero-tenant-id", "").strip().lower()
    org = sandbox.store.orgs.get(tenant_id)
    if org is None or not tokens.is_connected(sandbox.store, grant, tenant_id):
        return responses.problem(403, "AuthenticationUnsuccessful")
    limiter, now_ms = sandbox.limiter, sandbox.store.now_ms()
    if sandbox.faults.rate_limits == "real":
        denial = limiter.admit(tenant_id, grant["client_id"], now_ms)
        if denial is not None:
            counted = limiter.headers(tenant_id, grant["client_id"], now_ms)
            return responses.too_many_requests(denial.problem, limiter.breach_headers(denial, counted))
    limiter.in_flight[tenant_id] += 1
    try:
        response = await respond(sandbox, request, handler, grant, tenant_id, org)
    finally:
        limiter.in_flight[tenant_id] -= 1
    if not isinstance(response, DroppedResponse):
        if response.status_code == 429:
            pass  # a forced breach already carries headers that agree with it
        elif sandbox.faults.rate_limits == "real":
            response.headers.update(limiter.headers(tenant_id, grant["client_id"], sandbox.store.now_ms()))
        else:
            response.headers.update(limiter.full_headers())
    return response


async def respond(
    sandbox: Sandbox,
    request: Request,
    handler: Handler,
    grant: dict[str, Any],
    tenant_id: str,
    org: dict[str, Any],
) -> Response:
    # latency_ms is how long a call takes from the client's side, counted from its arrival (see arrival.py).
    # The sandbox's own work happens inside that time, as a real server's does, so concurrent calls each
    # take latency_ms, not latency_ms plus the time spent serving the calls queued ahead of them.
    started = request.scope.get(ARRIVED) or time.monotonic()
    response = await answer(sandbox, request, handler, grant, tenant_id, org)
    if request.method in WRITE_METHODS and response.status_code == 200 and sandbox.faults.answer_elements != "as_sent":
        response = _elements_listed(response, sandbox.faults.answer_elements)
    if sandbox.faults.latency_ms:
        remaining = sandbox.faults.latency_ms / 1000 - (time.monotonic() - started)
        await asyncio.sleep(max(0.0, remaining))
    return response


async def answer(
    sandbox: Sandbox,
    request: Request,
    handler: Handler,
    grant: dict[str, Any],
    tenant_id: str,
    org: dict[str, Any],
) -> Response:
    faults = sandbox.faults
    if faults.roll("p_429"):
        limiter, app_id = sandbox.limiter, grant["client_id"]
        counted = (
            limiter.headers(tenant_id, app_id, sandbox.store.now_ms())
            if faults.rate_limits == "real"
            else limiter.full_headers()
        )
        denial = Denial(faults.rate_limit_problem, retry_after=1 / limiter.time_scale)
        return responses.too_many_requests(denial.problem, limiter.breach_headers(denial, counted))
    if faults.roll("p_500"):
        return responses.unknown_error()
    if faults.roll("p_503"):
        return responses.service_unavailable()
    body = await request.body() if request.method in WRITE_METHODS else b""
    params = {key.lower(): value for key, value in request.query_params.items()}
    call = Call(request, sandbox, grant, tenant_id, org, body, params)
    key = request.headers.get("idempotency-key")
    if request.method in WRITE_METHODS and key:
        return await remembered(call, handler, key)
    return execute(call, handler)


async def remembered(call: Call, handler: Handler, key: str) -> Response:
    store = call.sandbox.idempotency
    path = call.request.url.path + ("?" + call.request.url.query if call.request.url.query else "")
    fingerprint = store.fingerprint(call.request.method, path, call.body)
    slot = (call.grant["client_id"], call.tenant_id, key)
    entry = store.lookup(slot, call.now_ms)
    if entry is not None:
        if entry.fingerprint != fingerprint:
            return responses.bad_request_message(messages.idempotency_key_reused(key))
        await entry.done.wait()
        return Response(entry.body, status_code=entry.status, media_type=entry.media_type)
    entry = store.reserve(slot, fingerprint, call.now_ms)
    if call.sandbox.faults.roll("p_late_commit"):
        late = asyncio.get_running_loop().create_task(_commit_late(call, handler, entry))
        _LATE.add(late)
        late.add_done_callback(_LATE.discard)
        return DroppedResponse(b"", media_type=responses.JSON_TYPE)
    response = execute(call, handler)
    _remember(entry, response)
    return response


_LATE: set[asyncio.Task[None]] = set()  # the late commits under way (the loop keeps only weak references)


async def _commit_late(call: Call, handler: Handler, entry: Remembered) -> None:
    await asyncio.sleep(call.sandbox.faults.late_commit_ms / 1000)
    _remember(entry, execute(call, handler))


def _remember(entry: Remembered, response: Response) -> None:
    if isinstance(response, DroppedResponse | CutResponse):
        entry.status, entry.body, entry.media_type = 200, bytes(response.body), responses.JSON_TYPE
    else:
        entry.status, entry.body = response.status_code, bytes(response.body)
        entry.media_type = response.headers.get("content-type", responses.JSON_TYPE)
    entry.done.set()


def execute(call: Call, handler: Handler) -> Response:
    try:
        response = handler(call)
    except responses.PayloadError as exc:
        return responses.post_data_invalid(str(exc))
    except query.QueryError as exc:
        return responses.query_parse_error(str(exc))
    except Exception:
        log.exception("sandbox handler failed on %s %s", call.request.method, call.request.url.path)
        return responses.unknown_error()
    if (
        call.request.method in WRITE_METHODS
        and response.status_code == 200
        and call.sandbox.faults.roll("p_drop_after_commit")
    ):
        dropped = DroppedResponse(response.body, media_type=responses.JSON_TYPE)
        return dropped
    if call.request.method in WRITE_METHODS and response.status_code == 200 and call.sandbox.faults.roll(
            "p_cut_after_commit"):
        return CutResponse(response.body, media_type=responses.JSON_TYPE)
    return response


def _elements_listed(response: Response, how: str) -> Response:
    """A write's answer with its elements reordered or one missing (fault answer_elements), as a Xero bug or
    an odd proxy on the way might deliver it (what Xero remembers under the key is the answer as it was)."""
    if isinstance(response, DroppedResponse | CutResponse):
        return response
    body = json.loads(bytes(response.body))
    for plural in ("Invoices", "Contacts", "Payments", "CreditNotes", "BankTransactions"):
        if isinstance(body.get(plural), list):
            elements = body[plural]
            body[plural] = elements[::-1] if how == "reversed" else elements[:-1]
    kept = {name: value for name, value in response.headers.items()
            if name.lower() not in ("content-length", "content-type")}
    return responses.json_response(body, headers=kept)

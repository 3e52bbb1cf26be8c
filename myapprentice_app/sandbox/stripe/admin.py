"""The sandbox's own control panel under /sandbox-admin/ (never part of Stripe's paths)."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..admin_requests import AdminError, json_body
from . import accounts, checkout
from .api import json_response
from .errors import StripeError
from .events import register_endpoint
from .runtime import Sandbox


def admin(handler):
    async def endpoint(request: Request) -> Response:
        sandbox: Sandbox = request.app.state.sandbox
        try:
            result = await handler(request, sandbox, await json_body(request))
        except AdminError as exc:
            return json_response({"error": str(exc)}, 400)
        except StripeError as exc:
            return json_response(exc.body(), exc.status)
        sandbox.store.changed()
        return json_response(result)

    return endpoint


def _delivery(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    delivery = sandbox.webhooks.find(request.path_params["delivery_id"])
    if delivery is None:
        raise AdminError("unknown delivery")
    return delivery


def _session(sandbox: Sandbox, request: Request) -> dict[str, Any]:
    session = sandbox.store.find(request.path_params["cs_id"])
    if session is None or session.get("object") != "checkout.session":
        raise AdminError("unknown checkout session")
    return session


async def reset(request: Request, sandbox: Sandbox, body: dict) -> Any:
    await sandbox.reset()
    return {"reset": True, "platform": sandbox.store.platform}


async def objects(request: Request, sandbox: Sandbox, body: dict) -> Any:
    """Every stored object, newest first; ?type=charge and ?account=acct_… narrow it."""
    kind, account = request.query_params.get("type"), request.query_params.get("account")
    found = [
        {"account": sandbox.store.owner(object_id), "object": obj}
        for object_id, obj in reversed(sandbox.store.objects.items())
        if (kind is None or obj.get("object") == kind)
        and (account is None or sandbox.store.owner(object_id) == account)
    ]
    return {"platform": sandbox.store.platform, "objects": found}


async def deliveries(request: Request, sandbox: Sandbox, body: dict) -> Any:
    event_type = request.query_params.get("type")
    return {"deliveries": [d for d in sandbox.webhooks.deliveries if event_type in (None, d["type"])]}


async def replay(request: Request, sandbox: Sandbox, body: dict) -> Any:
    copy = sandbox.webhooks.copy(_delivery(sandbox, request), hold=True)
    await sandbox.webhooks.release([copy["id"]])
    return copy


async def duplicate(request: Request, sandbox: Sandbox, body: dict) -> Any:
    times = body.get("times", 1)
    if not isinstance(times, int) or isinstance(times, bool) or not 1 <= times <= 10:
        raise AdminError("times must be an integer from 1 to 10")
    return {"copies": await sandbox.webhooks.duplicate(_delivery(sandbox, request), times)}


async def release(request: Request, sandbox: Sandbox, body: dict) -> Any:
    order = body.get("order")
    if order is not None and (not isinstance(order, list) or not all(isinstance(i, str) for i in order)):
        raise AdminError("order must be a list of delivery ids")
    return {"released": await sandbox.webhooks.release(order, bool(body.get("reverse")))}


async def get_config(request: Request, sandbox: Sandbox, body: dict) -> Any:
    return {"retry_delays_seconds": list(sandbox.webhooks.retry_delays), "hold_deliveries": sandbox.webhooks.hold,
            "latency_ms": int(sandbox.latency * 1000)}


async def set_config(request: Request, sandbox: Sandbox, body: dict) -> Any:
    if "retry_delays_seconds" in body:
        delays = body["retry_delays_seconds"]
        if not isinstance(delays, list) or not all(
            isinstance(d, int | float) and not isinstance(d, bool) and d >= 0 for d in delays
        ):
            raise AdminError("retry_delays_seconds must be a list of non-negative numbers")
        sandbox.webhooks.retry_delays = tuple(float(d) for d in delays)
    if "fail_next" in body:
        fail = body["fail_next"]
        if not isinstance(fail, dict) or fail.get("with") not in ("drop", "rate_limit") \
                or not isinstance(fail.get("count", 1), int) or fail.get("count", 1) < 0:
            raise AdminError('fail_next must be {"with": "drop" | "rate_limit", "count": n}')
        sandbox.failures[:] = [fail["with"]] * fail.get("count", 1)
    if "hold_deliveries" in body:
        sandbox.webhooks.hold = bool(body["hold_deliveries"])
    if "latency_ms" in body:
        latency = body["latency_ms"]
        if not isinstance(latency, int) or isinstance(latency, bool) or not 0 <= latency <= 60_000:
            raise AdminError("latency_ms must be a whole number of milliseconds from 0 to 60000")
        sandbox.latency = latency / 1000
    if "advance_clock_seconds" in body:
        sandbox.store.clock_offset += int(body["advance_clock_seconds"])
        checkout.expire_due(sandbox)
    return await get_config(request, sandbox, {})


async def add_endpoint(request: Request, sandbox: Sandbox, body: dict) -> Any:
    url = body.get("url")
    if not isinstance(url, str) or not url.startswith(("http://", "https://")):
        raise AdminError("url must be an http(s) URL")
    events = body.get("enabled_events", ["*"])
    if not isinstance(events, list) or not all(isinstance(e, str) for e in events):
        raise AdminError("enabled_events must be a list of event types")
    secret = body.get("secret")
    if secret is not None and not (isinstance(secret, str) and secret.startswith("whsec_")):
        raise AdminError("secret must start with whsec_")
    return register_endpoint(sandbox, url, events, bool(body.get("connect", True)), secret, body.get("description"))


async def pay(request: Request, sandbox: Sandbox, body: dict) -> Any:
    """Pay a Checkout Session as the hosted page would: {"card": "4242…", "email", "name", "authenticate"}."""
    session = _session(sandbox, request)
    base = str(request.base_url).rstrip("/")
    attempt = checkout.pay(
        sandbox, session, str(body.get("card", "4242424242424242")), body.get("email"), body.get("name"), base
    )
    if attempt.status == "requires_action" and "authenticate" in body:
        attempt = checkout.authenticate(sandbox, session, bool(body["authenticate"]), base)
    redirect = checkout.redirect_url(session, "success_url") if attempt.status == "succeeded" else None
    return {
        "status": attempt.status,
        "message": attempt.message,
        "code": attempt.code,
        "redirect": redirect,
        "session": session,
    }


async def onboard(request: Request, sandbox: Sandbox, body: dict) -> Any:
    return accounts.complete_onboarding(sandbox, request.path_params["account"], str(body.get("business_name") or ""))


async def require_information(request: Request, sandbox: Sandbox, body: dict) -> Any:
    due = body.get("currently_due", ["external_account"])
    return accounts.require_more_information(sandbox, request.path_params["account"], list(due))


async def deauthorize(request: Request, sandbox: Sandbox, body: dict) -> Any:
    return accounts.deauthorize(sandbox, request.path_params["account"])


def routes() -> list[Route]:
    prefix = "/sandbox-admin"
    table = [
        ("POST", "/reset", reset),
        ("GET", "/objects", objects),
        ("GET", "/deliveries", deliveries),
        ("POST", "/deliveries/release", release),
        ("POST", "/deliveries/{delivery_id}/replay", replay),
        ("POST", "/deliveries/{delivery_id}/duplicate", duplicate),
        ("GET", "/config", get_config),
        ("POST", "/config", set_config),
        ("POST", "/webhook-endpoints", add_endpoint),
        ("POST", "/checkout/sessions/{cs_id}/pay", pay),
        ("POST", "/accounts/{account}/onboard", onboard),
        ("POST", "/accounts/{account}/require-information", require_information),
        ("POST", "/accounts/{account}/deauthorize", deauthorize),
    ]
    return [Route(prefix + path, admin(handler), methods=[method]) for method, path, handler in table]

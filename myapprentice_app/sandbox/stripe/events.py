"""Events (`evt_`), who receives them, and the /v1/events and /v1/webhook_endpoints resources.

An event on a connected account carries `account` and goes to Connect endpoints (`connect=true`); an
event on the platform's own account goes to the other endpoints."""

from __future__ import annotations

import copy
import json
import re
import secrets
from typing import TYPE_CHECKING, Any

from . import forms
from .api import API_VERSION, Context, page
from .errors import invalid
from .store import new_id

if TYPE_CHECKING:
    from .runtime import Sandbox

EVENT_NAME = re.compile(r"^(\*|[a-z_]+(\.[a-z_]+)+)$")


def emit(
    sandbox: Sandbox,
    event_type: str,
    obj: dict[str, Any],
    account: str | None,
    previous: dict[str, Any] | None = None,
    ctx: Context | None = None,
) -> dict[str, Any]:
    store = sandbox.store
    event: dict[str, Any] = {
        "id": new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": store.now(),
        "data": {"object": copy.deepcopy(obj)},
        "livemode": False,
        "pending_webhooks": 0,
        "request": {
            "id": ctx.request_id if ctx else None,
            "idempotency_key": ctx.idempotency_key if ctx else None,
        },
        "type": event_type,
    }
    if previous is not None:
        event["data"]["previous_attributes"] = copy.deepcopy(previous)
    if account:
        event["account"] = account
    receivers = [
        endpoint
        for endpoint in store.state["endpoints"].values()
        if endpoint["connect"] == bool(account)
        and store.objects[endpoint["id"]]["status"] == "enabled"
        and ({"*", event_type} & set(store.objects[endpoint["id"]]["enabled_events"]))
    ]
    event["pending_webhooks"] = len(receivers)
    store.put(event, account or store.platform)
    body = json.dumps(event, indent=2).encode()
    for endpoint in receivers:
        sandbox.webhooks.send(event, body, endpoint)
    return event


# -- /v1/events --------------------------------------------------------------------------------------


def list_events(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    events = ctx.store.all("event", ctx.account)
    wanted = forms.text(params, "type")
    if wanted:
        pattern = re.compile("^" + re.escape(wanted).replace(r"\*", ".*") + "$")
        events = [event for event in events if pattern.match(event["type"])]
    return page(events, params, "/v1/events")


def retrieve_event(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    return ctx.store.get("event", id, ctx.account)


# -- /v1/webhook_endpoints ---------------------------------------------------------------------------


def register_endpoint(
    sandbox: Sandbox,
    url: str,
    enabled_events: list[str],
    connect: bool,
    secret: str | None = None,
    description: str | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    store = sandbox.store
    endpoint = {
        "api_version": None,
        "application": None,
        "created": store.now(),
        "description": description,
        "enabled_events": enabled_events,
        "id": new_id("we"),
        "livemode": False,
        "metadata": metadata or {},
        "object": "webhook_endpoint",
        "status": "enabled",
        "url": url,
    }
    store.put(endpoint, store.platform)
    secret = secret or f"whsec_{secrets.token_hex(16)}"
    store.state["endpoints"][endpoint["id"]] = {"id": endpoint["id"], "url": url, "secret": secret, "connect": connect}
    return {**endpoint, "secret": secret}


def _events_param(params: dict[str, Any]) -> list[str]:
    events = forms.strings(params, "enabled_events")
    for index, name in enumerate(events):
        if not EVENT_NAME.match(name):
            raise invalid(f"Invalid enabled_events[{index}]: {name!r} is not an event type", f"enabled_events[{index}]")
    return events


def _platform_only(ctx: Context) -> None:
    if ctx.connected:
        raise invalid("Webhook endpoints can only be managed by the platform (no Stripe-Account header).")


def create_endpoint(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _platform_only(ctx)
    forms.check_known(params, {"url", "enabled_events", "connect", "description", "metadata", "api_version"})
    url = forms.text(params, "url", required=True)
    assert url is not None
    if not url.startswith(("http://", "https://")):
        raise invalid("Invalid URL: URL must be publicly accessible.", "url", "url_invalid")
    events = _events_param(params)
    if not events:
        raise forms.missing_param("enabled_events")
    return register_endpoint(
        ctx.sandbox,
        url,
        events,
        forms.boolean(params, "connect"),
        None,
        forms.text(params, "description"),
        forms.metadata(params),
    )


def retrieve_endpoint(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    _platform_only(ctx)
    return ctx.store.get("webhook_endpoint", id, ctx.account)


def update_endpoint(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    _platform_only(ctx)
    forms.check_known(params, {"url", "enabled_events", "disabled", "description", "metadata"})
    endpoint = ctx.store.get("webhook_endpoint", id, ctx.account)
    if forms.text(params, "url"):
        endpoint["url"] = ctx.store.state["endpoints"][id]["url"] = forms.text(params, "url")
    if "enabled_events" in params:
        endpoint["enabled_events"] = _events_param(params)
    if "disabled" in params:
        endpoint["status"] = "disabled" if forms.boolean(params, "disabled") else "enabled"
    if "description" in params:
        endpoint["description"] = forms.text(params, "description")
    endpoint["metadata"] = forms.metadata(params, endpoint["metadata"])
    return endpoint


def list_endpoints(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    _platform_only(ctx)
    return page(ctx.store.all("webhook_endpoint", ctx.account), params, "/v1/webhook_endpoints")


def delete_endpoint(ctx: Context, params: dict[str, Any], id: str) -> dict[str, Any]:
    _platform_only(ctx)
    ctx.store.get("webhook_endpoint", id, ctx.account)
    del ctx.store.objects[id]
    del ctx.store.state["endpoints"][id]
    return {"id": id, "object": "webhook_endpoint", "deleted": True}

"""The sandbox's own control panel under /sandbox-admin/ (never part of Xero's paths)."""

from __future__ import annotations

import itertools
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from ..admin_requests import AdminError, json_body
from . import serialize, tokens
from .faults import FaultError
from .ratelimit import Limits
from .responses import json_response
from .runtime import Sandbox

DEFAULT_CLIENT_ID = "myapprentice-sandbox"
DEFAULT_SCOPE = (
    "openid profile email offline_access accounting.contacts accounting.invoices accounting.payments "
    "accounting.settings accounting.transactions"
)
_users = itertools.count(1)



def sandbox_of(request: Request) -> Sandbox:
    return request.app.state.sandbox



def admin(handler):
    async def endpoint(request: Request) -> Response:
        try:
            return await handler(request, sandbox_of(request))
        except (AdminError, FaultError) as exc:
            return json_response({"error": str(exc)}, status=400)

    return endpoint


async def reset(request: Request, sandbox: Sandbox) -> Response:
    sandbox.reset()
    return json_response({"reset": True})


async def create_organisation(request: Request, sandbox: Sandbox) -> Response:
    body = await json_body(request)
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise AdminError("name is required")
    country = body.get("country", "AU")
    if country != "AU":
        raise AdminError("only country 'AU' is seeded so far")
    org = sandbox.store.add_organisation(name.strip(), country)
    return json_response({"tenantId": org["OrganisationID"], "name": org["Name"]}, status=201)


async def list_organisations(request: Request, sandbox: Sandbox) -> Response:
    return json_response(
        [{"tenantId": tenant_id, "name": org["Name"]} for tenant_id, org in sandbox.store.orgs.items()]
    )


async def create_tokens(request: Request, sandbox: Sandbox) -> Response:
    """A token response exactly like /connect/token, without the browser dance."""
    body = await json_body(request)
    tenant_ids = body.get("tenantIds")
    if not isinstance(tenant_ids, list) or not all(isinstance(t, str) for t in tenant_ids):
        raise AdminError("tenantIds must be a list of tenant ids")
    unknown = [tenant for tenant in tenant_ids if tenant.lower() not in sandbox.store.orgs]
    if unknown:
        raise AdminError(f"unknown tenantIds: {unknown}")
    client_id = body.get("clientId") or DEFAULT_CLIENT_ID
    email = body.get("user") or f"sandbox-user-{next(_users)}@sandbox.example"
    grant = tokens.new_grant(
        sandbox.store,
        client_id,
        email,
        body.get("scope") or DEFAULT_SCOPE,
        [tenant.lower() for tenant in tenant_ids],
    )
    return json_response(tokens.issue(sandbox.store, grant, str(request.base_url).rstrip("/")))


async def stored(request: Request, sandbox: Sandbox) -> Response:
    org = sandbox.store.orgs.get(request.path_params["tenant_id"].lower())
    if org is None:
        return json_response({"error": "unknown tenant"}, status=404)
    kind = request.path_params["kind"]
    if kind == "invoices":
        items = [serialize.invoice(org, record, unitdp=4) for record in org["invoices"].values()]
        return json_response({"Invoices": items})
    if kind == "contacts":
        return json_response({"Contacts": [serialize.contact(record) for record in org["contacts"].values()]})
    if kind == "payments":
        return json_response(
            {"Payments": [serialize.payment(org, record) for record in org["payments"].values()]}
        )
    if kind == "emails":  # invoices emailed through POST /Invoices/{id}/Email, oldest first
        return json_response({"Emails": org.get("emails", [])})
    if kind == "creditnotes":
        from .credit_notes import view

        return json_response({"CreditNotes": [view(org, note) for note in org.get("credit_notes", {}).values()]})
    if kind == "banktransactions":
        from .accounting.bank_transactions import listed

        return json_response({"BankTransactions": listed(org)})
    return json_response({"error": f"unknown collection {kind}"}, status=404)


async def set_faults(request: Request, sandbox: Sandbox) -> Response:
    body = await json_body(request)
    sandbox.faults.update(body)
    sandbox.limiter.rescale(sandbox.faults.time_scale)
    if "limits" in body:
        if not isinstance(body["limits"], dict):
            raise AdminError("limits must be an object")
        try:
            sandbox.limiter.limits = Limits(**{**vars(sandbox.limiter.limits), **body["limits"]})
        except TypeError as exc:
            raise AdminError(str(exc)) from exc
    if "day_limit" in body:  # the day's quota of rate_limits "real": 5,000, or 1,000 on Xero's Starter plan
        day_limit = body["day_limit"]
        if not isinstance(day_limit, int) or isinstance(day_limit, bool) or day_limit < 1:
            raise AdminError("day_limit must be a positive whole number")
        sandbox.limiter.limits.day = day_limit
    applied: dict[str, Any] = {}
    if body.get("revoke_tenant"):
        applied["disconnected"] = tokens.disconnect_tenant(sandbox.store, str(body["revoke_tenant"]).lower())
    if body.get("expire_tokens"):
        tokens.expire_all_access_tokens(sandbox.store)
        applied["expired_tokens"] = True
    return json_response({**sandbox.faults.as_dict(), "limits": vars(sandbox.limiter.limits), **applied})


async def get_faults(request: Request, sandbox: Sandbox) -> Response:
    return json_response({**sandbox.faults.as_dict(), "limits": vars(sandbox.limiter.limits)})


async def stats(request: Request, sandbox: Sandbox) -> Response:
    return json_response(
        {"calls": {endpoint: dict(counts) for endpoint, counts in sandbox.store.stats.items()}}
    )


async def advance_clock(request: Request, sandbox: Sandbox) -> Response:
    body = await json_body(request)
    seconds = body.get("advance_seconds")
    if not isinstance(seconds, int | float) or isinstance(seconds, bool):
        raise AdminError("advance_seconds must be a number")
    sandbox.store.clock_offset_ms += int(seconds * 1000)
    return json_response(
        {"offset_seconds": sandbox.store.clock_offset_ms / 1000, "now_ms": sandbox.store.now_ms()}
    )


async def set_config(request: Request, sandbox: Sandbox) -> Response:
    body = await json_body(request)
    if "webhook_url" in body:
        sandbox.webhooks.url = body["webhook_url"] or None
    if "webhook_key" in body:
        sandbox.webhooks.key = body["webhook_key"] or None
    if "idempotency_window_seconds" in body:
        window = body["idempotency_window_seconds"]
        if not isinstance(window, int) or isinstance(window, bool) or window < 0:
            raise AdminError("idempotency_window_seconds must be a non-negative integer")
        sandbox.idempotency.window_seconds = window
    return await get_config(request, sandbox)


async def get_config(request: Request, sandbox: Sandbox) -> Response:
    return json_response(
        {
            "webhook_url": sandbox.webhooks.url,
            "webhook_key_set": bool(sandbox.webhooks.key),
            "idempotency_window_seconds": sandbox.idempotency.window_seconds,
        }
    )


async def intent_to_receive(request: Request, sandbox: Sandbox) -> Response:
    if not sandbox.webhooks.enabled:
        raise AdminError("configure webhook_url and webhook_key first")
    return json_response(await sandbox.webhooks.intent_to_receive())


async def deliveries(request: Request, sandbox: Sandbox) -> Response:
    return json_response(
        {"deliveries": sandbox.webhooks.deliveries, "pending": len(sandbox.webhooks.pending)}
    )


async def reconcile_payment(request: Request, sandbox: Sandbox) -> Response:
    from .accounting.bank_transactions import reconcile_payment as reconcile

    return await reconcile(request, sandbox)


def routes() -> list[Route]:
    prefix = "/sandbox-admin"
    return [
        Route(f"{prefix}/reset", admin(reset), methods=["POST"]),
        Route(f"{prefix}/organisations", admin(create_organisation), methods=["POST"]),
        Route(f"{prefix}/organisations", admin(list_organisations), methods=["GET"]),
        Route(f"{prefix}/organisations/{{tenant_id}}/{{kind}}", admin(stored), methods=["GET"]),
        Route(f"{prefix}/organisations/{{tenant_id}}/payments/{{payment_id}}/reconcile",
              admin(reconcile_payment), methods=["POST"]),
        Route(f"{prefix}/tokens", admin(create_tokens), methods=["POST"]),
        Route(f"{prefix}/faults", admin(set_faults), methods=["POST"]),
        Route(f"{prefix}/faults", admin(get_faults), methods=["GET"]),
        Route(f"{prefix}/stats", admin(stats), methods=["GET"]),
        Route(f"{prefix}/clock", admin(advance_clock), methods=["POST"]),
        Route(f"{prefix}/config", admin(set_config), methods=["POST"]),
        Route(f"{prefix}/config", admin(get_config), methods=["GET"]),
        Route(f"{prefix}/webhooks/intent-to-receive", admin(intent_to_receive), methods=["POST"]),
        Route(f"{prefix}/webhooks/deliveries", admin(deliveries), methods=["GET"]),
    ]

"""Identity API: GET /connections and DELETE /connections/{id}."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from . import responses, tokens
from .gateway import authenticate
from .runtime import Sandbox

PUBLIC_KEYS = (
    "id",
    "authEventId",
    "tenantId",
    "tenantType",
    "tenantName",
    "createdDateUtc",
    "updatedDateUtc",
)


async def list_connections(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    response = answer_list(sandbox, request)
    sandbox.store.count("GET /connections", response.status_code)
    return response


def answer_list(sandbox: Sandbox, request: Request) -> Response:
    grant, refusal = authenticate(sandbox, request)
    if grant is None:
        return refusal or responses.problem(401, "AuthenticationUnsuccessful")
    auth_event = (request.query_params.get("authEventId") or "").lower()
    body = [
        {key: connection[key] for key in PUBLIC_KEYS}
        for connection in tokens.connections_for(sandbox.store, grant)
        if not auth_event or connection["authEventId"] == auth_event
    ]
    headers = sandbox.limiter.app_headers(grant["client_id"], sandbox.store.now_ms())
    return responses.json_response(body, headers=headers)


async def delete_connection(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    response = answer_delete(sandbox, request)
    sandbox.store.count("DELETE /connections/{id}", response.status_code)
    return response


def answer_delete(sandbox: Sandbox, request: Request) -> Response:
    grant, refusal = authenticate(sandbox, request)
    if grant is None:
        return refusal or responses.problem(401, "AuthenticationUnsuccessful")
    connection_id = request.path_params["id"].lower()
    mine = {connection["id"] for connection in tokens.connections_for(sandbox.store, grant)}
    if connection_id not in mine:
        return responses.not_found()
    del sandbox.store.state["connections"][connection_id]
    sandbox.store.changed()
    return Response(status_code=204)

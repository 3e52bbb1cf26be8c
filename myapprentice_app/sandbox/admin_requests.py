"""The sandboxes' admin API: a request's JSON body, and the error that answers a bad one with a 400."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request


class AdminError(ValueError):
    pass


async def json_body(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise AdminError(f"body is not JSON: {exc}") from exc
    if not isinstance(body, dict):
        raise AdminError("body must be a JSON object")
    return body

"""Xero's response envelopes and error bodies, byte-for-byte where Xero's format is known."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from starlette.responses import PlainTextResponse, Response

JSON_TYPE = "application/json; charset=utf-8"
NOT_FOUND_TEXT = "The resource you're looking for cannot be found"
UNKNOWN_ERROR_TEXT = (
    "An error occurred in Xero. Check the API Status page http://status.developer.xero.com for current "
    "service "
    "status. Contact the API support team at api@xero.com for more assistance."
)


class PayloadError(ValueError):
    """The request body is not something Xero could deserialise (→ 400 PostDataInvalidException)."""


def json_response(body: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    content = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Response(content, status_code=status, headers=headers, media_type=JSON_TYPE)


def envelope(now_ms: int, plural: str, items: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "Id": str(uuid.uuid4()),
        "Status": "OK",
        "ProviderName": "MyApprentice Xero Sandbox",
        "DateTimeUTC": f"/Date({now_ms})/",
    }
    body.update(extra)
    body[plural] = items
    return body


def validation_exception(elements: list[dict[str, Any]]) -> Response:
    return json_response(
        {
            "ErrorNumber": 10,
            "Type": "ValidationException",
            "Message": "A validation exception occurred",
            "Elements": elements,
        },
        status=400,
    )


def post_data_invalid(detail: str) -> Response:
    return json_response(
        {
            "ErrorNumber": 14,
            "Type": "PostDataInvalidException",
            "Message": f"JSON for post data was invalid,{detail}",
        },
        status=400,
    )


def query_parse_error(detail: str) -> Response:
    return json_response({"ErrorNumber": 16, "Type": "QueryParseException", "Message": detail}, status=400)


def bad_request_message(message: str) -> Response:
    return json_response(
        {"ErrorNumber": 10, "Type": "ValidationException", "Message": message, "Elements": []}, status=400
    )


def not_found() -> Response:
    return PlainTextResponse(NOT_FOUND_TEXT, status_code=404)


def problem(status: int, detail: str) -> Response:
    title = "Unauthorized" if status == 401 else "Forbidden"
    return json_response(
        {
            "Type": None,
            "Title": title,
            "Status": status,
            "Detail": detail,
            "Instance": str(uuid.uuid4()),
            "Extensions": {},
        },
        status=status,
    )


def token_expired(expired_ms: int) -> Response:
    stamp = datetime.fromtimestamp(expired_ms / 1000, UTC).strftime("%m/%d/%Y %H:%M:%S")
    return problem(401, f"TokenExpired: token expired at {stamp}")


def unknown_error() -> Response:
    return json_response(
        {"ErrorNumber": 500, "Type": "UnknownErrorException", "Message": UNKNOWN_ERROR_TEXT}, status=500
    )


def service_unavailable() -> Response:
    # No Retry-After on purpose: urllib3 would otherwise sleep and silently retry idempotent calls.
    return PlainTextResponse("The Xero API is temporarily unavailable", status_code=503)


def oauth_error(error: str, description: str | None = None, status: int = 400) -> Response:
    body = {"error": error}
    if description:
        body["error_description"] = description
    return json_response(body, status=status)


def too_many_requests(problem: str, headers: dict[str, str]) -> Response:
    """HTTP 429; clients read the headers (X-Rate-Limit-Problem, Retry-After, the remaining counts)."""
    return json_response(
        {"Title": "Too Many Requests", "Status": 429, "Detail": f"Rate limit exceeded: {problem}"},
        status=429,
        headers=headers,
    )

"""What every Accounting list and batch write shares: paging, where/order, ids, Xero's batch answer."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from typing import Any

from starlette.responses import Response

from .. import dates, payload, query, responses
from ..gateway import Call

DEFAULT_PAGE_SIZE = 100


MAX_PAGE_SIZE = 1000


def is_guid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def positive_int(call: Call, name: str, default: int, upper: int | None = None) -> int:
    raw = call.param(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as exc:
        raise query.QueryError(f"The value '{raw}' is not valid for {name}.") from exc
    if value < 1:
        raise query.QueryError(f"The value '{raw}' is not valid for {name}.")
    return min(value, upper) if upper else value


def select(
    call: Call,
    records: Iterable[dict[str, Any]],
    view: Callable[[dict[str, Any]], dict[str, Any]],
    extra: Callable[[dict[str, Any]], bool] | None = None,
) -> list[dict[str, Any]]:
    """Apply If-Modified-Since, a caller-specific filter, `where` and `order`."""
    predicate = query.where(call.param("where"))
    keys = query.order(call.param("order"))
    since_header = call.request.headers.get("if-modified-since")
    since_ms = dates.parse_since(since_header) if since_header else None
    chosen, views = [], {}
    for record in records:
        if since_ms is not None and record["updated_ms"] < since_ms - since_ms % 1000:
            continue
        if extra is not None and not extra(record):
            continue
        record_view = view(record)
        if predicate is not None and not predicate(record_view):
            continue
        chosen.append(record)
        views[id(record)] = record_view
    return query.sort(chosen, views, keys) if keys else chosen


def lowered(element: dict[str, Any]) -> dict[str, Any]:
    """An answer's element as `where` sees it: its top-level fields by lower-case name."""
    return {key.lower(): value for key, value in element.items()}


def listing(
    call: Call,
    plural: str,
    chosen: list[dict[str, Any]],
    render: Callable[[dict[str, Any], bool], dict[str, Any]],
    paged_always: bool = False,
) -> Response:
    """Without `page`, lists come without line details; with it, 100 (or pageSize) per page + pagination."""
    if call.param("page") is None and not paged_always:
        return responses.json_response(
            responses.envelope(call.now_ms, plural, [render(r, False) for r in chosen])
        )
    page = positive_int(call, "page", 1)
    size = positive_int(call, "pageSize", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)
    items, pagination = query.page_of(chosen, page, size)
    full = not query.flag(call.param("summaryOnly"))
    return responses.json_response(
        responses.envelope(call.now_ms, plural, [render(r, full) for r in items], pagination=pagination)
    )


def batch_answer(call: Call, plural: str, results: list[tuple[bool, dict[str, Any]]]) -> Response:
    """summarizeErrors (default): 400 listing only failed elements; false: 200 with every element."""
    if call.summarize_errors and any(not ok for ok, _ in results):
        return responses.validation_exception([element for ok, element in results if not ok])
    return responses.json_response(
        responses.envelope(call.now_ms, plural, [element for _, element in results])
    )


def body_elements(call: Call, plural: str, allow_bare: bool = False) -> list[dict[str, Any]]:
    return payload.elements(payload.parse_json(call.body), plural, allow_bare=allow_bare)


def query_match(call: Call, view: dict[str, Any]) -> bool:
    predicate = query.where(call.param("where"))
    return predicate is None or predicate(view)

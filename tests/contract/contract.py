"""Checks recorded HTTP exchanges against Xero's official OpenAPI files with openapi-core."""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import yaml
from openapi_core import Config, OpenAPI
from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from tests.support.shared_files import XERO_OPENAPI

XERO_HOST = "https://api.xero.com"
# The SDK always serialises these read-only defaults into request bodies (reference §7.1); Xero ignores them.
SDK_READ_ONLY_NOISE = ("read-only", "readOnly", "read only")


@dataclass
class Exchange:
    method: str
    path: str
    query: str
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status: int = 0
    response_headers: list[tuple[str, str]] = field(default_factory=list)
    response_body: bytes = b""
    complete: bool = False


@dataclass
class RecordedRequest:
    exchange: Exchange
    host_url: str = XERO_HOST

    def __post_init__(self) -> None:
        headers = Headers(self.exchange.request_headers)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qsl(self.exchange.query, keep_blank_values=True)),
            header=headers,
        )

    @property
    def path(self) -> str:
        path = self.exchange.path
        return (
            "/Connections" + path[len("/connections") :] if path.lower().startswith("/connections") else path
        )

    @property
    def method(self) -> str:
        return self.exchange.method.lower()

    @property
    def body(self) -> bytes | str | None:
        if self.content_type.startswith("application/octet-stream") and self.exchange.request_body:
            # A file upload: the contract types it `string, format: byte`; what crosses the wire is the file.
            return base64.b64encode(self.exchange.request_body).decode()
        return self.exchange.request_body or None

    @property
    def content_type(self) -> str:
        return Headers(self.exchange.request_headers).get("content-type", "application/json").lower()


@dataclass
class RecordedResponse:
    exchange: Exchange

    @property
    def status_code(self) -> int:
        return self.exchange.status

    @property
    def headers(self) -> Headers:
        return Headers(self.exchange.response_headers)

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").lower()

    @property
    def data(self) -> bytes | None:
        return self.exchange.response_body


# Xero's own file fails strict spec validation (`default: "false"` on booleans); we check traffic, not it.
UNCHECKED = Config(spec_validator_cls=None)


def boolean_defaults(node: Any) -> Any:
    """Xero's file writes boolean defaults as strings (`default: "false"`). A validator fills an omitted
    property with its default and then finds the string not a boolean: xero-node omits those properties
    (xero-python always sends them). Read such defaults as the booleans they stand for."""
    if isinstance(node, dict):
        if node.get("type") == "boolean" and node.get("default") in ("false", "true"):
            node = {**node, "default": node["default"] == "true"}
        return {key: boolean_defaults(value) for key, value in node.items()}
    if isinstance(node, list):
        return [boolean_defaults(value) for value in node]
    return node


@functools.cache
def accounting_spec() -> OpenAPI:
    path = XERO_OPENAPI.path("xero_accounting.yaml")
    with open(path, encoding="utf-8") as handle:
        data = boolean_defaults(yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader)))
    return OpenAPI.from_dict(data, config=UNCHECKED, base_uri=path.as_uri())


@functools.cache
def identity_spec() -> OpenAPI:
    return OpenAPI.from_file_path(str(XERO_OPENAPI.path("xero-identity.yaml")), config=UNCHECKED)


def spec_for(exchange: Exchange) -> OpenAPI | None:
    if exchange.path.startswith("/api.xro/2.0/"):
        return accounting_spec()
    if exchange.path.lower().startswith("/connections"):
        return identity_spec()
    return None


def declared_statuses(spec: OpenAPI, request: RecordedRequest) -> set[str]:
    paths = spec.spec / "paths"
    for template, path_item in paths.items():
        if template_matches(str(template), request.path):
            operation = path_item.get(request.method)
            if operation is not None:
                return set((operation / "responses").keys())
    return set()


def template_matches(template: str, path: str) -> bool:
    if not path.startswith("/api.xro/2.0") and not path.startswith("/Connections"):
        return False
    path = path.removeprefix("/api.xro/2.0")
    wanted, actual = template.strip("/").split("/"), path.strip("/").split("/")
    return len(wanted) == len(actual) and all(
        w.startswith("{") or w == a for w, a in zip(wanted, actual, strict=True)
    )


def problems(exchange: Exchange, check_request: bool = True) -> list[str]:
    """Everything the official contract says is wrong with one request/response pair."""
    spec = spec_for(exchange)
    if spec is None or not exchange.complete:  # a deliberately dropped response has nothing to check
        return []
    request, response = RecordedRequest(exchange), RecordedResponse(exchange)
    found = []
    label = f"{exchange.method} {exchange.path}?{exchange.query} → {exchange.status}"
    request_errors = spec.unmarshal_request(request).errors if check_request else []
    for error in request_errors:
        text = describe(error)
        if by_file_name(exchange.path, text):
            continue
        if exchange.status in (401, 403) and "security" in text.lower():
            continue
        if not any(noise in text for noise in SDK_READ_ONLY_NOISE):
            found.append(f"request {label}: {text}")
    if str(exchange.status) in declared_statuses(spec, request):
        response_result = spec.unmarshal_response(request, response)
        found.extend(f"response {label}: {describe(error)}" for error in response_result.errors)
    return found


GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def by_file_name(path: str, text: str) -> bool:
    """`…/Attachments/{AttachmentID}` and `…/Attachments/{FileName}` share a shape: openapi-core always picks the
    first, so a download by file name reads as a bad AttachmentID. Such a request is the second operation."""
    return "Invalid path parameter: AttachmentID" in text and not GUID.match(path.rsplit("/", 1)[-1])


def describe(error: BaseException) -> str:
    parts = [f"{type(error).__name__}: {error}"]
    for inner in getattr(error, "schema_errors", None) or ():
        parts.append(f"  - {getattr(inner, 'message', inner)} at {list(getattr(inner, 'path', []))}")
    cause = error.__cause__
    if cause is not None and cause is not error:
        parts.append(f"  caused by {describe(cause)}")
    return "\n".join(parts)

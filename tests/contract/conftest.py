"""The Xero sandbox in-process on a free port, driven through the official xero-python SDK.

Every exchange on Xero's own paths is recorded and, after each test, checked against Xero's OpenAPI files.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import urllib3
from xero_python.accounting import AccountingApi
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.api_client.oauth2 import OAuth2Token, TokenApi
from xero_python.identity import IdentityApi

from myapprentice_app.sandbox.xero.arrival import ArrivalClock
from myapprentice_app.sandbox.xero.server import create_app
from tests.support import shared_files
from tests.support.waiting import served_in_a_thread
from tests.support.xero_sandbox import SandboxAdmin as Admin

from .contract import Exchange, problems
from .node_sdk import NODE_DIR, NODE_SDK_MISSING

CLIENT_ID = "myapprentice-sandbox"
CLIENT_SECRET = "sandbox-secret"


class Recorder:
    """ASGI wrapper that keeps a copy of every request and response (it changes nothing)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.exchanges: list[Exchange] = []

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = Exchange(
            method=scope["method"],
            path=scope["path"],
            query=scope["query_string"].decode(),
            request_headers=[(k.decode(), v.decode()) for k, v in scope["headers"]],
            request_body=b"",
        )

        async def recording_receive() -> dict:
            message = await receive()
            if message["type"] == "http.request":
                exchange.request_body += message.get("body", b"")
            return message

        async def recording_send(message: dict) -> None:
            if message["type"] == "http.response.start":
                exchange.status = message["status"]
                exchange.response_headers = [(k.decode(), v.decode()) for k, v in message.get("headers", [])]
            elif message["type"] == "http.response.body":
                exchange.response_body += message.get("body", b"")
                exchange.complete = not message.get("more_body", False)
            await send(message)

        try:
            await self.app(scope, recording_receive, recording_send)
        finally:
            self.exchanges.append(exchange)


@dataclass
class RunningSandbox:
    base_url: str
    app: Any
    recorder: Recorder


XERO_OPENAPI_MISSING = shared_files.XERO_OPENAPI.missing()
TIER = Path(__file__).resolve().parent


@pytest.fixture(scope="session", autouse=True)
def xero_openapi_files() -> Path:
    """The contract is Xero's OpenAPI files, kept outside the repository: without them this tier is skipped."""
    if XERO_OPENAPI_MISSING:
        pytest.skip(XERO_OPENAPI_MISSING)
    return shared_files.XERO_OPENAPI.folder


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[pytest.TestReport]:
    """Reports that skip for want of the OpenAPI files (or of xero-node) name the tier (or the Node folder),
    not each test: `-ra` prints one line."""
    report = yield
    if report.skipped and isinstance(report.longrepr, tuple):
        *_, reason = report.longrepr
        if XERO_OPENAPI_MISSING and XERO_OPENAPI_MISSING in reason:
            report.longrepr = (str(TIER), None, reason)
        elif NODE_SDK_MISSING and NODE_SDK_MISSING in reason:
            report.longrepr = (str(NODE_DIR), None, reason)
    return report


@pytest.fixture(scope="session")
def sandbox(xero_openapi_files: Path) -> Iterator[RunningSandbox]:
    app = create_app()
    recorder = Recorder(ArrivalClock(app))  # served as `serve` serves it
    with served_in_a_thread(recorder, name="the Xero sandbox", lifespan="on") as base_url:
        yield RunningSandbox(base_url, app, recorder)


@pytest.fixture(scope="session")
def admin(sandbox: RunningSandbox) -> Admin:
    return Admin(sandbox.base_url)


@pytest.fixture(autouse=True)
def calm_sandbox(admin: Admin) -> Iterator[None]:
    yield
    admin.faults(
        latency_ms=0,
        rate_limits="off",
        p_429=0,
        rate_limit_problem="minute",
        p_500=0,
        p_503=0,
        p_drop_after_commit=0,
        time_scale=1,
        limits={"minute": 60, "day": 5000, "concurrent": 5, "app_minute": 10_000},
    )
    admin.post("config", {"idempotency_window_seconds": 360, "webhook_url": None, "webhook_key": None})


@pytest.fixture
def clocks_agree(admin: Admin) -> Iterator[None]:
    """The sandbox's clock on the tests' clock for one test (others move it ahead, e.g. past a rate-limit
    window): what checks a token's times against its own clock, as OIDC clients do, then agrees with it."""
    offset = admin.post("clock", {"advance_seconds": 0})["offset_seconds"]
    admin.post("clock", {"advance_seconds": -offset})
    yield
    admin.post("clock", {"advance_seconds": offset})


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "deliberately_invalid_requests: only responses are checked against the contract"
    )


@pytest.fixture(autouse=True)
def honours_xeros_contract(request: pytest.FixtureRequest, sandbox: RunningSandbox) -> Iterator[None]:
    """After each test: every Accounting/Identity exchange must satisfy Xero's OpenAPI files."""
    start = len(sandbox.recorder.exchanges)
    yield
    check_requests = request.node.get_closest_marker("deliberately_invalid_requests") is None
    found = [
        problem
        for exchange in sandbox.recorder.exchanges[start:]
        for problem in problems(exchange, check_requests)
    ]
    assert not found, "\n".join(found)


def sdk_token(response: dict) -> dict:
    """What an integration stores: Xero's keys, scope as a list, and expires_at (reference §1.8)."""
    return {
        **response,
        "scope": response["scope"].split(),
        "expires_at": time.time() + response["expires_in"],
    }


@dataclass
class Xero:
    api_client: ApiClient
    accounting: AccountingApi
    identity: IdentityApi
    token_api: TokenApi
    tenant_id: str
    tokens: dict


def xero_client(
    base_url: str,
    token_response: dict,
    tenant_id: str,
    client_id: str = CLIENT_ID,
    client_secret: str = CLIENT_SECRET,
) -> Xero:
    holder = {"token": sdk_token(token_response)}
    configuration = Configuration(oauth2_token=OAuth2Token(client_id=client_id, client_secret=client_secret))
    api_client = ApiClient(
        configuration,
        pool_threads=1,
        oauth2_token_getter=lambda: holder["token"],
        oauth2_token_saver=lambda token: holder.update(token=token),
    )
    # Xero's advice (reference §7.6): no hidden urllib3 retries, so each call is exactly one request.
    api_client.rest_client.pool_manager.connection_pool_kw["retries"] = urllib3.Retry(
        total=0,
        connect=0,
        read=0,
        status=0,
        redirect=0,
        respect_retry_after_header=False,
        raise_on_status=False,
    )
    token_api = TokenApi(api_client, client_id, client_secret)
    token_api.refresh_token_url = f"{base_url}/connect/token"
    token_api.revoke_token_url = f"{base_url}/connect/revocation"
    return Xero(
        api_client,
        AccountingApi(api_client, base_url=f"{base_url}/api.xro/2.0"),
        IdentityApi(api_client, base_url=base_url),
        token_api,
        tenant_id,
        holder,
    )


@pytest.fixture
def tenant_id(admin: Admin) -> str:
    return admin.new_organisation()


@pytest.fixture
def xero(sandbox: RunningSandbox, admin: Admin, tenant_id: str) -> Xero:
    return xero_client(sandbox.base_url, admin.token(tenant_id), tenant_id)

"""The Starlette app and its entry points: `create_app()` for tests, `serve()` for the CLI and Procfile."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from . import accounts, admin, charges, checkout, disputes, events, pages, payment_intents, refunds
from .api import Handler, endpoint, json_response
from .errors import unrecognized_url
from .runtime import Sandbox

log = logging.getLogger(__name__)
TICK_SECONDS = 1.0


def api_routes() -> list[Route]:
    table: list[tuple[str, str, Handler]] = [
        ("GET", "/v1/account", accounts.retrieve_own_account),
        ("POST", "/v1/accounts", accounts.create_account),
        ("GET", "/v1/accounts", accounts.list_accounts),
        ("GET", "/v1/accounts/{id}", accounts.retrieve_account),
        ("POST", "/v1/accounts/{id}", accounts.update_account),
        ("POST", "/v1/account_links", accounts.create_account_link),
        ("POST", "/v1/checkout/sessions", checkout.create),
        ("GET", "/v1/checkout/sessions", checkout.list_all),
        ("GET", "/v1/checkout/sessions/{id}", checkout.retrieve),
        ("POST", "/v1/checkout/sessions/{id}/expire", checkout.expire),
        ("GET", "/v1/checkout/sessions/{id}/line_items", checkout.line_items),
        ("POST", "/v1/payment_intents", payment_intents.create),
        ("GET", "/v1/payment_intents", payment_intents.list_all),
        ("GET", "/v1/payment_intents/{id}", payment_intents.retrieve),
        ("POST", "/v1/payment_intents/{id}", payment_intents.update),
        ("POST", "/v1/payment_intents/{id}/confirm", payment_intents.confirm),
        ("POST", "/v1/payment_intents/{id}/cancel", payment_intents.cancel),
        ("GET", "/v1/charges", charges.list_charges),
        ("GET", "/v1/charges/{id}", charges.retrieve_charge),
        ("GET", "/v1/balance_transactions", charges.list_balance_transactions),
        ("GET", "/v1/balance_transactions/{id}", charges.retrieve_balance_transaction),
        ("POST", "/v1/refunds", refunds.create),
        ("GET", "/v1/refunds", refunds.list_all),
        ("GET", "/v1/refunds/{id}", refunds.retrieve),
        ("GET", "/v1/disputes", disputes.list_all),
        ("GET", "/v1/disputes/{id}", disputes.retrieve),
        ("POST", "/v1/disputes/{id}/close", disputes.close),
        ("GET", "/v1/events", events.list_events),
        ("GET", "/v1/events/{id}", events.retrieve_event),
        ("POST", "/v1/webhook_endpoints", events.create_endpoint),
        ("GET", "/v1/webhook_endpoints", events.list_endpoints),
        ("GET", "/v1/webhook_endpoints/{id}", events.retrieve_endpoint),
        ("POST", "/v1/webhook_endpoints/{id}", events.update_endpoint),
        ("DELETE", "/v1/webhook_endpoints/{id}", events.delete_endpoint),
    ]
    return [Route(path, endpoint(handler), methods=[method]) for method, path, handler in table]


def page_routes() -> list[Route]:
    return [
        Route("/c/pay/{cs_id}", pages.checkout_page, methods=["GET"]),
        Route("/c/pay/{cs_id}", pages.checkout_submit, methods=["POST"]),
        Route("/c/pay/{cs_id}/authenticate", pages.authentication_submit, methods=["POST"]),
        Route("/setup/s/{account}/{token}", pages.onboarding_page, methods=["GET"]),
        Route("/setup/s/{account}/{token}", pages.onboarding_submit, methods=["POST"]),
    ]


async def not_found(request: Request, exc: Exception) -> Response:
    error = unrecognized_url(request.method, request.url.path)
    return json_response(error.body(), error.status)


async def tick(sandbox: Sandbox) -> None:
    """Once a second: expire Checkout Sessions past `expires_at`, and write the state file if it changed."""
    while True:
        await asyncio.sleep(TICK_SECONDS)
        try:
            checkout.expire_due(sandbox)
            sandbox.store.save()
        except OSError:
            log.exception("could not write sandbox state to %s", sandbox.store.state_file)


def create_app(state_file: str | None = None) -> Starlette:
    sandbox = Sandbox.create(state_file)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        ticker = asyncio.get_running_loop().create_task(tick(sandbox))
        try:
            yield
        finally:
            ticker.cancel()
            await sandbox.webhooks.stop()
            sandbox.store.save()

    app = Starlette(
        routes=[*api_routes(), *page_routes(), *admin.routes()],
        lifespan=lifespan,
        exception_handlers={404: not_found, 405: not_found},
    )
    app.state.sandbox = sandbox
    return app


def serve(host: str, port: int, state_file: str | None = None) -> None:
    """Blocking: run the sandbox with one uvicorn worker until interrupted."""
    uvicorn.run(create_app(state_file), host=host, port=port, access_log=False, log_level="info")

"""The Starlette app and its entry points: `create_app()` for tests, `serve()` for the CLI and Procfile."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import html
import logging
import sys
from collections.abc import AsyncIterator

import uvicorn
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from . import (
    accounting,
    admin,
    attachments,
    chart,
    credit_notes,
    history,
    identity,
    items,
    oauth,
    responses,
    serialize,
)
from .arrival import ArrivalClock
from .gateway import SimulatedDrop
from .gateway import accounting as gated
from .runtime import Sandbox

log = logging.getLogger(__name__)
API = "/api.xro/2.0"
SAVE_EVERY_SECONDS = 1.0


class QuietDrops(logging.Filter):
    """Simulated dropped responses are intended; keep them out of uvicorn's error log."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], SimulatedDrop))


def accounting_routes() -> list[Route]:
    table = [
        ("GET", "/Invoices", accounting.get_invoices),
        ("PUT", "/Invoices", accounting.put_invoices),
        ("POST", "/Invoices", accounting.post_invoices),
        ("GET", "/Invoices/{InvoiceID}", accounting.get_invoice),
        ("POST", "/Invoices/{InvoiceID}", accounting.post_invoice),
        ("GET", "/Invoices/{InvoiceID}/OnlineInvoice", accounting.get_online_invoice),
        ("GET", "/Invoices/{InvoiceID}/History", history.get_invoice_history),
        ("PUT", "/Invoices/{InvoiceID}/History", history.put_invoice_history),
        ("POST", "/Invoices/{InvoiceID}/Email", history.email_invoice),
        ("GET", "/Invoices/{InvoiceID}/Attachments", attachments.get_attachments),
        ("GET", "/Invoices/{InvoiceID}/Attachments/{FileName}", attachments.download),
        ("PUT", "/Invoices/{InvoiceID}/Attachments/{FileName}", attachments.upload),
        ("POST", "/Invoices/{InvoiceID}/Attachments/{FileName}", attachments.upload),
        ("GET", "/CreditNotes", credit_notes.get_credit_notes),
        ("PUT", "/CreditNotes", credit_notes.put_credit_notes),
        ("POST", "/CreditNotes", credit_notes.post_credit_notes),
        ("GET", "/CreditNotes/{CreditNoteID}", credit_notes.get_credit_note),
        ("PUT", "/CreditNotes/{CreditNoteID}/Allocations", credit_notes.put_allocations),
        ("GET", "/Items", items.get_items),
        ("PUT", "/Items", items.put_items),
        ("POST", "/Items", items.post_items),
        ("GET", "/Items/{ItemID}", items.get_item),
        ("POST", "/Items/{ItemID}", items.post_item),
        ("PUT", "/Accounts", chart.put_account),
        ("PUT", "/TaxRates", chart.put_tax_rates),
        ("POST", "/TaxRates", chart.post_tax_rates),
        ("GET", "/Contacts", accounting.get_contacts),
        ("PUT", "/Contacts", accounting.put_contacts),
        ("POST", "/Contacts", accounting.post_contacts),
        ("GET", "/Contacts/{ContactID}", accounting.get_contact),
        ("POST", "/Contacts/{ContactID}", accounting.post_contact),
        ("GET", "/Accounts", accounting.get_accounts),
        ("GET", "/Accounts/{AccountID}", accounting.get_account),
        ("GET", "/TaxRates", accounting.get_tax_rates),
        ("GET", "/TaxRates/{TaxType}", accounting.get_tax_rate),
        ("GET", "/Payments", accounting.get_payments),
        ("PUT", "/Payments", accounting.write_payments),
        ("POST", "/Payments", accounting.write_payments),
        ("GET", "/Payments/{PaymentID}", accounting.get_payment),
        ("POST", "/Payments/{PaymentID}", accounting.delete_payment),
        ("GET", "/Organisation", accounting.get_organisation),
        ("GET", "/BankTransactions", accounting.get_bank_transactions),
        ("PUT", "/BankTransactions", accounting.put_bank_transactions),
    ]
    return [
        Route(API + path, gated(f"{method} {path}", handler), methods=[method])
        for method, path, handler in table
    ]


def identity_routes() -> list[Route]:
    routes = []
    for prefix in ("/connections", "/Connections"):
        routes.append(Route(prefix, identity.list_connections, methods=["GET"]))
        routes.append(Route(prefix + "/{id}", identity.delete_connection, methods=["DELETE"]))
    return routes


def oauth_routes() -> list[Route]:
    return [
        Route("/identity/connect/authorize", oauth.authorize_page, methods=["GET"]),
        Route("/identity/connect/authorize", oauth.authorize_submit, methods=["POST"]),
        Route("/connect/token", oauth.token, methods=["POST"]),
        Route("/connect/revocation", oauth.revocation, methods=["POST"]),
        Route("/.well-known/openid-configuration", oauth.openid_configuration, methods=["GET"]),
        Route("/.well-known/openid-configuration/jwks", oauth.jwks, methods=["GET"]),
    ]


async def online_invoice_page(request: Request) -> Response:
    sandbox: Sandbox = request.app.state.sandbox
    org = sandbox.store.orgs.get(request.path_params["tenant_id"])
    record = org["invoices"].get(request.path_params["invoice_id"]) if org else None
    if org is None or record is None:
        return responses.not_found()
    body = serialize.invoice(org, record)
    rows = "".join(
        f"<tr><td>{html.escape(line['Description'])}</td><td>{line['LineAmount']:.2f}</td></tr>"
        for line in body["LineItems"]
    )
    return HTMLResponse(
        f"<!doctype html><title>{html.escape(body['InvoiceNumber'])}</title>"
        f"<h1>{html.escape(org['Name'])}</h1>"
        f"<h2>Invoice {html.escape(body['InvoiceNumber'])} · {body['Status']}</h2><table>{rows}</table>"
        f"<p>Total {body['Total']:.2f} {body['CurrencyCode']} · Amount due {body['AmountDue']:.2f}</p>"
    )


async def not_found(request: Request, exc: Exception) -> Response:
    if isinstance(exc, HTTPException) and exc.status_code not in (404, 405):
        return responses.json_response({"error": exc.detail}, status=exc.status_code)
    return responses.not_found()


async def persist_periodically(sandbox: Sandbox) -> None:
    while True:
        await asyncio.sleep(SAVE_EVERY_SECONDS)
        if sandbox.store.dirty:
            try:
                sandbox.store.save()
            except OSError:
                log.exception("could not write sandbox state to %s", sandbox.store.state_file)


def create_app(
    state_file: str | None = None,
    webhook_url: str | None = None,
    webhook_key: str | None = None,
    rate_limits: str = "off",
) -> Starlette:
    sandbox = Sandbox.create(state_file, webhook_url, webhook_key, rate_limits)
    logging.getLogger("uvicorn.error").addFilter(QuietDrops())

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        saver = asyncio.get_running_loop().create_task(persist_periodically(sandbox))
        try:
            yield
        finally:
            saver.cancel()
            await sandbox.webhooks.stop()
            sandbox.store.save()

    routes = [
        *oauth_routes(),
        *identity_routes(),
        *accounting_routes(),
        *admin.routes(),
        Route("/sandbox-online-invoice/{tenant_id}/{invoice_id}", online_invoice_page, methods=["GET"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={404: not_found, 405: not_found, HTTPException: not_found},
    )
    app.state.sandbox = sandbox
    return app


def serve(host: str, port: int, state_file: str | None = None, rate_limits: str = "off") -> None:
    """Blocking: run the sandbox with one uvicorn worker until interrupted."""
    app = create_app(state_file, rate_limits=rate_limits)
    gc.freeze()  # the app lives until exit: the collector's full passes needn't pause requests to scan it
    # The server's loop notes arrivals while the app's thread works: it should get the GIL within 1 ms.
    sys.setswitchinterval(0.001)
    uvicorn.run(ArrivalClock(app), host=host, port=port, access_log=False, log_level="info")

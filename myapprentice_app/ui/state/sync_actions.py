"""Push to Xero, Send all, Sync All and Retry failed.

Handlers only authorise and call the service that records the request (Pending + a SyncRun) and queues it, off
the event loop (a Send all of thousands of invoices writes one row each);
the worker does the Xero work, and the business's shared sync board (ui/state/board.py) shows it live."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission
from myapprentice_app.services import sync_retry, xero_sync
from myapprentice_app.services.errors import ActionRefused, NotFound
from myapprentice_app.ui.state.board import follow
from myapprentice_app.ui.state.invoice_actions import reload_invoice_views
from myapprentice_app.ui.state.outcomes import parse_id
from myapprentice_app.ui.state.session import SessionState, authorise


class SyncActionsState(SessionState):
    @rx.event
    async def push_invoice(self, invoice_id: int):
        principal, refusal = await authorise(self, Permission.PUSH_TO_XERO)
        if principal is None:
            return refusal
        try:
            await in_session_thread(xero_sync.push_invoice, principal, parse_id(invoice_id) or 0)
        except (ActionRefused, NotFound) as refused:
            return rx.toast.error(str(refused))
        follow(principal.business_id)
        return [rx.toast.info("Sending to Xero…"), *reload_invoice_views()]

    @rx.event
    async def send_all(self):
        principal, refusal = await authorise(self, Permission.PUSH_TO_XERO)
        if principal is None:
            return refusal
        try:
            _, started = await in_session_thread(xero_sync.send_all, principal)
        except ActionRefused as refused:
            return rx.toast.error(str(refused))
        follow(principal.business_id)
        message = "Sending all invoices to Xero…" if started else "Send all is already running."
        return [rx.toast.info(message), *reload_invoice_views()]

    @rx.event
    async def sync_all(self):
        principal, refusal = await authorise(self, Permission.PUSH_TO_XERO)
        if principal is None:
            return refusal
        try:
            await in_session_thread(xero_sync.sync_all, principal)
        except ActionRefused as refused:
            return rx.toast.error(str(refused))
        follow(principal.business_id)
        return [rx.toast.info("Checking Xero for payments and changes…"), *reload_invoice_views()]

    @rx.event
    async def retry_failed(self, run_id: int):
        principal, refusal = await authorise(self, Permission.RETRY_SYNC)
        if principal is None:
            return refusal
        try:
            _, count = await in_session_thread(sync_retry.retry_failed, principal, parse_id(run_id) or 0)
        except (ActionRefused, NotFound) as refused:
            return rx.toast.error(str(refused))
        follow(principal.business_id)
        return [rx.toast.info(f"Sending {count} invoice{'' if count == 1 else 's'} to Xero again…"),
                *reload_invoice_views()]

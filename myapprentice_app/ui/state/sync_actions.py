"""Push to Xero, Send all, Sync All and the live sync board.

Handlers only authorise and call the service that records the request (Pending + a SyncRun) and queues it;
the worker does the Xero work. The board is read from the database by a background event that polls only
while a run is active."""

from __future__ import annotations

import asyncio

import reflex as rx

from myapprentice_app.db import session_scope
from myapprentice_app.domain.roles import Permission
from myapprentice_app.selectors.sync import SyncBoard, connection_health, sync_board
from myapprentice_app.services import xero_sync
from myapprentice_app.services.errors import ActionRefused, NotFound
from myapprentice_app.ui.state.error_causes import ErrorCausesState
from myapprentice_app.ui.state.invoice_actions import reload_invoice_views
from myapprentice_app.ui.state.session import authorise

POLL_SECONDS = 0.5


class SyncActionsState(rx.State):
    board: SyncBoard = SyncBoard()
    connection: str = ""
    _watching: bool = False
    _business_id: int = 0

    @rx.event
    async def load_board(self):
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES, page=True)  # the page says no
        if principal is None:
            return refusal
        self._business_id = principal.business_id
        with session_scope() as session:
            self.board = sync_board(session, principal)
            self.connection = connection_health(session, principal)
        if self.board.active:
            return SyncActionsState.watch

    @rx.event
    async def push_invoice(self, invoice_id: int):
        principal, refusal = await authorise(self, Permission.PUSH_TO_XERO)
        if principal is None:
            return refusal
        try:
            with session_scope() as session:
                xero_sync.push_invoice(session, principal, int(invoice_id))
        except (ActionRefused, NotFound) as refused:
            return rx.toast.error(str(refused))
        return [rx.toast.info("Sending to Xero…"), SyncActionsState.load_board, *reload_invoice_views()]

    @rx.event
    async def send_all(self):
        principal, refusal = await authorise(self, Permission.PUSH_TO_XERO)
        if principal is None:
            return refusal
        try:
            with session_scope() as session:
                _, started = xero_sync.send_all(session, principal)
        except ActionRefused as refused:
            return rx.toast.error(str(refused))
        message = "Sending all invoices to Xero…" if started else "Send all is already running."
        return [rx.toast.info(message), SyncActionsState.load_board, *reload_invoice_views()]

    @rx.event
    async def sync_all(self):
        principal, refusal = await authorise(self, Permission.PUSH_TO_XERO)
        if principal is None:
            return refusal
        try:
            with session_scope() as session:
                xero_sync.sync_all(session, principal)
        except ActionRefused as refused:
            return rx.toast.error(str(refused))
        return [rx.toast.info("Checking Xero for payments and changes…"), SyncActionsState.load_board,
                *reload_invoice_views()]

    @rx.event(background=True)
    async def watch(self):
        async with self:
            if self._watching:
                return
            self._watching = True
        try:
            while True:
                async with self:
                    principal, _ = await authorise(self, Permission.VIEW_INVOICES)
                if principal is None:
                    return
                with session_scope() as session:
                    board = sync_board(session, principal)
                    health = connection_health(session, principal)  # a run may find the connection revoked
                async with self:
                    self.board, self.connection = board, health
                if not board.active:  # the rows' sync badges and the errors by cause, now the run is over
                    return [*reload_invoice_views(), ErrorCausesState.refresh]
                await asyncio.sleep(POLL_SECONDS)
        finally:
            async with self:
                self._watching = False

"""Push to Xero, Send all, Sync All, the connection banner and the live sync board.

Handlers only authorise, record the request (Pending + a SyncRun) and enqueue; the worker does the Xero work.
The board is read from the database by a background event that polls only while a run is active.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from myapprentice_app.db import session_scope
from myapprentice_app.domain.roles import Permission
from myapprentice_app.jobs import tasks
from myapprentice_app.selectors.sync import SyncBoard, connection_health, sync_board
from myapprentice_app.services import xero_sync
from myapprentice_app.services.errors import ActionRefused, NotFound
from myapprentice_app.ui.components.invoice_actions import reload_invoice_views
from myapprentice_app.ui.state.session import authorise

POLL_SECONDS = 0.5


class SyncActionsState(rx.State):
    board: SyncBoard = SyncBoard()
    connection: str = ""
    _watching: bool = False
    _business_id: int = 0

    @rx.event
    async def load_board(self):
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES)
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
                run_id = xero_sync.push_invoice(session, principal, int(invoice_id))
        except (ActionRefused, NotFound) as refused:
            return rx.toast.error(str(refused))
        tasks.enqueue(run_id)
        return [rx.toast.info("Sending to Xero…"), SyncActionsState.load_board, *reload_invoice_views()]

    @rx.event
    async def send_all(self):
        principal, refusal = await authorise(self, Permission.PUSH_TO_XERO)
        if principal is None:
            return refusal
        try:
            with session_scope() as session:
                run_id, started = xero_sync.send_all(session, principal)
        except ActionRefused as refused:
            return rx.toast.error(str(refused))
        if started:
            tasks.enqueue(run_id)
        message = "Sending all invoices to Xero…" if started else "Send all is already running."
        return [rx.toast.info(message), SyncActionsState.load_board, *reload_invoice_views()]

    @rx.event
    async def sync_all(self):
        principal, refusal = await authorise(self, Permission.PUSH_TO_XERO)
        if principal is None:
            return refusal
        try:
            with session_scope() as session:
                run_id = xero_sync.sync_all(session, principal)
        except ActionRefused as refused:
            return rx.toast.error(str(refused))
        tasks.enqueue(run_id)
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
                if not board.active:
                    return reload_invoice_views()  # the rows' sync badges, now the run is over
                await asyncio.sleep(POLL_SECONDS)
        finally:
            async with self:
                self._watching = False


def send_all_button() -> rx.Component:
    return rx.button(rx.icon("upload"), "Send all to Xero", on_click=SyncActionsState.send_all,
                     data_testid="send-all-to-xero")


def sync_all_button() -> rx.Component:
    return rx.button(rx.icon("refresh-cw"), "Sync All", variant="soft", on_click=SyncActionsState.sync_all,
                     data_testid="sync-all")


def connection_banner() -> rx.Component:
    return rx.fragment(
        rx.cond(
            SyncActionsState.connection == "needs_reconnect",
            rx.callout("Xero needs reconnecting: pushes are paused. A Business Owner or Admin can reconnect in "
                       "Business Settings → Integrations.", icon="triangle-alert", color_scheme="red",
                       data_testid="xero-needs-reconnecting"),
            rx.fragment(),
        ),
        on_mount=SyncActionsState.load_board,
    )


def sync_board_panel() -> rx.Component:
    board = SyncActionsState.board
    return rx.cond(
        board.run_id > 0,
        rx.card(
            rx.vstack(
                rx.hstack(
                    rx.text("Xero sync", weight="bold"),
                    rx.text(rx.match(board.kind, ("send_all", "Send all"), ("sync_all", "Sync All"),
                                     ("push", "Push to Xero"), board.kind), size="2", data_testid="sync-board-kind"),
                    rx.badge(board.state, data_testid="sync-board-state"),
                    rx.spacer(),
                    rx.text(f"{board.synced} synced · {board.failed} errors · {board.pending} pending",
                            size="2", data_testid="sync-board-counts"),
                    width="100%",
                ),
                rx.progress(value=board.percent, width="100%"),
                rx.text(f"Xero quota left today: {board.day_remaining} · this minute: {board.minute_remaining}",
                        size="1", color_scheme="gray"),
                rx.cond(board.eta != "", rx.text("Time left: ", board.eta, size="1"), rx.fragment()),
                rx.cond(board.next_try != "", rx.text("Waiting for Xero: next try at ", board.next_try, size="1"),
                        rx.fragment()),
                rx.flex(rx.foreach(board.rows, lambda row: rx.badge(
                    row.number, color_scheme=rx.match(row.outcome, ("synced", "green"), ("error", "red"), "amber"),
                    variant="soft")), wrap="wrap", spacing="1"),
                width="100%",
            ),
            width="100%",
            data_testid="sync-board",
        ),
        rx.fragment(),
    )

"""Push to Xero, Send all, Sync All, the connection banner and the live sync board.

Handlers only authorise and call the service that records the request (Pending + a SyncRun) and queues it;
the worker does the Xero work.
The board is read from the database by a background event that polls only while a run is active.
"""

from __future__ import annotations

import reflex as rx

from myapprentice_app.domain.sync_states import ConnectionStatus, ItemOutcome
from myapprentice_app.ui.state.sync_actions import SyncActionsState


def send_all_button() -> rx.Component:
    return rx.button(rx.icon("upload"), "Send all to Xero", on_click=SyncActionsState.send_all,
                     data_testid="send-all-to-xero")


def sync_all_button() -> rx.Component:
    return rx.button(rx.icon("refresh-cw"), "Sync All", variant="soft", on_click=SyncActionsState.sync_all,
                     data_testid="sync-all")


def connection_banner() -> rx.Component:
    return rx.fragment(
        rx.cond(
            SyncActionsState.connection == ConnectionStatus.NEEDS_RECONNECT.value,
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
                    row.number, color_scheme=rx.match(row.outcome, (ItemOutcome.SYNCED.value, "green"),
                                                      (ItemOutcome.ERROR.value, "red"), "amber"),
                    variant="soft")), wrap="wrap", spacing="1"),
                width="100%",
            ),
            width="100%",
            data_testid="sync-board",
        ),
        rx.fragment(),
    )

"""Push to Xero, Send all, Sync All and the connection banner (the board is in sync_board.py)."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.domain.sync_states import ConnectionStatus
from myapprentice_app.ui.state.board import BoardState
from myapprentice_app.ui.state.sync_actions import SyncActionsState


def send_all_button() -> rx.Component:
    return rx.button(rx.icon("upload"), "Send all to Xero", on_click=SyncActionsState.send_all,
                     data_testid="send-all-to-xero")


def sync_all_button() -> rx.Component:
    return rx.button(rx.icon("refresh-cw"), "Sync All", variant="soft", on_click=SyncActionsState.sync_all,
                     data_testid="sync-all")


def connection_banner() -> rx.Component:
    """Beside the sync board, whose shared state carries the connection's status."""
    return rx.fragment(
        rx.cond(
            BoardState.board.connection == ConnectionStatus.NEEDS_RECONNECT.value,
            rx.callout("Xero needs reconnecting: pushes are paused. A Business Owner or Admin can reconnect in "
                       "Business Settings → Integrations.", icon="triangle-alert", color_scheme="red",
                       data_testid="xero-needs-reconnecting"),
            rx.fragment(),
        ),
    )

"""The sync board: the business's current run live (progress, counts, time, Xero's quota, one chip per invoice
linking to its fix, Retry failed), a finished run as one line, and the run history.

`errors_panel` is the slot for a panel about the run's errors (e.g. errors grouped by cause); it sits under
the live board and under the finished run's line.
"""

from __future__ import annotations

import reflex as rx

from myapprentice_app.domain.sync_states import ItemOutcome
from myapprentice_app.selectors.board import Chip, RunRow
from myapprentice_app.ui.state.board import BoardState
from myapprentice_app.ui.state.error_causes import ErrorCausesState
from myapprentice_app.ui.state.invoices import InvoicesState
from myapprentice_app.ui.state.run_history import RunHistoryState
from myapprentice_app.ui.state.sync_actions import SyncActionsState

REFRESH = [InvoicesState.refresh, ErrorCausesState.refresh]
OUTCOME_COLOURS = ((ItemOutcome.SYNCED.value, "green"), (ItemOutcome.ERROR.value, "red"), "amber")


def chip(item: Chip, testid: str = "board-chip") -> rx.Component:
    return rx.link(
        rx.badge(item.number, color_scheme=rx.match(item.outcome, *OUTCOME_COLOURS), variant="soft"),
        href=f"/invoices/{item.invoice_id}#xero-panel",
        title=item.outcome,
        custom_attrs={"data-outcome": item.outcome},
        data_testid=testid,
    )


def _retry_button() -> rx.Component:
    board = BoardState.board
    return rx.cond(board.failed > 0,
                   rx.button(rx.icon("rotate-ccw", size=14), "Retry failed", size="1", variant="soft",
                             color_scheme="red", on_click=SyncActionsState.retry_failed(board.run_id),
                             data_testid="retry-failed"),
                   rx.fragment())


def _live() -> rx.Component:
    board = BoardState.board
    return rx.card(
        rx.vstack(
            rx.hstack(
                rx.text("Xero sync", weight="bold"),
                rx.text(board.kind, size="2", data_testid="sync-board-kind"),
                rx.badge(board.state, data_testid="sync-board-state"),
                rx.cond(board.started_by != "", rx.text("by ", board.started_by, size="1", color_scheme="gray"),
                        rx.fragment()),
                rx.spacer(),
                rx.text(f"{board.done} / {board.total}", weight="medium", data_testid="sync-board-progress"),
                width="100%", align="center", wrap="wrap",
            ),
            rx.progress(value=board.percent, width="100%", data_testid="sync-board-bar",
                        custom_attrs={"aria-valuenow": board.percent}),
            rx.hstack(
                rx.text(f"{board.synced} synced · {board.failed} errors · {board.pending} pending",
                        size="2", data_testid="sync-board-counts"),
                rx.spacer(),
                rx.text("Elapsed ", board.elapsed, size="1", data_testid="sync-board-elapsed"),
                rx.cond(board.eta != "", rx.text("· about ", board.eta, " left", size="1",
                                                 data_testid="sync-board-eta"), rx.fragment()),
                width="100%", wrap="wrap",
            ),
            rx.cond((board.quota_minute != "") | (board.quota_day != ""), rx.text(
                "Xero calls left",
                rx.cond(board.quota_minute != "", rx.text.span(" this minute: ", board.quota_minute), rx.fragment()),
                rx.cond(board.quota_day != "", rx.text.span(" · today: ", board.quota_day), rx.fragment()),
                size="1", color_scheme="gray", data_testid="sync-board-quota"), rx.fragment()),
            rx.cond(board.next_try != "", rx.text("Waiting for Xero: next try at ", board.next_try, size="1"),
                    rx.fragment()),
            rx.cond(board.quota_note != "", rx.text(board.quota_note, size="1", data_testid="sync-board-quota-note"),
                    rx.fragment()),
            rx.flex(rx.foreach(board.chips, lambda item: chip(item)), wrap="wrap", spacing="1"),
            rx.cond(board.more > 0, rx.text(f"and {board.more} more", size="1", color_scheme="gray"),
                    rx.fragment()),
            _retry_button(),
            width="100%",
        ),
        width="100%",
        data_testid="sync-board",
    )


def _finished() -> rx.Component:
    return rx.hstack(
        rx.icon("history", size=16),
        rx.text(BoardState.board.summary, size="2", data_testid="sync-board-summary"),
        _retry_button(),
        align="center", wrap="wrap", width="100%",
    )


def _history_row(row: RunRow) -> rx.Component:
    return rx.table.row(
        rx.table.cell(row.when), rx.table.cell(row.kind), rx.table.cell(row.who), rx.table.cell(row.took),
        rx.table.cell(row.totals),
        rx.table.cell(rx.button("Outcome", size="1", variant="ghost", on_click=RunHistoryState.open_run(row.run_id))),
        data_testid="run-history-row",
    )


def _history() -> rx.Component:
    return rx.cond(
        BoardState.history.length() > 0,
        rx.el.details(
            rx.el.summary("Run history", data_testid="run-history-toggle"),
            rx.table.root(
                rx.table.header(rx.table.row(*(rx.table.column_header_cell(name) for name in
                                               ("When", "What", "Who", "Took", "Totals", "")))),
                rx.table.body(rx.foreach(BoardState.history, _history_row)),
                size="1", width="100%",
            ),
            data_testid="run-history", style={"width": "100%"},
        ),
        rx.fragment(),
    )


def _outcome_dialog() -> rx.Component:
    outcome = RunHistoryState.outcome
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(outcome.title),
            rx.flex(rx.foreach(outcome.chips, lambda item: rx.dialog.close(chip(item, "run-outcome-chip"))),
                    wrap="wrap", spacing="1"),
            rx.dialog.close(rx.button("Close", variant="soft", margin_top="1em")),
            data_testid="run-outcome",
        ),
        open=RunHistoryState.showing,
        on_open_change=RunHistoryState.set_showing,
    )


def sync_board_panel(errors_panel: rx.Component | None = None) -> rx.Component:
    board = BoardState.board
    return rx.vstack(
        rx.cond(board.active, _live(), rx.cond(board.run_id > 0, _finished(), rx.fragment())),
        errors_panel if errors_panel is not None else rx.fragment(),
        _history(),
        _outcome_dialog(),
        # When a run starts or ends one of these replaces the other, and its mounting refreshes the invoice
        # list (when it is the page open) and the errors by cause, so they show the run's outcome.
        rx.cond(board.active, rx.box(on_mount=REFRESH, display="none", data_testid="run-started"),
                rx.box(on_mount=REFRESH, display="none", data_testid="run-ended")),
        on_mount=BoardState.join,
        width="100%",
        spacing="2",
        data_testid="sync-board-panel",
    )

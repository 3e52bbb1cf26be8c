"""The sync board: one shared state per business, which every tab of that business links to.

A tab joins it when the board is shown (any role that may view invoices). While a run of the business is
active, one feed per web process reads the run from the database and writes what changed into the shared
state, and Reflex sends the change to every linked tab (through Redis when the tabs sit on other web
processes). With no run active nothing reads anything: the feed stops when the run is done, and starts again
when a run is asked for in this process, or when a tab joins and finds one active (a run started elsewhere,
or a feed lost with a restart).
"""

from __future__ import annotations

import asyncio
import logging

import reflex as rx
from reflex_base.registry import RegistrationContext
from sqlmodel import Session

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission
from myapprentice_app.selectors.board import (
    BoardView,
    RunRow,
    board_for_business,
    history_for_business,
    live_board,
    run_history,
)
from myapprentice_app.services.principal import Principal
from myapprentice_app.ui.state.session import authorise

POLL_SECONDS = 0.25
logger = logging.getLogger(__name__)
_feeds: dict[int, asyncio.Task] = {}  # business id -> this process's feed


def board_token(business_id: int) -> str:
    return f"board-{business_id}"  # Reflex's link tokens may not contain underscores


class BoardState(rx.SharedState):
    board: BoardView = BoardView()
    history: list[RunRow] = []

    @rx.event
    async def join(self):
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES, page=True)  # the page says no
        if principal is None:
            return refusal
        shared = await self._link_to(board_token(principal.business_id))
        board, history = await in_session_thread(_board_and_history, principal)
        if shared.board != board:
            shared.board = board
        if shared.history != history:
            shared.history = history
        if board.active:
            follow(principal.business_id)


def _board_and_history(session: Session, principal: Principal) -> tuple[BoardView, list[RunRow]]:
    return live_board(session, principal), run_history(session, principal)


def _business_board(session: Session, business_id: int) -> tuple[BoardView, list[RunRow] | None]:
    board = board_for_business(session, business_id)
    return board, None if board.active else history_for_business(session, business_id)


def follow(business_id: int) -> None:
    """Feed the business's board from this process until its runs are done (unless a feed runs already).

    Called from event handlers, on the web process's event loop.
    """
    feed = _feeds.get(business_id)
    if feed is None or feed.done():
        app = RegistrationContext.get().app
        _feeds[business_id] = asyncio.get_running_loop().create_task(_feed(app, business_id))


async def _feed(app: rx.App, business_id: int) -> None:
    shown: BoardView | None = None
    try:
        while True:
            board, history = await in_session_thread(_business_board, business_id)
            if board != shown:
                async with app.modify_state(rx.BaseStateToken(ident=board_token(business_id),
                                                              cls=BoardState)) as root:
                    shared = await root.get_state(BoardState)
                    shared.board = board
                    if history is not None:
                        shared.history = history
                shown = board
            if not board.active:
                return
            await asyncio.sleep(POLL_SECONDS)
    except Exception:
        logger.exception("The sync board's feed for business %s stopped; the next tab to open it restarts it",
                         business_id)
    finally:
        if _feeds.get(business_id) is asyncio.current_task():
            del _feeds[business_id]


class _NoDeltaToBoardToken(logging.Filter):
    """Reflex also sends each shared change to the board's own token, which no socket has: not a problem."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "disconnected client 'board-" not in record.getMessage()


logging.getLogger("reflex.app").addFilter(_NoDeltaToBoardToken())

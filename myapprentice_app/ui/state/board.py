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
import time

import reflex as rx
from reflex_base.registry import RegistrationContext
from sqlmodel import Session

from myapprentice_app.config import get_settings
from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission
from myapprentice_app.security import token_digest
from myapprentice_app.selectors.board import (
    BoardView,
    RunRow,
    board_for_business,
    history_for_business,
    live_board,
    run_history,
)
from myapprentice_app.services import auth
from myapprentice_app.services.principal import Principal
from myapprentice_app.ui import principal_changes
from myapprentice_app.ui.state.board_links import board_allowed, board_token
from myapprentice_app.ui.state.session import authorise, session_token_of

POLL_SECONDS = 0.25
logger = logging.getLogger(__name__)
_feeds: dict[int, asyncio.Task] = {}  # business id -> this process's feed
_asked: dict[int, int] = {}  # business id -> follow() calls, so a feed about to stop sees a run started meanwhile


class BoardState(rx.SharedState):
    board: BoardView = BoardView()
    history: list[RunRow] = []
    _joined: dict[str, str] = {}  # client token of each linked tab -> the digest of the session it joined with

    @rx.event
    async def join(self):
        # authorise also breaks this tab's link to a board its session no longer allows
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES, page=True)  # the page says no
        if principal is None:
            return refusal
        shared = await self._link_to(board_token(principal.business_id))
        tab = self.router.session.client_token
        shared._joined = {**shared._joined, tab: token_digest(session_token_of(self))}
        await drop_tabs_not_allowed(shared, board_token(principal.business_id))
        board, history = await in_session_thread(_board_and_history, principal)
        if shared.board != board:
            shared.board = board
        if shared.history != history:
            shared.history = history
        if board.active:
            follow(principal.business_id)


async def drop_tabs_not_allowed(shared: BoardState, board: str) -> None:
    """Unlink every tab whose session no longer allows this board (signed out, removed, demoted, another
    business picked). Called before each change is written: a tab that sends no events of its own (left open
    after its member was removed) never runs authorise, and Reflex would push it every change."""
    joined = {tab: shared._joined.get(tab, "") for tab in shared._linked_from}
    boards = await _boards_of({digest for digest in joined.values() if digest})
    kept = {tab for tab, digest in joined.items() if digest and boards[digest] == board}
    if kept != shared._linked_from:
        shared._linked_from = kept
    if kept != set(shared._joined):
        shared._joined = {tab: digest for tab, digest in shared._joined.items() if tab in kept}


_verdicts: dict[str, str] = {}  # session digest -> the board it allows, as of _verdicts_of
_verdicts_of = {"changes": -1, "at": 0.0}  # principal_changes.current() and time.time() when last emptied


async def _boards_of(digests: set[str]) -> dict[str, str]:
    """The board each session allows, asked of the database again after any change to who is signed in as what
    (as session.py does for a tab's own events)."""
    changes = await principal_changes.current()
    stale = time.time() - _verdicts_of["at"] > get_settings().session_recheck_seconds
    if changes != _verdicts_of["changes"] or stale:
        _verdicts.clear()
        _verdicts_of.update(changes=changes, at=time.time())
    if unknown := digests - _verdicts.keys():
        _verdicts.update(await in_session_thread(_boards_allowed, unknown))
    return {digest: _verdicts[digest] for digest in digests}


def _boards_allowed(session: Session, digests: set[str]) -> dict[str, str]:
    return {digest: board_allowed(auth.resolve_digest(session, digest)) for digest in digests}


def _board_and_history(session: Session, principal: Principal) -> tuple[BoardView, list[RunRow]]:
    return live_board(session, principal), run_history(session, principal)


def _business_board(session: Session, business_id: int) -> tuple[BoardView, list[RunRow] | None]:
    board = board_for_business(session, business_id)
    return board, None if board.active else history_for_business(session, business_id)


def follow(business_id: int) -> None:
    """Feed the business's board from this process until its runs are done (unless a feed runs already).

    Called from event handlers, on the web process's event loop.
    """
    _asked[business_id] = _asked.get(business_id, 0) + 1
    feed = _feeds.get(business_id)
    if feed is None or feed.done():
        app = RegistrationContext.get().app
        _feeds[business_id] = asyncio.get_running_loop().create_task(_feed(app, business_id))


async def _feed(app: rx.App, business_id: int) -> None:
    shown: BoardView | None = None
    try:
        while True:
            asked = _asked.get(business_id, 0)
            board, history = await in_session_thread(_business_board, business_id)
            if board != shown:
                async with app.modify_state(rx.BaseStateToken(ident=board_token(business_id),
                                                              cls=BoardState)) as root:
                    shared = await root.get_state(BoardState)
                    await drop_tabs_not_allowed(shared, board_token(business_id))
                    shared.board = board
                    if history is not None:
                        shared.history = history
                shown = board
            if not board.active and _asked.get(business_id, 0) == asked:  # else a run began after that read
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

"""The sync board's feed: a run started at any moment reaches the board, even while the feed for the previous run
is on its way out (it had read no run, and was about to stop, when the new run was asked for)."""

from __future__ import annotations

import asyncio
import contextlib
import time

from reflex.istate.manager.token import BaseStateToken
from sqlmodel import Session

from myapprentice_app.db import get_engine
from myapprentice_app.domain.roles import Role
from myapprentice_app.domain.sync_states import RunKind, RunState
from myapprentice_app.models import SyncRun
from myapprentice_app.ui.state import board as board_module
from myapprentice_app.ui.state.board import BoardState
from myapprentice_app.ui.state.board_links import board_token
from tests.support.board_tabs import App, with_app
from tests.support.reflex_states import run


class FeedHeldAtItsFirstWrite(App):
    """The feed's first write of the board waits, once written, until `go` is set: the moment a feed that read no
    active run is about to stop."""

    def __init__(self) -> None:
        super().__init__()
        self.wrote, self.go = asyncio.Event(), asyncio.Event()

    @contextlib.asynccontextmanager
    async def modify_state(self, token: BaseStateToken, previous_dirty_vars=None):  # type: ignore[no-untyped-def]
        async with super().modify_state(token, previous_dirty_vars) as root:
            yield root
        if token.ident.startswith("board-") and not self.go.is_set():
            self.wrote.set()
            await self.go.wait()


def test_a_run_asked_for_while_the_last_feed_is_stopping_still_reaches_the_board(session: Session, make_actor) -> None:
    business_id = make_actor(Role.OWNER).business_id

    def start_run(state: RunState) -> int:
        with Session(get_engine()) as own:
            queued = SyncRun(business_id=business_id, kind=RunKind.SEND_ALL, state=state)
            own.add(queued)
            own.commit()
            return queued.id or 0

    async def board_shows_an_active_run(app: App) -> bool:
        root = await app.state_manager.get_state(BaseStateToken(ident=board_token(business_id), cls=BoardState))
        return (await root.get_state(BoardState)).board.active

    async def scenario(app: FeedHeldAtItsFirstWrite) -> tuple[bool, bool]:
        start_run(RunState.DONE)
        board_module.follow(business_id)  # e.g. a tab opened the board: the feed reads the finished run
        await asyncio.wait_for(app.wrote.wait(), 10)
        run_id = start_run(RunState.QUEUED)
        board_module.follow(business_id)  # Send all pressed meanwhile
        feed = board_module._feeds[business_id]
        app.go.set()
        deadline = time.monotonic() + 5
        while not (shown := await board_shows_an_active_run(app)) and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        with Session(get_engine()) as own:
            finished = own.get(SyncRun, run_id)
            assert finished is not None
            finished.state = RunState.DONE
            own.commit()
        await asyncio.wait_for(feed, 10)  # the run is done: the feed stops
        return shown, await board_shows_an_active_run(app)

    shown_while_queued, shown_after = run(with_app(scenario, FeedHeldAtItsFirstWrite()))

    assert shown_while_queued and not shown_after

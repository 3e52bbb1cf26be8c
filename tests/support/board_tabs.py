"""Tabs of the sync board without a browser: Reflex state trees driven as its event processor drives them, with one
state manager between them; what the "sockets" receive is every delta Reflex emits for a tab's token (the app's
own fan-out of a shared state's changes, reflex/istate/shared.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from typing import Any

from reflex.istate.data import RouterData
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex.istate.shared import UPDATE_OTHER_CLIENT_TASKS
from reflex.state import StateUpdate
from reflex_base.event.context import EventContext
from reflex_base.registry import RegistrationContext

from myapprentice_app.services.auth import SESSION_COOKIE
from myapprentice_app.ui.state import board as board_module
from myapprentice_app.ui.state.board import BoardState


class App:
    """The parts of rx.App that process a tab's event and fan a shared state's changes out; what would go down
    each tab's socket is kept in `frames`."""

    def __init__(self) -> None:
        self.state_manager = StateManagerMemory()
        self.event_namespace = self._token_manager = self
        self.frames: dict[str, list[dict[str, Any]]] = defaultdict(list)

    async def is_token_connected(self, token: str) -> bool:
        return True  # every tab stays open

    async def emit_update(self, update: StateUpdate, token: str) -> None:
        self.frames[token].append(update.delta)

    @contextlib.asynccontextmanager
    async def modify_state(self, token: BaseStateToken, previous_dirty_vars=None):  # type: ignore[no-untyped-def]
        async with self.state_manager.modify_state_with_links(token, previous_dirty_vars=previous_dirty_vars) as root:
            yield root
            delta = await root._get_resolved_delta()
            root._clean()
            if delta:
                await self.emit_update(StateUpdate(delta=delta), token.ident)

    async def join_board(self, tab: str, session_token: str) -> None:
        async with self.modify_state(BaseStateToken(ident=tab, cls=BoardState)) as root:
            root.router = RouterData.from_router_data({"token": tab, "asPath": "/invoices", "pathname": "/invoices",
                                                       "headers": {"cookie": f"{SESSION_COOKIE}={session_token}"}})
            await BoardState.event_handlers["join"].fn(await root.get_state(BoardState))
        await _fanned_out()

    def boards_received(self, tab: str) -> int:
        return sum(1 for delta in self.frames[tab] for values in delta.values() if any(
            name.startswith("board") for name in values))


async def _fanned_out() -> None:
    while UPDATE_OTHER_CLIENT_TASKS:
        await asyncio.gather(*list(UPDATE_OTHER_CLIENT_TASKS))


async def with_app(scenario, app: App | None = None):  # type: ignore[no-untyped-def]
    app = app or App()
    registration = RegistrationContext.get().fork()
    object.__setattr__(registration, "_app", app)
    RegistrationContext.set(registration)
    EventContext.set(EventContext(token="", state_manager=app.state_manager, enqueue_impl=_nowhere))
    return await scenario(app)


async def _nowhere(*_: Any) -> None:
    pass


def feed_once(app: App, business_id: int):  # type: ignore[no-untyped-def]
    async def feeding():
        await board_module._feed(app, business_id)  # type: ignore[arg-type]  # the run is done: one round
        await _fanned_out()
    return feeding()

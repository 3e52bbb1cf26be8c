"""The sync board is pushed only to tabs whose session still allows it: a member removed from the business, or
demoted to a role that may not view invoices, stops receiving it even if their tab stays open and sends nothing.

The tabs here are Reflex state trees driven as its event processor drives them, with one state manager between
them; what the "sockets" receive is every delta Reflex emits for a tab's token (the app's own fan-out of a shared
state's changes, reflex/istate/shared.py)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from typing import Any

import pytest
from reflex.istate.data import RouterData
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.manager.token import BaseStateToken
from reflex.istate.shared import UPDATE_OTHER_CLIENT_TASKS
from reflex.state import StateUpdate
from reflex_base.event.context import EventContext
from reflex_base.registry import RegistrationContext

from myapprentice_app.domain.roles import Role
from myapprentice_app.services import team
from myapprentice_app.services.auth import SESSION_COOKIE
from myapprentice_app.ui.state import board as board_module
from myapprentice_app.ui.state.board import BoardState
from tests.security.conftest import World, run, token_for


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


async def _with_app(scenario):  # type: ignore[no-untyped-def]
    app = App()
    registration = RegistrationContext.get().fork()
    object.__setattr__(registration, "_app", app)
    RegistrationContext.set(registration)
    EventContext.set(EventContext(token="", state_manager=app.state_manager, enqueue_impl=_nowhere))
    return await scenario(app)


async def _nowhere(*_: Any) -> None:
    pass


def _feed_once(app: App, business_id: int):  # type: ignore[no-untyped-def]
    async def feeding():
        await board_module._feed(app, business_id)  # type: ignore[arg-type]  # the run is done: one round
        await _fanned_out()
    return feeding()


@pytest.mark.parametrize("change", ["removed", "demoted to Tradie"])
def test_a_members_open_tab_stops_receiving_the_board_once_they_are_removed_or_demoted(
        session, world: World, make_actor, change: str) -> None:
    member = make_actor(Role.FINANCE)
    owner_token, member_token = token_for(session, world.owner), token_for(session, member)

    async def scenario(app: App):
        await app.join_board("owner-tab", owner_token)
        await app.join_board("member-tab", member_token)
        await _feed_once(app, world.business_id)
        before = app.boards_received("owner-tab"), app.boards_received("member-tab")
        if change == "removed":
            team.remove(session, world.owner, member.user_id)
        else:
            team.change_role(session, world.owner, member.user_id, Role.TRADIE.value)
        await _feed_once(app, world.business_id)
        return before, (app.boards_received("owner-tab"), app.boards_received("member-tab"))

    (owner_before, member_before), (owner_after, member_after) = run(_with_app(scenario))

    assert member_before > 0  # while a member, the tab was shown the board like everyone's
    assert member_after == member_before  # afterwards, not one more frame
    assert owner_after > owner_before  # the owner's tab still receives every change


def test_a_removed_members_tab_that_sends_an_event_is_unlinked_and_cannot_link_again_by_itself(
        session, world: World, make_actor) -> None:
    member = make_actor(Role.FINANCE)
    owner_token, member_token = token_for(session, world.owner), token_for(session, member)

    async def scenario(app: App):
        await app.join_board("owner-tab", owner_token)
        await app.join_board("member-tab", member_token)
        team.remove(session, world.owner, member.user_id)
        await app.join_board("member-tab", member_token)  # any event: authorise runs and sends it to /login
        tab = await app.state_manager.get_state(BaseStateToken(ident="member-tab", cls=BoardState))
        before = app.boards_received("member-tab")
        await _feed_once(app, world.business_id)
        return tab._reflex_internal_links, before, app.boards_received("member-tab")

    links, before, after = run(_with_app(scenario))

    assert not any(token.startswith("board-") for token in links.values())
    assert after == before

"""The sync board is pushed only to tabs whose session still allows it: a member removed from the business, or
demoted to a role that may not view invoices, stops receiving it even if their tab stays open and sends nothing.

The tabs are driven without a browser (tests/support/board_tabs.py)."""

from __future__ import annotations

import pytest
from reflex.istate.manager.token import BaseStateToken

from myapprentice_app.domain.roles import Role
from myapprentice_app.services import team
from myapprentice_app.ui.state.board import BoardState
from tests.security.conftest import World, run, token_for
from tests.support.board_tabs import App, feed_once, with_app


@pytest.mark.parametrize("change", ["removed", "demoted to Tradie"])
def test_a_members_open_tab_stops_receiving_the_board_once_they_are_removed_or_demoted(
        session, world: World, make_actor, change: str) -> None:
    member = make_actor(Role.FINANCE)
    owner_token, member_token = token_for(session, world.owner), token_for(session, member)

    async def scenario(app: App):
        await app.join_board("owner-tab", owner_token)
        await app.join_board("member-tab", member_token)
        await feed_once(app, world.business_id)
        before = app.boards_received("owner-tab"), app.boards_received("member-tab")
        if change == "removed":
            team.remove(session, world.owner, member.user_id)
        else:
            team.change_role(session, world.owner, member.user_id, Role.TRADIE.value)
        await feed_once(app, world.business_id)
        return before, (app.boards_received("owner-tab"), app.boards_received("member-tab"))

    (owner_before, member_before), (owner_after, member_after) = run(with_app(scenario))

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
        await feed_once(app, world.business_id)
        return tab._reflex_internal_links, before, app.boards_received("member-tab")

    links, before, after = run(with_app(scenario))

    assert not any(token.startswith("board-") for token in links.values())
    assert after == before

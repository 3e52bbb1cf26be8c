"""A tab checks its session once, and again when anything in the app changed a session, membership, user or
business, when its cookie changes, or when the check is older than SESSION_RECHECK_SECONDS: a sign-out or a removal
made elsewhere still shuts an open tab out at its next event."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
from reflex.istate.data import RouterData
from sqlmodel import update

from myapprentice_app.config import get_settings
from myapprentice_app.db import utcnow
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import AuthSession
from myapprentice_app.services import auth, team
from myapprentice_app.ui.state.invoices import InvoicesState
from myapprentice_app.ui.state.session import SessionState
from tests.conftest import PASSWORD
from tests.support.reflex_states import run, states_for

RECHECK_SECONDS = 0.3


@pytest.fixture
def short_recheck(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SESSION_RECHECK_SECONDS", str(RECHECK_SECONDS))
    get_settings.cache_clear()
    yield
    monkeypatch.delenv("SESSION_RECHECK_SECONDS")
    get_settings.cache_clear()


def _sends_to_sign_in(event) -> bool:  # type: ignore[no-untyped-def]
    return event is not None and "/login?next=" in str(event)


def test_a_tab_signed_out_in_another_tab_is_sent_to_sign_in_at_its_next_event(session, make_actor) -> None:
    finance = make_actor(Role.FINANCE)
    token = auth.log_in(session, email=finance.email, password=PASSWORD).token

    async def scenario():
        root = await states_for(token, "/invoices")
        invoices = await root.get_state(InvoicesState)
        await invoices.load()
        listed = invoices.loaded
        auth.log_out(session, token)  # another tab of the same browser signed out
        refusal = await invoices.go_to_page(2)
        return listed, refusal, (await root.get_state(SessionState)).access

    listed, refusal, access = run(scenario())
    assert listed
    assert _sends_to_sign_in(refusal) and access == "checking"


def test_a_member_removed_by_the_owner_is_shut_out_of_an_open_tab_at_its_next_event(session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    finance = make_actor(Role.FINANCE, email="fran@example.test")
    token = auth.log_in(session, email="fran@example.test", password=PASSWORD).token

    async def scenario():
        root = await states_for(token, "/invoices")
        invoices = await root.get_state(InvoicesState)
        await invoices.load()
        team.remove(session, owner, finance.user_id)
        return await invoices.go_to_page(2)

    assert _sends_to_sign_in(run(scenario()))


def test_a_session_ended_outside_the_app_shuts_the_tab_out_once_its_check_is_older_than_the_recheck_time(
        session, make_actor, short_recheck) -> None:
    finance = make_actor(Role.FINANCE)
    token = auth.log_in(session, email=finance.email, password=PASSWORD).token

    async def scenario():
        root = await states_for(token, "/invoices")
        invoices = await root.get_state(InvoicesState)
        await invoices.load()
        # An administrator ends every session with SQL: no commit of the app's tells the tabs.
        session.execute(update(AuthSession).values(expires_at=utcnow()))
        session.commit()
        time.sleep(RECHECK_SECONDS * 1.5)
        return await invoices.go_to_page(2)

    assert _sends_to_sign_in(run(scenario()))


def test_a_tab_is_sent_to_sign_in_at_its_first_event_after_its_session_ends(session, make_actor) -> None:
    finance = make_actor(Role.FINANCE)
    token = auth.log_in(session, email=finance.email, password=PASSWORD).token
    session.execute(update(AuthSession).values(expires_at=utcnow() + dt.timedelta(seconds=1)))
    session.commit()  # a session near its end (made so here: sessions last hours)

    async def scenario():
        root = await states_for(token, "/invoices")
        invoices = await root.get_state(InvoicesState)
        await invoices.load()
        listed = invoices.loaded
        time.sleep(1.2)  # the session ends; nothing in the app changed, and the tab's check is 1.2 s old
        return listed, await invoices.go_to_page(2)

    listed, refusal = run(scenario())
    assert listed and _sends_to_sign_in(refusal)


def test_a_tab_whose_socket_reconnects_without_the_cookie_is_shut_out_at_once(session, make_actor) -> None:
    finance = make_actor(Role.FINANCE)
    token = auth.log_in(session, email=finance.email, password=PASSWORD).token

    async def scenario():
        root = await states_for(token, "/invoices")
        invoices = await root.get_state(InvoicesState)
        await invoices.load()
        names = (await root.get_state(SessionState)).user_name
        # Signing out answers with a page load: the socket reconnects, its handshake carrying no cookie.
        root.router = RouterData.from_router_data({"token": "tab-1", "asPath": "/invoices", "pathname": "/invoices",
                                                   "query": {}, "headers": {"cookie": ""}})
        return names, await invoices.go_to_page(2)

    name, refusal = run(scenario())
    assert name == finance.name
    assert _sends_to_sign_in(refusal)

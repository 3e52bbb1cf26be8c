"""Crafted events: calling a Reflex handler directly still goes through the server-side role check."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor

import reflex as rx
from reflex.istate.data import RouterData

from myapprentice_app.domain.roles import Role
from myapprentice_app.models import Business
from myapprentice_app.services import auth
from myapprentice_app.services.auth import SESSION_COOKIE
from myapprentice_app.ui.state.invoices import InvoicesState
from myapprentice_app.ui.state.session import SessionState
from myapprentice_app.ui.state.settings import SettingsState
from tests.conftest import PASSWORD


async def _states_for(token: str, path: str):
    """A tab's state tree whose websocket handshake carried this session cookie (as a browser's would)."""
    root = rx.State(_reflex_internal_init=True)
    root.router = RouterData.from_router_data({"token": "tab-1", "asPath": path, "pathname": path,
                                               "headers": {"cookie": f"{SESSION_COOKIE}={token}"}})
    return root


def run(scenario):  # type: ignore[no-untyped-def]
    """Run a coroutine on its own loop: the browser tier's sync Playwright may own this thread's loop."""
    context = contextvars.copy_context()  # Reflex keeps its app registration in a context variable
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, asyncio.run, scenario).result()


def _token(session, actor) -> str:
    return auth.log_in(session, email=actor.email, password=PASSWORD).token


def test_a_tradie_calling_the_invoice_list_handler_gets_no_invoices(session, make_actor) -> None:
    tradie = make_actor(Role.TRADIE)

    async def scenario():
        root = await _states_for(_token(session, tradie), "/invoices")
        invoices = await root.get_state(InvoicesState)
        await invoices.filter_status("paid")
        return invoices.rows, invoices.loaded, (await root.get_state(SessionState)).access

    rows, loaded, access = run(scenario())
    assert rows == [] and not loaded and access == "forbidden"


def test_finance_calling_the_business_tab_save_handler_changes_nothing(session, make_actor, business) -> None:
    finance = make_actor(Role.FINANCE)

    async def scenario():
        root = await _states_for(_token(session, finance), "/settings/business")
        settings = await root.get_state(SettingsState)
        return await settings.save_business({"name": "Hijacked", "payment_terms_days": "7"})

    run(scenario())
    session.expire_all()
    assert session.get(Business, business.id).name == "Test Electrical"


def test_without_a_session_a_handler_sends_the_browser_to_login_and_back(session) -> None:
    async def scenario():
        root = await _states_for("", "/invoices")
        invoices = await root.get_state(InvoicesState)
        return await invoices.load()

    redirect = run(scenario())
    assert "/login?next=%2Finvoices" in str(redirect)

"""Crafted events: calling a Reflex handler directly still goes through the server-side role check."""

from __future__ import annotations

from myapprentice_app.domain.roles import Role
from myapprentice_app.models import Business
from myapprentice_app.selectors.error_causes import ErrorCauses
from myapprentice_app.services import auth
from myapprentice_app.ui.state.error_causes import ErrorCausesState
from myapprentice_app.ui.state.invoices import InvoicesState
from myapprentice_app.ui.state.session import SessionState
from myapprentice_app.ui.state.settings import SettingsState
from tests.conftest import PASSWORD
from tests.support.reflex_states import run, states_for


def _token(session, actor) -> str:
    return auth.log_in(session, email=actor.email, password=PASSWORD).token


def test_a_tradie_calling_the_invoice_list_handler_gets_no_invoices(session, make_actor) -> None:
    tradie = make_actor(Role.TRADIE)

    async def scenario():
        root = await states_for(_token(session, tradie), "/invoices")
        invoices = await root.get_state(InvoicesState)
        await invoices.filter_status("paid")
        return invoices.rows, invoices.loaded, (await root.get_state(SessionState)).access

    rows, loaded, access = run(scenario())
    assert rows == [] and not loaded and access == "forbidden"


def test_a_tradie_opening_the_invoices_page_is_told_once_by_the_page_not_again_by_its_errors_panel(
        session, make_actor) -> None:
    tradie = make_actor(Role.TRADIE)

    async def scenario():
        root = await states_for(_token(session, tradie), "/invoices")
        panel = await root.get_state(ErrorCausesState)
        answer = await panel.load()  # mounted with the page, before the page has said no
        return answer, panel.causes, (await root.get_state(SessionState)).access

    answer, causes, access = run(scenario())
    assert answer is None and access == "forbidden"  # no "You don't have permission" toast over the page
    assert causes == ErrorCauses()  # nothing of the business's errors read for a role that may not see them


def test_finance_calling_the_business_tab_save_handler_changes_nothing(session, make_actor, business) -> None:
    finance = make_actor(Role.FINANCE)

    async def scenario():
        root = await states_for(_token(session, finance), "/settings/business")
        settings = await root.get_state(SettingsState)
        return await settings.save_business({"name": "Hijacked", "payment_terms_days": "7"})

    run(scenario())
    session.expire_all()
    assert session.get(Business, business.id).name == "Test Electrical"


def test_without_a_session_a_handler_sends_the_browser_to_login_and_back(session) -> None:
    async def scenario():
        root = await states_for("", "/invoices")
        invoices = await root.get_state(InvoicesState)
        return await invoices.load()

    redirect = run(scenario())
    assert "/login?next=%2Finvoices" in str(redirect)

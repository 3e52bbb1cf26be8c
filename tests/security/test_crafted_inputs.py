"""Crafted values that once crashed a handler with an unhandled exception: each now gets the form's usual
message, the tab keeps working, and the database is left as it was."""

from __future__ import annotations

import pytest

from myapprentice_app.domain import stored_text
from myapprentice_app.domain.stored_text import UnstorableText
from myapprentice_app.ui.state.business_picker import BusinessPickerState
from myapprentice_app.ui.state.client_form import ClientFormState
from myapprentice_app.ui.state.error_causes import ErrorCausesState
from myapprentice_app.ui.state.invoice_actions import InvoiceActionsState
from myapprentice_app.ui.state.invoice_detail import XeroPanelState
from myapprentice_app.ui.state.invoice_form import InvoiceFormState
from myapprentice_app.ui.state.invoices import InvoicesState
from myapprentice_app.ui.state.outcomes import unexpected
from myapprentice_app.ui.state.run_history import RunHistoryState
from myapprentice_app.ui.state.security import SecurityState
from myapprentice_app.ui.state.settings import SettingsState
from myapprentice_app.ui.state.sync_actions import SyncActionsState
from myapprentice_app.ui.state.xero_settings import XeroSettingsState
from tests.security.conftest import (
    TODAY,
    World,
    call_handler,
    changed_tables,
    run,
    snapshot,
    states_for,
    toasts,
    token_for,
)


def test_a_payment_of_1e30_is_refused_as_more_than_is_owing_and_records_nothing(session, world: World) -> None:
    token = token_for(session, world.owner)
    before = snapshot()

    async def scenario():
        actions = await (await states_for(token, "/invoices")).get_state(InvoiceActionsState)
        actions.pay_invoice_id, actions.amount = world.authorised_invoice_id, "1e30"
        actions.paid_on, actions.method = TODAY.isoformat(), "cash"
        return toasts(await call_handler(actions, "record_payment")), actions.errors

    shown, errors = run(scenario())

    assert shown == [("error", "Check the highlighted fields.")]
    assert errors["amount"].startswith("That's more than the ")
    assert changed_tables(before, snapshot()) == []


def test_a_page_number_that_is_not_a_number_is_ignored_and_the_list_stays_on_its_page(session, world: World) -> None:
    token = token_for(session, world.owner)

    async def scenario():
        invoices = await (await states_for(token, "/invoices")).get_state(InvoicesState)
        await invoices.load()
        await call_handler(invoices, "go_to_page", ({},))
        await call_handler(invoices, "go_to_page", ("²",))
        await call_handler(invoices, "filter_status", ("stolen",))
        await call_handler(invoices, "filter_sync_status", ({"not": "a status"},))
        return invoices.page, len(invoices.rows), (invoices.status, invoices.sync_status)

    page, rows, filters = run(scenario())

    assert page == 1 and rows > 0 and filters == ("all", "all")


def test_a_tax_mapping_keyed_by_a_superscript_digit_is_ignored_and_the_rest_saves(session, world: World) -> None:
    token = token_for(session, world.owner)

    async def scenario():
        settings = await (await states_for(token, "/settings/xero", {"tab": "xero"})).get_state(XeroSettingsState)
        return toasts(await call_handler(settings, "save", (
            {"labour_account": world.xero_account_code, "push_as": "draft", "contact_policy": "require_match",
             f"tax_{world.rate_id}": "OUTPUT", "tax_²": "OUTPUT"},)))

    assert run(scenario()) == [("success", "Xero settings saved.")]


def test_payment_terms_of_a_superscript_digit_are_refused_and_the_business_is_unchanged(
        session, world: World) -> None:
    token = token_for(session, world.owner)
    before = snapshot()

    async def scenario():
        settings = await (await states_for(token, "/settings/business", {"tab": "business"})).get_state(
            SettingsState)
        shown = toasts(await call_handler(settings, "save_business", (
            {"name": "Test Electrical", "email": "", "phone": "", "abn": "", "address": "",
             "payment_terms_days": "²"},)))
        return shown, settings.errors

    shown, errors = run(scenario())

    assert shown == [("error", "Check the highlighted fields.")]
    assert errors == {"payment_terms_days": "Enter a number of days from 0 to 365."}
    assert changed_tables(before, snapshot()) == []


@pytest.mark.parametrize("name", ["Bad\x00Name", "Bad\ud800Name"])
def test_a_client_name_holding_a_nul_byte_or_half_a_surrogate_pair_gets_a_message_and_saves_nothing(
        session, world: World, name: str) -> None:
    token = token_for(session, world.owner)
    before = snapshot()

    async def scenario():
        form = await (await states_for(token, "/clients/new", {"id": "new"})).get_state(ClientFormState)
        await form.load()
        await call_handler(form, "set_field", ("name", name))
        return toasts(await call_handler(form, "save"))

    assert run(scenario()) == [("error", stored_text.MESSAGE)]
    assert changed_tables(before, snapshot()) == []


def test_a_search_holding_a_nul_byte_gets_the_same_message_from_the_apps_handler(session, world: World) -> None:
    token = token_for(session, world.owner)

    async def scenario():
        invoices = await (await states_for(token, "/invoices")).get_state(InvoicesState)
        await invoices.load()
        with pytest.raises(UnstorableText) as refused:
            await call_handler(invoices, "run_search", ({"search": "a\x00b"},))
        return toasts([unexpected(refused.value)])

    assert run(scenario()) == [("error", stored_text.MESSAGE)]


def crafted_calls(world: World, junk: object) -> list[tuple[type, str, dict, str, tuple]]:
    """(state, page, route params, handler, arguments) for every handler that takes an id, an index or a form."""
    invoice = {"id": str(world.authorised_invoice_id)}
    return [
        (InvoiceActionsState, "/invoices", {}, "export_csv", (junk,)),
        (InvoiceActionsState, "/invoices", {}, "open_payment", (junk,)),
        (SyncActionsState, "/invoices", {}, "push_invoice", (junk,)),
        (SyncActionsState, "/invoices", {}, "retry_failed", (junk,)),
        (RunHistoryState, "/invoices", {}, "open_run", (junk,)),
        (BusinessPickerState, "/choose-business", {}, "choose", (junk,)),
        (XeroPanelState, f"/invoices/{world.authorised_invoice_id}", invoice, "apply_fix", (junk, "stamp", junk)),
        (XeroPanelState, f"/invoices/{world.authorised_invoice_id}", invoice, "fix_with_form", (junk,)),
        (ErrorCausesState, "/invoices", {}, "fix", (junk,)),
        (InvoiceFormState, "/invoices/new", {}, "set_line_field", (junk, "description", "Rewire")),
        (InvoiceFormState, "/invoices/new", {}, "remove_line", (junk,)),
        (InvoiceFormState, "/invoices/new", {}, "set_amounts_are", (junk,)),
        (InvoicesState, "/invoices", {}, "run_search", (junk,)),
        (InvoicesState, "/invoices", {}, "filter_dates", (junk,)),
        (SecurityState, "/settings/security", {"tab": "security"}, "ask_mfa_change", (junk,)),
        (SettingsState, "/settings/business", {"tab": "business"}, "save_business", (junk,)),
    ]


@pytest.mark.parametrize("junk", ["abc", None, [1], {"not": "an id"}, 10**30], ids=repr)
def test_ids_indexes_and_forms_of_the_wrong_type_are_refused_or_ignored_and_change_nothing(
        session, world: World, junk: object) -> None:
    token = token_for(session, world.owner)
    before = snapshot()

    async def scenario():
        shown = []
        for state_class, path, params, handler, args in crafted_calls(world, junk):
            state = await (await states_for(token, path, params)).get_state(state_class)
            shown += toasts(await call_handler(state, handler, args))
        return shown

    assert {level for level, _ in run(scenario())} <= {"error"}
    assert changed_tables(before, snapshot()) == []

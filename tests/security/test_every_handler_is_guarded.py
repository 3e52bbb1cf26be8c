"""Every event handler, called over the websocket by every role that lacks its permission, is refused and
changes nothing (issue 9, point 8).

Any registered handler can be called by any client with any arguments (reflex-notes §1.6): hiding a button
hides nothing. So the table below names each handler of every state under myapprentice_app.ui and the
permission its authorise() call checks; a handler added without an entry fails the first test, and each
(handler, role without the permission) pair is called for real, with arguments that would change the
business's records had the check been forgotten.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pyotp
import pytest

from myapprentice_app.domain.roles import Permission, Role, can
from myapprentice_app.selectors.sync import XeroPanel
from myapprentice_app.services.clients import ClientForm
from myapprentice_app.services.invoice_delivery import EmailDraft
from myapprentice_app.ui.state.session import SessionState
from tests.security.conftest import (
    PERMISSION_TOAST,
    TODAY,
    World,
    app_handlers,
    call_handler,
    changed_tables,
    run,
    snapshot,
    stamp_of,
    states_for,
    toasts,
    token_for,
)

TOAST = "toast"  # authorise(state, permission): a "You don't have permission" toast
PAGE = "page"  # authorise(state, permission, page=True): the page says "You don't have access to this page"
SILENT = "silent"  # a background watcher: it stops at once, showing nothing


@dataclass(frozen=True)
class Public:
    """Needs no permission; `reason` says why that is safe."""

    reason: str


@dataclass(frozen=True)
class Guarded:
    """One way to call a handler: the permission it checks, where the tab is, and plausible arguments."""

    permission: Permission
    refusal: str = TOAST
    path: Callable[[World], str] = lambda w: "/invoices"
    params: Callable[[World], dict[str, str]] = lambda w: {}
    args: Callable[[World], tuple] = lambda w: ()
    prepare: Callable[[Any, World], None] = lambda state, w: None  # what earlier events left in the state
    case: str = ""  # names the variant when one handler has several


PENDING_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # a TOTP secret the Security tab showed moments ago
UI_ONLY = "a UI setter: changes this tab's form or dialog only; the save or record handler checks the permission"


def _invoice_page(which: str) -> dict[str, Any]:
    return {"path": lambda w: f"/invoices/{getattr(w, which)}", "params": lambda w: {"id": str(getattr(w, which))}}


def _settings(slug: str) -> dict[str, Any]:
    return {"path": lambda w: f"/settings/{slug}", "params": lambda w: {"tab": slug}}


def _payment(state, w: World) -> None:  # type: ignore[no-untyped-def]
    state.pay_invoice_id, state.amount, state.paid_on, state.method = (w.authorised_invoice_id, "10.00",
                                                                       TODAY.isoformat(), "cash")


def _email(state, w: World) -> None:  # type: ignore[no-untyped-def]
    state.email = EmailDraft(to_address="someone@example.test", subject="Your invoice", body="Please pay.")


def _invoice_form(invoice_id: Callable[[World], int]) -> Callable[[Any, World], None]:
    def prepare(state, w: World) -> None:  # type: ignore[no-untyped-def]
        state._use_rates([(w.rate_id, "GST", 10, True)])
        state.invoice_id, state.client_id = invoice_id(w), str(w.client_id)
        state.issue_date, state.due_date = TODAY.isoformat(), (TODAY + dt.timedelta(days=7)).isoformat()
        state.number, state.reference = "", "Hijacked"
        state.add_line()
        state.set_line_field(0, "description", "Hijacked line")
        state.set_line_field(0, "quantity", "1")
        state.set_line_field(0, "unit_amount", "999")
    return prepare


def _client_form(state, w: World) -> None:  # type: ignore[no-untyped-def]
    state.client_id, state.form = w.client_id, ClientForm(name="Hijacked Client", email="x@example.test")


def _work_form(kind: str) -> Callable[[Any, World], None]:
    def prepare(state, w: World) -> None:  # type: ignore[no-untyped-def]
        state.kind, state.record_id = kind, w.job_id if kind == "job" else w.quote_id
        state.client_id, state.title = str(w.client_id), "Hijacked"
        state.status = "scheduled" if kind == "job" else "draft"
        state.add_line()
        state.set_line_field(0, "description", "Hijacked line")
        state.set_line_field(0, "quantity", "1")
        state.set_line_field(0, "unit_amount", "1")
    return prepare


def _panel(state, w: World) -> None:  # type: ignore[no-untyped-def]
    state.panel = XeroPanel(invoice_id=w.authorised_invoice_id)


def _invite(state, w: World) -> None:  # type: ignore[no-untyped-def]
    state.invite_email, state.invite_name, state.invite_role = "newcomer@example.test", "New Comer", "admin"


def _pending_mfa(state, w: World) -> None:  # type: ignore[no-untyped-def]
    state._pending_secret = PENDING_SECRET


def _fixes(handler: str) -> list[Guarded]:
    """apply_fix checks RETRY_SYNC for Retry and RESOLVE_SYNC_ERRORS for every other fix."""
    fixes = [("retry", "", Permission.RETRY_SYNC), ("renumber", "", Permission.RESOLVE_SYNC_ERRORS),
             ("map_tax_rate", None, Permission.RESOLVE_SYNC_ERRORS),
             ("link_contact", None, Permission.RESOLVE_SYNC_ERRORS)]
    cases = []
    for action, value, permission in fixes:
        def chosen(w: World, action: str = action, value: str | None = value) -> str:
            if value is not None:
                return value
            return f"{w.rate_id}:OUTPUT" if action == "map_tax_rate" else w.xero_contact_id

        def args(w: World, action: str = action, chosen: Callable[[World], str] = chosen) -> tuple:
            invoice_id = w.authorised_invoice_id
            if handler == "apply_fix":
                return (invoice_id, stamp_of(invoice_id), action, chosen(w))
            return ({"invoice_id": str(invoice_id), "stamp": stamp_of(invoice_id), "action": action,
                     "value": chosen(w)},)

        cases.append(Guarded(permission, args=args, case=action))
    return cases


HANDLERS: dict[str, Public | Guarded | list[Guarded]] = {
    # --- pages reached before a business is chosen, or with no role check --------------------------------------
    "LoginState.load": Public("the sign-in page: reads only the caller's own session stage"),
    "InviteState.load": Public("the invitation page: the link's token is the credential, shown to whoever has it"),
    "InviteState.join": Public("joins with the invitation's token, only as the signed-in account it was sent to"),
    "BusinessPickerState.load": Public("lists the caller's own memberships, read from its own session"),
    "BusinessPickerState.choose": Public("switches the caller's own session; auth.choose_business refuses a "
                                         "business it isn't in (test_other_business_ids)"),
    "HomeState.load": Public("any signed-in person: sends them to their role's home page, reads no records"),
    # --- invoices -------------------------------------------------------------------------------------------------
    "InvoicesState.load": Guarded(Permission.VIEW_INVOICES, PAGE),
    "InvoicesState.refresh": Guarded(Permission.VIEW_INVOICES, PAGE),
    "InvoicesState.filter_client": Guarded(Permission.VIEW_INVOICES, PAGE, args=lambda w: (str(w.client_id),)),
    "InvoicesState.filter_dates": Guarded(Permission.VIEW_INVOICES, PAGE,
                                          args=lambda w: ({"date_from": "2000-01-01", "date_to": "2100-01-01"},)),
    "InvoicesState.clear_filters": Guarded(Permission.VIEW_INVOICES, PAGE),
    "InvoicesState.filter_status": Guarded(Permission.VIEW_INVOICES, PAGE, args=lambda w: ("draft",)),
    "InvoicesState.filter_sync_status": Guarded(Permission.VIEW_INVOICES, PAGE, args=lambda w: ("not_synced",)),
    "InvoicesState.run_search": Guarded(Permission.VIEW_INVOICES, PAGE, args=lambda w: ({"search": "Test"},)),
    "InvoicesState.go_to_page": Guarded(Permission.VIEW_INVOICES, PAGE, args=lambda w: (1,)),
    "InvoicesState.toggle_filters": Public(UI_ONLY),
    "InvoiceDetailState.load": Guarded(Permission.VIEW_INVOICES, PAGE, **_invoice_page("draft_invoice_id")),
    "InvoiceDetailState.refresh": Guarded(Permission.VIEW_INVOICES, PAGE, **_invoice_page("draft_invoice_id")),
    "InvoiceDetailState.authorise_invoice": Guarded(Permission.EDIT_INVOICES, **_invoice_page("draft_invoice_id")),
    "InvoiceDetailState.void_invoice": Guarded(Permission.EDIT_INVOICES, **_invoice_page("authorised_invoice_id")),
    "InvoiceDetailState.open_send": Guarded(Permission.EDIT_INVOICES, **_invoice_page("authorised_invoice_id")),
    "InvoiceDetailState.send": Guarded(Permission.EDIT_INVOICES, prepare=_email,
                                       **_invoice_page("authorised_invoice_id")),
    "InvoiceDetailState.set_send_open": Public(UI_ONLY),
    "InvoiceDetailState.set_email_field": Public(UI_ONLY),
    "InvoiceFormState.load": [
        Guarded(Permission.EDIT_INVOICES, PAGE, path=lambda w: "/invoices/new", case="new"),
        Guarded(Permission.EDIT_INVOICES, PAGE, path=lambda w: f"/invoices/{w.draft_invoice_id}/edit",
                params=lambda w: {"id": str(w.draft_invoice_id)}, case="edit"),
        Guarded(Permission.EDIT_INVOICES, PAGE, path=lambda w: f"/invoices/new?quote={w.quote_id}", case="quote"),
        Guarded(Permission.EDIT_INVOICES, PAGE, path=lambda w: f"/invoices/new?job={w.job_id}", case="job"),
    ],
    "InvoiceFormState.save": [
        Guarded(Permission.EDIT_INVOICES, path=lambda w: "/invoices/new", prepare=_invoice_form(lambda w: 0),
                case="new"),
        Guarded(Permission.EDIT_INVOICES, path=lambda w: f"/invoices/{w.draft_invoice_id}/edit",
                prepare=_invoice_form(lambda w: w.draft_invoice_id), case="edit"),
    ],
    "InvoiceFormState.set_field": Public(UI_ONLY),
    "InvoiceFormState.set_another": Public(UI_ONLY),
    "InvoiceFormState.set_line_field": Public(UI_ONLY),
    "InvoiceFormState.add_line": Public(UI_ONLY),
    "InvoiceFormState.remove_line": Public(UI_ONLY),
    "InvoiceFormState.set_amounts_are": Public(UI_ONLY),
    "InvoiceActionsState.export_csv": Guarded(Permission.EXPORT_INVOICE_CSV,
                                              args=lambda w: (w.authorised_invoice_id,)),
    "InvoiceActionsState.open_payment": Guarded(Permission.RECORD_PAYMENT, args=lambda w: (w.authorised_invoice_id,)),
    "InvoiceActionsState.record_payment": Guarded(Permission.RECORD_PAYMENT, prepare=_payment),
    "InvoiceActionsState.set_pay_field": Public(UI_ONLY),
    "InvoiceActionsState.set_pay_open": Public(UI_ONLY),
    "OutboxState.load": Guarded(Permission.VIEW_INVOICES, PAGE, path=lambda w: "/outbox"),
    # --- Xero sync --------------------------------------------------------------------------------------------------
    "BoardState.join": Guarded(Permission.VIEW_INVOICES, PAGE),
    "RunHistoryState.open_run": Guarded(Permission.VIEW_INVOICES, args=lambda w: (0,)),
    "RunHistoryState.set_showing": Public(UI_ONLY),
    "SyncActionsState.push_invoice": Guarded(Permission.PUSH_TO_XERO, args=lambda w: (w.authorised_invoice_id,)),
    "SyncActionsState.send_all": Guarded(Permission.PUSH_TO_XERO),
    "SyncActionsState.sync_all": Guarded(Permission.PUSH_TO_XERO),
    "SyncActionsState.retry_failed": Guarded(Permission.RETRY_SYNC, args=lambda w: (0,)),
    "XeroPanelState.refresh": Guarded(Permission.VIEW_INVOICES, PAGE, **_invoice_page("authorised_invoice_id")),
    "XeroPanelState.watch": Guarded(Permission.VIEW_INVOICES, SILENT, prepare=_panel),
    "XeroPanelState.apply_fix": _fixes("apply_fix"),
    "XeroPanelState.fix_with_form": _fixes("fix_with_form"),
    "ErrorCausesState.load": Guarded(Permission.VIEW_INVOICES, PAGE),
    "ErrorCausesState.refresh": Public("re-reads only through load, which checks VIEW_INVOICES"),
    "ErrorCausesState.fix": [
        Guarded(Permission.RETRY_SYNC, case="retry",
                args=lambda w: ({"fix": "retry", "cause": "rejected", "value": ""},)),
        Guarded(Permission.RESOLVE_SYNC_ERRORS, case="map_tax_rate",
                args=lambda w: ({"fix": "map_tax_rate", "cause": f"tax:{w.rate_id}", "value": "EXEMPTOUTPUT"},)),
        Guarded(Permission.RESOLVE_SYNC_ERRORS, case="pick_account",
                args=lambda w: ({"fix": "pick_account", "cause": "account:labour", "value": w.xero_account_code},)),
    ],
    # --- work -------------------------------------------------------------------------------------------------------
    "WorkState.load_jobs": Guarded(Permission.VIEW_OWN_JOBS, PAGE, path=lambda w: "/jobs"),
    "WorkState.load_clients": Guarded(Permission.MANAGE_CLIENTS, PAGE, path=lambda w: "/clients"),
    "WorkState.load_quotes": Guarded(Permission.EDIT_INVOICES, PAGE, path=lambda w: "/quotes"),
    "ClientFormState.load": Guarded(Permission.MANAGE_CLIENTS, PAGE, path=lambda w: f"/clients/{w.client_id}",
                                    params=lambda w: {"id": str(w.client_id)}),
    "ClientFormState.save": Guarded(Permission.MANAGE_CLIENTS, path=lambda w: f"/clients/{w.client_id}",
                                    prepare=_client_form),
    "ClientFormState.set_field": Public(UI_ONLY),
    "WorkFormState.load_job": Guarded(Permission.MANAGE_CLIENTS, PAGE, path=lambda w: f"/jobs/{w.job_id}",
                                      params=lambda w: {"id": str(w.job_id)}),
    "WorkFormState.load_quote": Guarded(Permission.EDIT_INVOICES, PAGE, path=lambda w: f"/quotes/{w.quote_id}",
                                        params=lambda w: {"id": str(w.quote_id)}),
    "WorkFormState.save": [
        Guarded(Permission.MANAGE_CLIENTS, path=lambda w: f"/jobs/{w.job_id}", prepare=_work_form("job"), case="job"),
        Guarded(Permission.EDIT_INVOICES, path=lambda w: f"/quotes/{w.quote_id}", prepare=_work_form("quote"),
                case="quote"),
    ],
    "WorkFormState.set_field": Public(UI_ONLY),
    "WorkFormState.set_line_field": Public(UI_ONLY),
    "WorkFormState.add_line": Public(UI_ONLY),
    "WorkFormState.remove_line": Public(UI_ONLY),
    "WorkFormState.set_amounts_are": Public(UI_ONLY),
    "AuditState.load": Guarded(Permission.VIEW_AUDIT, PAGE, path=lambda w: "/audit"),
    # --- Business Settings ------------------------------------------------------------------------------------------
    "SettingsState.load": [
        Guarded(Permission.BUSINESS_SETTINGS, PAGE, **_settings("business"), case="business"),
        Guarded(Permission.BUSINESS_SETTINGS, PAGE, **_settings("team"), case="team"),
        Guarded(Permission.BUSINESS_SETTINGS, PAGE, **_settings("integrations"), case="integrations"),
        Guarded(Permission.BUSINESS_SETTINGS, PAGE, **_settings("security"), case="security"),
        Guarded(Permission.XERO_SETTINGS, PAGE, **_settings("xero"), case="xero"),
    ],
    "SettingsState.save_business": Guarded(Permission.BUSINESS_SETTINGS, **_settings("business"), args=lambda w: (
        {"name": "Hijacked", "email": "evil@example.test", "phone": "", "abn": "", "address": "",
         "payment_terms_days": "7"},)),
    "TeamState.load": Guarded(Permission.BUSINESS_SETTINGS, PAGE, **_settings("team")),
    "TeamState.invite": Guarded(Permission.BUSINESS_SETTINGS, **_settings("team"), prepare=_invite),
    "TeamState.change_role": Guarded(Permission.BUSINESS_SETTINGS, **_settings("team"),
                                     args=lambda w: (w.member_user_id, "admin")),
    "TeamState.remove": Guarded(Permission.BUSINESS_SETTINGS, **_settings("team"),
                                args=lambda w: (w.member_user_id,)),
    "TeamState.cancel_invitation": Guarded(Permission.BUSINESS_SETTINGS, **_settings("team"),
                                           args=lambda w: (w.invitation_id,)),
    "TeamState.set_field": Public(UI_ONLY),
    "SecurityState.load": Guarded(Permission.BUSINESS_SETTINGS, PAGE, **_settings("security")),
    "SecurityState.begin_mfa": Guarded(Permission.BUSINESS_SETTINGS, **_settings("security")),
    "SecurityState.confirm_mfa": Guarded(Permission.BUSINESS_SETTINGS, **_settings("security"), prepare=_pending_mfa,
                                         args=lambda w: ({"code": pyotp.TOTP(PENDING_SECRET).now()},)),
    "SecurityState.ask_mfa_change": Guarded(Permission.BUSINESS_SETTINGS, **_settings("security"),
                                            args=lambda w: ("turn_off",)),
    "SecurityState.cancel_mfa_change": Public(UI_ONLY),
    "SecurityState.confirm_mfa_change": Guarded(Permission.BUSINESS_SETTINGS, **_settings("security"),
                                                prepare=lambda state, w: setattr(state, "mfa_change", "turn_off"),
                                                args=lambda w: ({"code": "123456"},)),
    "XeroSettingsState.load": Guarded(Permission.XERO_SETTINGS, PAGE, **_settings("xero")),
    "XeroSettingsState.save": Guarded(Permission.XERO_SETTINGS, **_settings("xero"), args=lambda w: (
        {"labour_account": w.xero_account_code, "push_as": "draft", "contact_policy": "require_match",
         f"tax_{w.rate_id}": "OUTPUT"},)),
    "XeroSettingsState.ask_step_up": Guarded(Permission.CONNECT_XERO, **_settings("integrations"),
                                             args=lambda w: ("disconnect",)),
    "XeroSettingsState.confirm_step_up": Guarded(Permission.CONNECT_XERO, **_settings("integrations"),
                                                 prepare=lambda state, w: setattr(state, "step_up_for", "disconnect"),
                                                 args=lambda w: ({"code": "123456"},)),
    "XeroSettingsState.cancel_step_up": Public(UI_ONLY),
    "XeroSettingsState.choose_organisation": Guarded(Permission.CONNECT_XERO, **_settings("integrations"),
                                                     args=lambda w: (w.tenant_id,)),
    "StripeSettingsState.load": Guarded(Permission.BUSINESS_SETTINGS, PAGE, **_settings("integrations")),
    "StripeSettingsState.ask_step_up": Guarded(Permission.CONNECT_STRIPE, **_settings("integrations"),
                                               args=lambda w: ("disconnect",)),
    "StripeSettingsState.confirm_step_up": Guarded(Permission.CONNECT_STRIPE, **_settings("integrations"),
                                                   prepare=lambda state, w: setattr(state, "step_up_for", "disconnect"),
                                                   args=lambda w: ({"code": "123456"},)),
    "StripeSettingsState.cancel_step_up": Public(UI_ONLY),
}


def _cases(entry: Public | Guarded | list[Guarded]) -> list[Guarded]:
    if isinstance(entry, Public):
        return []
    return entry if isinstance(entry, list) else [entry]


def test_every_handler_of_every_state_has_an_entry_in_the_permission_table() -> None:
    discovered = set(app_handlers())
    missing = sorted(discovered - set(HANDLERS))
    gone = sorted(set(HANDLERS) - discovered)
    assert not missing, (f"New event handlers with no entry in HANDLERS: {missing}. Call authorise() first in each, "
                         "and add it with the permission it checks (or Public with the reason none is needed).")
    assert not gone, f"HANDLERS names handlers that no longer exist: {gone}"


def test_every_public_handler_says_why() -> None:
    assert all(entry.reason.strip() for entry in HANDLERS.values() if isinstance(entry, Public))


ATTEMPTS = [(name, case, role) for name, entry in HANDLERS.items() for case in _cases(entry)
            for role in Role if not can(role, case.permission)]


def _id(name: str, case: Guarded, role: Role) -> str:
    return f"{role.value}_calling_{name}" + (f"_{case.case}" if case.case else "")


@pytest.mark.parametrize(("name", "case", "role"), ATTEMPTS, ids=[_id(*attempt) for attempt in ATTEMPTS])
def test_a_role_without_the_permission_is_refused_and_the_database_is_unchanged(
        session, world: World, make_actor, name: str, case: Guarded, role: Role) -> None:
    state_class, handler = app_handlers()[name]
    token = token_for(session, make_actor(role))
    before = snapshot()

    async def scenario():  # type: ignore[no-untyped-def]
        root = await states_for(token, case.path(world), case.params(world))
        state = await root.get_state(state_class)
        case.prepare(state, world)
        events = await call_handler(state, handler, case.args(world))
        return events, (await root.get_state(SessionState)).access

    events, access = run(scenario())
    shown = toasts(events)
    if case.refusal == TOAST:
        assert ("error", PERMISSION_TOAST) in shown, f"{role.label} calling {name} saw {shown or 'no refusal'}"
    elif case.refusal == PAGE:
        assert access == "forbidden" and not events, f"{role.label} calling {name}: access={access}, {events}"
    else:
        assert not events, f"{role.label} calling {name} got {events}"
    assert changed_tables(before, snapshot()) == [], f"{role.label} calling {name} changed the database"


CONTROLS = [(name, case) for name, entry in HANDLERS.items() for case in _cases(entry)]


@pytest.mark.parametrize(("name", "case"), CONTROLS,
                         ids=[_id(name, case, Role.OWNER) for name, case in CONTROLS])
def test_the_same_call_from_an_owner_gets_past_the_permission_check(session, world: World, name: str,
                                                                     case: Guarded) -> None:
    """The control: the arguments above are ones the handler accepts, so the refusals are the permission's."""
    state_class, handler = app_handlers()[name]
    token = token_for(session, world.owner)

    async def scenario():  # type: ignore[no-untyped-def]
        root = await states_for(token, case.path(world), case.params(world))
        state = await root.get_state(state_class)
        case.prepare(state, world)
        events = await call_handler(state, handler, case.args(world))
        return events, (await root.get_state(SessionState)).access

    events, access = run(scenario())
    assert ("error", PERMISSION_TOAST) not in toasts(events) and access != "forbidden"

"""An Owner, with every permission in their own business, passes ids that belong to another business: every
handler and route that takes one refuses, shows nothing of the other business, and changes nothing
(issue 9, point 8).

Ids reach the server in four ways, all chosen by the browser: handler arguments, the page's route segments
(`/invoices/[id]`) and query (`?quote=`), form fields (`tax_<rate id>`), and form state a public setter fills
(`set_field("client_id", …)`). Each is tried below with the other business's real ids.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import pytest
from reflex.event import EventHandler
from sqlmodel import Session, select
from starlette.testclient import TestClient

from myapprentice_app.api.routes import api
from myapprentice_app.models import XeroConnection
from myapprentice_app.selectors.sync import XeroPanel
from myapprentice_app.services.auth import SESSION_COOKIE
from myapprentice_app.services.clients import ClientForm
from myapprentice_app.services.invoice_delivery import EmailDraft
from tests.security.conftest import (
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

REFUSED = "refused"  # an error toast in the person's own words ("That invoice was not found.", …)
NO_ROWS = "no rows"  # a filter: the list simply shows none of the other business's records
SILENT = "silent"  # a background watcher: it stops, showing nothing
PAGE_SAYS = "page says"  # the page itself says the record was not found (no toast besides)


@dataclass(frozen=True)
class Attempt:
    """One handler called by our Owner with the other business's (`t`, theirs) ids; `o` is our own world."""

    handler: str
    case: str
    expect: str = REFUSED
    path: Callable[[World, World], str] = lambda o, t: "/invoices"
    params: Callable[[World, World], dict[str, str]] = lambda o, t: {}
    args: Callable[[World, World], tuple] = lambda o, t: ()
    prepare: Callable[[Any, World, World], None] = lambda state, o, t: None
    field: Callable[[World, World], str] | None = None  # a form refusal: the field it highlights
    connected: bool = False  # our business is connected to Xero, so only the id can stop the push


def _their_invoice_page(which: str) -> dict[str, Any]:
    return {"path": lambda o, t: f"/invoices/{getattr(t, which)}",
            "params": lambda o, t: {"id": str(getattr(t, which))}}


def _panel_on(whose: str) -> Callable[[Any, World, World], None]:
    def prepare(state, o: World, t: World) -> None:  # type: ignore[no-untyped-def]
        state.panel = XeroPanel(invoice_id=(t if whose == "theirs" else o).authorised_invoice_id)
    return prepare


def _invoice_form(invoice_id: Callable[[World, World], int], client_id: Callable[[World, World], int],
                  rate_id: Callable[[World, World], int]) -> Callable[[Any, World, World], None]:
    def prepare(state, o: World, t: World) -> None:  # type: ignore[no-untyped-def]
        state._use_rates([(o.rate_id, "GST", 10, True)])
        state.invoice_id = invoice_id(o, t)
        state.set_field("client_id", str(client_id(o, t)))
        state.set_field("issue_date", TODAY.isoformat())
        state.set_field("due_date", TODAY.isoformat())
        state.add_line()
        for field, value in (("description", "Overwritten"), ("quantity", "1"), ("unit_amount", "5"),
                             ("tax_rate_id", str(rate_id(o, t)))):
            state.set_line_field(0, field, value)
    return prepare


def _work_form(kind: str, record_id: Callable[[World, World], int], client_id: Callable[[World, World], int],
               assignee: Callable[[World, World], int] | None = None) -> Callable[[Any, World, World], None]:
    def prepare(state, o: World, t: World) -> None:  # type: ignore[no-untyped-def]
        state.kind, state.record_id = kind, record_id(o, t)
        state.set_field("client_id", str(client_id(o, t)))
        state.set_field("title", "Overwritten")
        state.set_field("status", "scheduled" if kind == "job" else "draft")
        if assignee is not None:
            state.set_field("assigned_user_id", str(assignee(o, t)))
    return prepare


def _fix(invoice: Callable[[World, World], int], action: str, value: str | Callable[[World, World], str],
         form: bool = False) -> Callable[[World, World], tuple]:
    """A fix's arguments as its button sends them: the invoice, its stamp as shown, the fix and its choice."""
    def args(o: World, t: World) -> tuple:
        invoice_id = invoice(o, t)
        chosen = value if isinstance(value, str) else value(o, t)
        if form:
            return ({"invoice_id": str(invoice_id), "stamp": stamp_of(invoice_id), "action": action, "value": chosen},)
        return (invoice_id, stamp_of(invoice_id), action, chosen)
    return args


def _payment(state, o: World, t: World) -> None:  # type: ignore[no-untyped-def]
    state.pay_invoice_id, state.amount, state.paid_on, state.method = (t.authorised_invoice_id, "10.00",
                                                                       TODAY.isoformat(), "cash")


def _email(state, o: World, t: World) -> None:  # type: ignore[no-untyped-def]
    state.email = EmailDraft(to_address="someone@example.test", subject="Your invoice", body="Please pay.")


def _client_form(state, o: World, t: World) -> None:  # type: ignore[no-untyped-def]
    state.client_id, state.form = t.client_id, ClientForm(name="Overwritten", email="x@example.test")


OURS, THEIRS = (lambda o, t: o.draft_invoice_id), (lambda o, t: t.draft_invoice_id)
OUR_AUTHORISED, THEIR_AUTHORISED = (lambda o, t: o.authorised_invoice_id), (lambda o, t: t.authorised_invoice_id)
OUR_CLIENT, THEIR_CLIENT = (lambda o, t: o.client_id), (lambda o, t: t.client_id)
OUR_RATE, THEIR_RATE = (lambda o, t: o.rate_id), (lambda o, t: t.rate_id)

ATTEMPTS = [
    # --- invoice ids as handler arguments -------------------------------------------------------------------------
    Attempt("XeroPanelState.refresh", "their_invoice", SILENT, **_their_invoice_page("authorised_invoice_id")),
    Attempt("SyncActionsState.push_invoice", "their_invoice", args=lambda o, t: (t.authorised_invoice_id,),
            connected=True),
    # --- a sync run's id (the board's Retry failed, the run history) -------------------------------------------------
    Attempt("SyncActionsState.retry_failed", "their_run", args=lambda o, t: (t.run_id,), connected=True),
    Attempt("RunHistoryState.open_run", "their_run", args=lambda o, t: (t.run_id,)),
    Attempt("InvoiceActionsState.export_csv", "their_invoice", args=lambda o, t: (t.authorised_invoice_id,)),
    Attempt("InvoiceActionsState.open_payment", "their_invoice", args=lambda o, t: (t.authorised_invoice_id,)),
    Attempt("InvoiceActionsState.record_payment", "their_invoice", prepare=_payment),
    # --- the Xero panel: their invoice, or our invoice fixed with their tax rate, contact or account -----------------
    Attempt("XeroPanelState.apply_fix", "retry_their_invoice", args=_fix(THEIR_AUTHORISED, "retry", ""),
            connected=True),
    Attempt("XeroPanelState.apply_fix", "renumber_their_invoice", args=_fix(THEIR_AUTHORISED, "renumber", "")),
    Attempt("XeroPanelState.apply_fix", "map_their_tax_rate",
            args=_fix(OUR_AUTHORISED, "map_tax_rate", lambda o, t: f"{t.rate_id}:OUTPUT")),
    Attempt("XeroPanelState.apply_fix", "link_their_xero_contact",
            args=_fix(OUR_AUTHORISED, "link_contact", lambda o, t: t.xero_contact_id)),
    Attempt("XeroPanelState.apply_fix", "pick_their_xero_account",
            args=_fix(OUR_AUTHORISED, "pick_account", lambda o, t: f"labour:{t.xero_account_code}")),
    Attempt("XeroPanelState.fix_with_form", "map_their_tax_rate",
            args=_fix(OUR_AUTHORISED, "map_tax_rate", lambda o, t: f"{t.rate_id}:OUTPUT", form=True)),
    Attempt("XeroPanelState.watch", "their_invoice", SILENT, prepare=_panel_on("theirs")),
    # --- errors by cause: a cause naming their tax rate, or their Xero account for ours -------------------------------
    Attempt("ErrorCausesState.fix", "their_tax_rate_cause", connected=True,
            args=lambda o, t: ({"fix": "map_tax_rate", "cause": f"tax:{t.rate_id}", "value": "OUTPUT"},)),
    Attempt("ErrorCausesState.fix", "their_xero_account", connected=True,
            args=lambda o, t: ({"fix": "pick_account", "cause": "account:labour", "value": t.xero_account_code},)),
    # --- the invoices list --------------------------------------------------------------------------------------------
    Attempt("InvoicesState.filter_client", "their_client", NO_ROWS, args=lambda o, t: (str(t.client_id),)),
    # --- the invoice page, its id in the route ------------------------------------------------------------------------
    Attempt("InvoiceDetailState.load", "their_invoice", PAGE_SAYS, **_their_invoice_page("draft_invoice_id")),
    Attempt("InvoiceDetailState.refresh", "their_invoice", PAGE_SAYS, **_their_invoice_page("draft_invoice_id")),
    Attempt("InvoiceDetailState.authorise_invoice", "their_invoice", **_their_invoice_page("draft_invoice_id")),
    Attempt("InvoiceDetailState.void_invoice", "their_invoice", **_their_invoice_page("authorised_invoice_id")),
    Attempt("InvoiceDetailState.open_send", "their_invoice", **_their_invoice_page("authorised_invoice_id")),
    Attempt("InvoiceDetailState.send", "their_invoice", prepare=_email, **_their_invoice_page("authorised_invoice_id")),
    # --- the invoice form: their invoice, quote or job in the route; their client or tax rate in the form -----------
    Attempt("InvoiceFormState.load", "their_invoice", path=lambda o, t: f"/invoices/{t.draft_invoice_id}/edit",
            params=lambda o, t: {"id": str(t.draft_invoice_id)}),
    Attempt("InvoiceFormState.load", "their_quote", path=lambda o, t: f"/invoices/new?quote={t.quote_id}"),
    Attempt("InvoiceFormState.load", "their_job", path=lambda o, t: f"/invoices/new?job={t.job_id}"),
    Attempt("InvoiceFormState.save", "their_invoice", prepare=_invoice_form(THEIRS, OUR_CLIENT, OUR_RATE)),
    Attempt("InvoiceFormState.save", "their_client", prepare=_invoice_form(lambda o, t: 0, THEIR_CLIENT, OUR_RATE),
            field=lambda o, t: "client_id"),
    Attempt("InvoiceFormState.save", "their_tax_rate", prepare=_invoice_form(OURS, OUR_CLIENT, THEIR_RATE),
            field=lambda o, t: "lines.0.tax_rate_id"),
    # --- clients, jobs and quotes -------------------------------------------------------------------------------------
    Attempt("ClientFormState.load", "their_client", path=lambda o, t: f"/clients/{t.client_id}",
            params=lambda o, t: {"id": str(t.client_id)}),
    Attempt("ClientFormState.save", "their_client", prepare=_client_form),
    Attempt("WorkFormState.load_job", "their_job", path=lambda o, t: f"/jobs/{t.job_id}",
            params=lambda o, t: {"id": str(t.job_id)}),
    Attempt("WorkFormState.load_quote", "their_quote", path=lambda o, t: f"/quotes/{t.quote_id}",
            params=lambda o, t: {"id": str(t.quote_id)}),
    Attempt("WorkFormState.save", "their_job", prepare=_work_form("job", lambda o, t: t.job_id, OUR_CLIENT)),
    Attempt("WorkFormState.save", "job_for_their_client", prepare=_work_form("job", lambda o, t: 0, THEIR_CLIENT),
            field=lambda o, t: "client_id"),
    Attempt("WorkFormState.save", "job_assigned_to_their_member",
            prepare=_work_form("job", lambda o, t: o.job_id, OUR_CLIENT, lambda o, t: t.member_user_id),
            field=lambda o, t: "assigned_user_id"),
    Attempt("WorkFormState.save", "their_quote", prepare=_work_form("quote", lambda o, t: t.quote_id, OUR_CLIENT)),
    Attempt("WorkFormState.save", "quote_for_their_client",
            prepare=_work_form("quote", lambda o, t: 0, THEIR_CLIENT), field=lambda o, t: "client_id"),
    # --- the team, the business picker ----------------------------------------------------------------------------
    Attempt("TeamState.change_role", "their_member", path=lambda o, t: "/settings/team",
            args=lambda o, t: (t.member_user_id, "admin")),
    Attempt("TeamState.remove", "their_member", path=lambda o, t: "/settings/team",
            args=lambda o, t: (t.member_user_id,)),
    Attempt("TeamState.cancel_invitation", "their_invitation", path=lambda o, t: "/settings/team",
            args=lambda o, t: (t.invitation_id,)),
    Attempt("BusinessPickerState.choose", "their_business", path=lambda o, t: "/choose-business",
            args=lambda o, t: (t.business_id,)),
    # --- Xero settings ------------------------------------------------------------------------------------------------
    Attempt("XeroSettingsState.save", "their_tax_rate", path=lambda o, t: "/settings/xero",
            args=lambda o, t: ({f"tax_{t.rate_id}": "OUTPUT", "push_as": "draft"},),
            field=lambda o, t: f"tax_{t.rate_id}"),
    Attempt("XeroSettingsState.save", "their_xero_account", path=lambda o, t: "/settings/xero",
            args=lambda o, t: ({"labour_account": t.xero_account_code, "push_as": "draft"},),
            field=lambda o, t: "labour_account"),
    Attempt("XeroSettingsState.choose_organisation", "their_xero_organisation",
            path=lambda o, t: "/settings/integrations", args=lambda o, t: (t.tenant_id,)),
]

# Handlers whose form dict carries ids (`tax_<rate id>`, a fix's "<rate id>:<tax type>"): found by reading them.
FORMS_WITH_IDS = {"XeroSettingsState.save", "XeroPanelState.fix_with_form"}
ID_PARAMETER = re.compile(r"(^|_)id$")


def connect(session: Session, world: World) -> None:
    """Our business finished choosing its Xero organisation: pushes are allowed, so only the id can stop one."""
    connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == world.business_id)).one()
    connection.status, connection.tenant_id, connection.tenant_choices = "connected", world.tenant_id, None
    session.commit()


def _texts(world: World) -> list[str]:
    return [world.marker, f"{world.marker} Client", f"{world.marker} switchboard upgrade", f"{world.marker} job",
            f"{world.marker} quote", f"{world.marker} PO", "Rival Plumbing", "rival.supervisor@example.test"]


def _id(attempt: Attempt) -> str:
    return f"an_owner_calling_{attempt.handler}_with_{attempt.case}"


@pytest.mark.parametrize("attempt", ATTEMPTS, ids=[_id(attempt) for attempt in ATTEMPTS])
def test_an_owner_passing_another_business_id_is_refused_sees_none_of_it_and_changes_nothing(
        session, world: World, rival: World, attempt: Attempt) -> None:
    state_class, handler = app_handlers()[attempt.handler]
    token = token_for(session, world.owner)
    if attempt.connected:
        connect(session, world)
    before = snapshot()

    async def scenario():  # type: ignore[no-untyped-def]
        root = await states_for(token, attempt.path(world, rival), attempt.params(world, rival))
        state = await root.get_state(state_class)
        attempt.prepare(state, world, rival)
        events = await call_handler(state, handler, attempt.args(world, rival))
        return events, state, repr(root.dict())

    events, state, every_var = run(scenario())
    shown = toasts(events)
    if attempt.expect == REFUSED:
        assert [text for level, text in shown if level == "error"], f"no refusal shown: {shown}, {events}"
        if attempt.field is not None:
            assert attempt.field(world, rival) in state.errors, f"the form highlights {state.errors}"
    elif attempt.expect == NO_ROWS:
        assert state.rows == [] and state.total_count == 0
    elif attempt.expect == PAGE_SAYS:
        assert state.missing == "That invoice was not found." and not state.found and not toasts(events)
    else:
        assert not events
    seen = [text for text in _texts(rival) if text in every_var or text in repr(events) + repr(shown)]
    assert not seen, f"the other business's {seen} reached this tab"
    assert changed_tables(before, snapshot()) == [], "the other business's id changed the database"


def test_every_handler_that_takes_an_id_is_tried_with_another_business_id() -> None:
    """A new handler with an id parameter, page route with an [id] segment, or form carrying ids needs a row."""
    from myapprentice_app.myapprentice_app import app

    tried = {attempt.handler for attempt in ATTEMPTS}
    by_signature = {name for name, (cls, handler) in app_handlers().items()
                    if any(ID_PARAMETER.search(parameter)
                           for parameter in inspect.signature(cls.event_handlers[handler].fn).parameters)}
    by_route: set[str] = set()
    for page in app._unevaluated_pages.values():
        loaders = page.on_load if isinstance(page.on_load, list) else [page.on_load]
        if "[id]" in page.route:
            by_route |= {cast(Any, loader).fn.__qualname__ for loader in loaders if isinstance(loader, EventHandler)}
    untried = sorted((by_signature | by_route | FORMS_WITH_IDS) - tried)
    assert not untried, f"these take an id but no attempt passes another business's: {untried}"


def test_the_xero_callback_with_another_business_consent_state_is_refused_and_changes_nothing(
        session, world: World, rival: World) -> None:
    """The only HTTP route that takes another record's key: Xero's redirect back carries the consent's state."""
    client = TestClient(api, base_url="http://localhost:3000", follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, token_for(session, world.owner))
    before = snapshot()
    response = client.get("/api/xero/callback?state=rival-consent-in-flight&code=their-code")
    assert response.status_code == 302
    assert response.headers["location"].startswith("/settings/integrations?xero_error=")
    assert "Rival" not in response.headers["location"]
    assert changed_tables(before, snapshot()) == []

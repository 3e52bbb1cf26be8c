"""The security tier's shared pieces: a signed-in tab's state tree, a handler run the way Reflex runs it, the
refusal a person would see, a snapshot of every table, and a business filled with one of everything."""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import json
import pkgutil
import re
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
import reflex as rx
import sqlalchemy as sa
from huey.storage import MemoryStorage
from reflex.istate.manager.memory import StateManagerMemory
from reflex.istate.shared import SharedState, SharedStateBaseInternal
from reflex_base.event.context import EventContext
from sqlmodel import Session, SQLModel

import myapprentice_app.ui
from myapprentice_app.db import get_engine
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.roles import Role
from myapprentice_app.domain.sync_states import ItemOutcome, RunKind, RunState
from myapprentice_app.jobs.huey_app import huey
from myapprentice_app.models import (
    Business,
    Membership,
    OAuthState,
    SyncRun,
    SyncRunItem,
    TaxRate,
    XeroAccount,
    XeroConnection,
    XeroContact,
    XeroTaxRate,
)
from myapprentice_app.services import auth, clients, invoices, team, work
from myapprentice_app.services.clients import ClientForm
from myapprentice_app.services.invoices import InvoiceDraft
from myapprentice_app.services.lines import LineDraft
from myapprentice_app.services.principal import Principal
from myapprentice_app.services.work import JobForm, QuoteForm
from tests.conftest import PASSWORD
from tests.support.reflex_states import run, states_for  # noqa: F401 (the tier's tests import them from here)

TODAY = dt.date.today()
PERMISSION_TOAST = "You don't have permission to do that."
# Reflex's own handlers on every state (setting client-storage vars, hydration, on_load plumbing): not ours to guard.
REFLEX_INTERNAL = frozenset({"setvar", "set_is_hydrated", "hydrate", "hydrate_and_load", "update_vars_internal",
                             "on_load_internal", "handle_frontend_exception"})


# ---- a tab's state tree, and a handler run through it -------------------------------------------------------------

async def call_handler(state: rx.State, name: str, args: tuple = ()) -> list[Any]:
    """Call one event handler as the event processor would, and return every event it returned or yielded."""
    if not isinstance(state, SharedState):
        return await _call_handler(state, name, args)
    # The processor patches linked states in around the handler, from its state manager.
    context = EventContext(token="tab-1", state_manager=StateManagerMemory(), enqueue_impl=_nowhere)
    reset = EventContext.set(context)
    try:
        shared = await state._get_root_state().get_state(SharedStateBaseInternal)
        async with shared._modify_linked_states():
            return await _call_handler(state, name, args)
    finally:
        EventContext.reset(reset)


async def _nowhere(*_: Any) -> None:
    """Events a handler enqueues for later go nowhere: what it returned is what the tests look at."""


async def _call_handler(state: rx.State, name: str, args: tuple) -> list[Any]:
    handler = type(state).event_handlers[name]
    outcome = handler.fn(state, *args)
    if inspect.isawaitable(outcome):
        outcome = await outcome
    events: list[Any] = []
    if inspect.isasyncgen(outcome):
        events.extend([item async for item in outcome])
    elif inspect.isgenerator(outcome):
        events.extend(outcome)
    elif isinstance(outcome, list | tuple):
        events.extend(outcome)
    else:
        events.append(outcome)
    return [event for event in events if event is not None]


def token_for(session: Session, actor: Principal) -> str:
    return auth.log_in(session, email=actor.email, password=PASSWORD).token


# ---- what the person sees ------------------------------------------------------------------------------------------

_TOAST = re.compile(r"""refs\['__toast'\]\?\.\["(\w+)"\]\(("(?:[^"\\]|\\.)*")""")


def toasts(events: list[Any]) -> list[tuple[str, str]]:
    """(level, text) of every toast among the events a handler returned."""
    found = []
    for event in events:
        for _, value in getattr(event, "args", ()):
            for level, text in _TOAST.findall(str(getattr(value, "_js_expr", ""))):
                found.append((level, json.loads(text)))
    return found


def redirects(events: list[Any]) -> list[str]:
    paths: list[str] = []
    for event in events:
        handler = getattr(event, "handler", None)
        if handler is not None and getattr(handler.fn, "__name__", "") == "_redirect":
            paths.extend(str(getattr(value, "_var_value", "")) for name, value in event.args
                         if str(name) == "path")
    return paths


# ---- the database, before and after --------------------------------------------------------------------------------

def stamp_of(invoice_id: int) -> str:
    """The invoice's sync stamp, as its page shows it (a fix carries it)."""
    from myapprentice_app.models import Invoice

    with get_engine().connect() as connection:
        row = connection.execute(sa.select(Invoice.__table__).where(Invoice.__table__.c.id == invoice_id)).one()
    return Invoice.model_validate(row._asdict()).sync_stamp


def snapshot() -> dict[str, list[tuple]]:
    """Every row of every table, in a stable order: compared before and after an attack."""
    with get_engine().connect() as connection:
        return {table.name: [tuple(row) for row in connection.execute(
                    sa.select(table).order_by(*table.primary_key.columns or list(table.columns)[:1]))]
                for table in SQLModel.metadata.sorted_tables}


def changed_tables(before: dict[str, list[tuple]], after: dict[str, list[tuple]]) -> list[str]:
    return [name for name in before if before[name] != after.get(name)]


# ---- the app's own handlers ----------------------------------------------------------------------------------------

def app_states() -> list[type[rx.State]]:
    """Every concrete Reflex state class defined under myapprentice_app.ui (mixins excluded: their handlers are
    registered on the states that use them)."""
    for module in pkgutil.walk_packages(myapprentice_app.ui.__path__, "myapprentice_app.ui."):
        importlib.import_module(module.name)

    def walk(cls: type[rx.State]) -> Iterator[type[rx.State]]:
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    found = {cls for cls in walk(rx.State)
             if cls.__module__.startswith("myapprentice_app.ui.") and not getattr(cls, "_mixin", False)}
    return sorted(found, key=lambda cls: cls.__name__)


def app_handlers() -> dict[str, tuple[type[rx.State], str]]:
    """"StateClass.handler" → (class, handler name), for every handler a client can call."""
    return {f"{cls.__name__}.{name}": (cls, name)
            for cls in app_states() for name in cls.event_handlers
            if name not in REFLEX_INTERNAL and not name.startswith("_")}


# ---- one of everything, in a business ------------------------------------------------------------------------------

@dataclass(frozen=True)
class World:
    """A business's records, made through the services the app uses; every text carries `marker`."""

    marker: str
    business_id: int
    owner: Principal
    client_id: int
    rate_id: int
    draft_invoice_id: int
    authorised_invoice_id: int
    job_id: int
    quote_id: int
    member_user_id: int  # a Supervisor
    tenant_id: str  # an organisation offered by the pending Xero connection (status choose_org)
    xero_contact_id: str
    xero_account_code: str
    run_id: int  # a finished Send all in which an invoice (of its own) ended in Error, and still is
    invitation_id: int  # a pending invitation to join as Finance


def member(session: Session, business_id: int, role: Role, email: str) -> Principal:
    user = auth.create_user(session, email=email, name=f"{role.label} {email.split('@')[0]}", password=PASSWORD)
    session.add(Membership(user_id=user.id or 0, business_id=business_id, role=role.value))
    session.commit()
    principal = auth.resolve(session, auth.log_in(session, email=email, password=PASSWORD).token)
    assert principal is not None
    return principal


def build_world(session: Session, owner: Principal, marker: str, code: str) -> World:
    rate = TaxRate(business_id=owner.business_id, name=f"{marker} GST", rate=Decimal(10), is_default=True,
                   xero_tax_type="OUTPUT")
    session.add(rate)
    session.commit()
    assert rate.id is not None
    client = clients.create_client(session, owner, ClientForm(
        name=f"{marker} Client", email=f"accounts@{code}.example.test", address_line1=f"1 {marker} St",
        city="Sydney", region="NSW", postcode="2000", country="Australia"))
    assert client.id is not None

    def lines() -> list[LineDraft]:
        return [LineDraft(f"{marker} switchboard upgrade", "2", "90.00", "labour", rate.id)]

    def invoice_draft() -> InvoiceDraft:
        return InvoiceDraft(client_id=client.id, issue_date=TODAY, due_date=TODAY + dt.timedelta(days=14),
                            lines=lines(), reference=f"{marker} PO")

    draft = invoices.create_invoice(session, owner, invoice_draft())
    authorised = invoices.create_invoice(session, owner, invoice_draft())
    invoices.authorise_invoice(session, owner, authorised.id or 0)
    job = work.save_job(session, owner, None, JobForm(client_id=client.id, title=f"{marker} job",
                                                      status="completed", lines=lines()))
    quote = work.save_quote(session, owner, None, QuoteForm(client_id=client.id, title=f"{marker} quote",
                                                            status="accepted", lines=lines()))
    supervisor = member(session, owner.business_id, Role.SUPERVISOR, f"{code}.supervisor@example.test")
    tenant_id = f"{code}-tenant-0000-0000-000000000001"[:36]
    session.add_all([
        XeroConnection(business_id=owner.business_id, status="choose_org", token_enc="",
                       access_expires_at=dt.datetime.now(dt.UTC),
                       tenant_choices=json.dumps([{"id": tenant_id, "name": f"{marker} Pty Ltd",
                                                   "connection_id": f"{code}-connection"}])),
        XeroContact(business_id=owner.business_id, contact_id=f"{code}-contact", name=f"{marker} Xero contact"),
        XeroAccount(business_id=owner.business_id, account_id=f"{code}-account", code=f"{code[:3]}200",
                    name=f"{marker} Sales", type="REVENUE", account_class="REVENUE", status="ACTIVE"),
        XeroTaxRate(business_id=owner.business_id, tax_type="OUTPUT", name=f"{marker} GST on Income",
                    rate=Decimal(10), status="ACTIVE"),
    ])
    invitation = team.invite(session, owner, email_address=f"{code}.invitee@example.test", name=f"{marker} Invitee",
                             role="finance")
    errored = invoices.create_invoice(session, owner, invoice_draft())
    invoices.authorise_invoice(session, owner, errored.id or 0)
    errored.sync_status = SyncStatus.ERROR
    send_all = SyncRun(business_id=owner.business_id, kind=RunKind.SEND_ALL, state=RunState.DONE, total=1,
                  started_by_user_id=owner.user_id, finished_at=dt.datetime.now(dt.UTC))
    session.add(send_all)
    session.flush()
    session.add(SyncRunItem(run_id=send_all.id or 0, invoice_id=errored.id or 0, outcome=ItemOutcome.ERROR))
    session.commit()
    return World(marker=marker, business_id=owner.business_id, owner=owner, client_id=client.id,
                 rate_id=rate.id, draft_invoice_id=draft.id or 0, authorised_invoice_id=authorised.id or 0,
                 job_id=job.id or 0, quote_id=quote.id or 0, member_user_id=supervisor.user_id,
                 tenant_id=tenant_id, xero_contact_id=f"{code}-contact", xero_account_code=f"{code[:3]}200",
                 run_id=send_all.id or 0, invitation_id=invitation.id or 0)


@pytest.fixture
def queue_in_memory(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever a handler enqueues stays in this process (never in instance/queue.db); nothing here runs it."""
    monkeypatch.setattr(huey, "storage", MemoryStorage("security-tests"))


@pytest.fixture
def world(session: Session, business: Business, make_actor, queue_in_memory: None) -> World:
    """The signed-in person's own business (the `business` fixture), with one of everything."""
    return build_world(session, make_actor(Role.OWNER), "Test", "ours")


@pytest.fixture
def rival(session: Session, queue_in_memory: None) -> World:
    """Another business, with one of everything, none of it visible to the first."""
    rival_business = Business(name="Rival Plumbing")
    session.add(rival_business)
    session.commit()
    owner = member(session, rival_business.id or 0, Role.OWNER, "rival.owner@example.test")
    rival_world = build_world(session, owner, "Rival", "rival")
    session.add(OAuthState(state="rival-consent-in-flight", business_id=rival_business.id or 0, user_id=owner.user_id,
                           code_verifier="rival-verifier"))
    session.commit()
    return rival_world

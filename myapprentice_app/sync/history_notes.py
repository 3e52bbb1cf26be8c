"""After a push: "Pushed from MyApprentice by <name>" in the History and Notes of each invoice Xero now holds,
so the accountant sees where an invoice came from.

Xero takes a note for one invoice per call (`PUT /Invoices/{id}/History`) and allows an organisation 60 calls
a minute, while a push sends 50 invoices in one call. So the notes cost what the push is worth:

- a push of one invoice (the Push to Xero button, a retry) writes its note right after the run: one more call,
  for an invoice someone is waiting on;
- Send all does not write them inline: 50 notes for a 50-invoice batch would take most of a minute's budget
  from the batches still to go. Its notes go to a low-priority task that spends only spare budget (it stops
  while fewer than RESERVE calls of the organisation's minute are left) and comes back a minute later for
  the rest, as the online-invoice links wait for a quiet moment too. The pushes are the work; a note can wait.
- nor do they spend the day: on Xero's Starter plan (1,000 calls a day) a Send all of 1,000 invoices takes 21
  calls and its notes would take the rest, leaving nothing for the day's payments and pushes. Notes stop while
  DAY_RESERVE calls or fewer are left today, and wait for Xero's reset.

Each note carries its own Idempotency-Key, so a note whose answer was lost is not written twice.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from sqlmodel import col, select

from myapprentice_app.db import session_scope
from myapprentice_app.domain.sync_states import ConnectionStatus, ItemOutcome, RunKind
from myapprentice_app.integrations.xero.client import Reply, XeroClient
from myapprentice_app.integrations.xero.errors import (
    ConnectionRevoked,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Unavailable,
)
from myapprentice_app.models import Invoice, SyncRun, SyncRunItem, User, XeroConnection
from myapprentice_app.sync.context import OrgContext
from myapprentice_app.sync.runs import settings_for

RESERVE = 20  # calls of the minute a deferred note never touches: they are the pushes' and the pulls'
DAY_RESERVE = 500  # calls of the day a deferred note never touches: half of Xero's Starter quota
Note = tuple[str, str, str]  # (Xero InvoiceID, text, Idempotency-Key)


@dataclass
class RunNotes:
    business_id: int
    deferred: bool  # Send all: written from spare budget by a low-priority task
    notes: list[Note]


def note_text(name: str | None) -> str:
    return f"Pushed from MyApprentice by {name}" if name else "Pushed from MyApprentice"


def notes_for(run_id: int) -> RunNotes | None:
    """The notes a finished push or Send all owes: one per invoice it synced."""
    with session_scope() as session:
        run = session.get(SyncRun, run_id)
        if run is None or run.kind not in ("push", "send_all"):
            return None
        user = session.get(User, run.started_by_user_id) if run.started_by_user_id else None
        text = note_text(user.name if user else None)
        rows = session.exec(
            select(Invoice.id, Invoice.xero_invoice_id)
            .join(SyncRunItem, col(SyncRunItem.invoice_id) == col(Invoice.id))
            .where(SyncRunItem.run_id == run_id, SyncRunItem.outcome == ItemOutcome.SYNCED)
        ).all()
        notes = [(xero_id, text, f"history-note-{run_id}-{invoice_id}") for invoice_id, xero_id in rows if xero_id]
        return RunNotes(run.business_id, run.kind == RunKind.SEND_ALL, notes)


def _add(xero: XeroClient, invoice_id: str, text: str, key: str) -> Reply:
    return xero.add_history_note(invoice_id, text, key)


def _spare(ctx: OrgContext) -> bool:
    today = ctx.budget.calls_left_today()
    return ctx.budget.calls_left_this_minute() > RESERVE and (today is None or today > DAY_RESERVE)


def write(business_id: int, notes: list[Note], spare_only: bool = False) -> list[Note]:
    """Write the notes in order; returns those left for later (busy Xero, or no spare budget)."""
    with session_scope() as session:
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == business_id)).first()
        if connection is None or connection.status != ConnectionStatus.CONNECTED or not connection.tenant_id:
            return []
        ctx = OrgContext(business_id=business_id, tenant_id=connection.tenant_id,
                         settings=settings_for(session, business_id))
    for index, (invoice_id, text, key) in enumerate(notes):
        if spare_only and not _spare(ctx):
            return notes[index:]
        try:
            ctx.call(functools.partial(_add, invoice_id=invoice_id, text=text, key=key))
        except Rejected:
            continue  # the invoice is gone from Xero: nothing to note
        except ConnectionRevoked:
            return []
        except (RateLimited, Unavailable, OutcomeUnknown):
            return notes[index:]  # same key next time: a note that did arrive is not repeated
    return []

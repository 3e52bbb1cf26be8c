"""Writing what happened onto the invoice, its run item and its history, in the caller's transaction."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import sqlalchemy as sa
from sqlmodel import Session, col

from myapprentice_app.db import utcnow
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.sync_errors import CATALOGUE, ErrorCode, Problem, contact_cause, number_cause
from myapprentice_app.domain.sync_states import ItemOutcome
from myapprentice_app.models import Invoice, SyncAttempt, SyncProblem, SyncRunItem


class Who(Protocol):
    business_id: int
    run_id: int | None
    user_id: int | None


@dataclass
class RunRef:
    business_id: int
    run_id: int | None = None
    user_id: int | None = None


def synced(session: Session, ctx: Who, invoice_id: int, version: int, xero_id: str, *, action: str,
           key: str | None = None, sent: str | None = None, answer: str | None = None) -> None:
    invoice = session.get(Invoice, invoice_id)
    assert invoice is not None
    invoice.xero_invoice_id = xero_id
    invoice.synced_version = version
    # Edited while the push was in flight: that version is in Xero, the newer one is not yet.
    invoice.sync_status = SyncStatus.SYNCED if invoice.version == version else SyncStatus.NOT_SYNCED
    invoice.sync_error_code = invoice.sync_error_message = invoice.sync_error_detail = None
    _attempt(session, ctx, invoice, action, "synced", key, sent, answer)
    _item(session, ctx, invoice_id, ItemOutcome.SYNCED)


@dataclass(frozen=True)
class Synced:
    """One invoice Xero accepted, for `synced_many`."""

    invoice_id: int
    version: int
    xero_id: str
    action: str
    key: str | None = None
    sent: str | None = None
    answer: str | None = None


_invoices = Invoice.__table__  # type: ignore[attr-defined]
_attempts = SyncAttempt.__table__  # type: ignore[attr-defined]
_items = SyncRunItem.__table__  # type: ignore[attr-defined]


# Built once (a batch of 50 answers is written with each): the invoices, their history, their run items.
_SYNCED = (sa.update(_invoices).where(_invoices.c.id == sa.bindparam("b_id"))
           .values(xero_invoice_id=sa.bindparam("b_xero_id"), synced_version=sa.bindparam("b_version"),
                   # Edited while the push was in flight: that version is in Xero, the newer one is not yet.
                   sync_status=sa.case((_invoices.c.version == sa.bindparam("b_version"), SyncStatus.SYNCED.value),
                                       else_=SyncStatus.NOT_SYNCED.value),
                   sync_error_code=None, sync_error_message=None, sync_error_detail=None))
_ATTEMPTS = sa.insert(_attempts)
_ITEMS_SYNCED = (sa.update(_items)
                 .where(_items.c.run_id == sa.bindparam("b_run"),
                        _items.c.invoice_id.in_(sa.bindparam("b_invoices", expanding=True)))
                 .values(outcome=ItemOutcome.SYNCED))


def synced_many(session: Session, ctx: Who, rows: list[Synced]) -> None:
    """`synced` for a whole batch in three statements (the invoices, their history, their run items)."""
    if not rows:
        return
    session.execute(_SYNCED, [{"b_id": row.invoice_id, "b_xero_id": row.xero_id, "b_version": row.version}
                              for row in rows])
    at = utcnow()
    session.execute(_ATTEMPTS, [
        {"business_id": ctx.business_id, "invoice_id": row.invoice_id, "run_id": ctx.run_id, "user_id": ctx.user_id,
         "at": at, "action": row.action, "outcome": "synced", "idempotency_key": row.key, "sent": row.sent,
         "answer": row.answer} for row in rows])
    if ctx.run_id is not None:
        session.execute(_ITEMS_SYNCED, {"b_run": ctx.run_id, "b_invoices": [row.invoice_id for row in rows]})


def failed(session: Session, ctx: Who, invoice_id: int, code: ErrorCode, message: str, *, action: str,
           detail: str | None = None, key: str | None = None, sent: str | None = None,
           answer: str | None = None, problems: Sequence[Problem] = ()) -> None:
    """Error, with the invoice's problems by cause (`problems`, from pre-flight: every one it found; else the
    one given, its cause told by its code)."""
    invoice = session.get(Invoice, invoice_id)
    assert invoice is not None
    if invoice.sync_status == SyncStatus.SYNCED:
        return  # a failure recorded late (a lost answer, a stale worker) never overwrites Synced
    invoice.sync_status = SyncStatus.ERROR
    invoice.sync_error_code = code.value
    invoice.sync_error_message = message or CATALOGUE[code].explanation
    invoice.sync_error_detail = detail
    _attempt(session, ctx, invoice, action, "error", key, sent, answer or detail)
    _item(session, ctx, invoice_id, ItemOutcome.ERROR)
    _problems(session, invoice, problems or [Problem(code, invoice.sync_error_message, _cause(code, invoice))])


def failed_before_sending(session: Session, ctx: Who, invoice_id: int, problems: Sequence[Problem]) -> None:
    """Pre-flight found problems: all of them are listed, the first one leads."""
    failed(session, ctx, invoice_id, problems[0].code, "\n".join(problem.detail for problem in problems),
           action="preflight", detail="Found before sending anything to Xero (pre-flight).", problems=problems)


def _cause(code: ErrorCode, invoice: Invoice) -> str:
    if code == ErrorCode.CONTACT_NOT_FOUND:
        return contact_cause(invoice.client_id)
    if code == ErrorCode.NUMBER_CONFLICT:
        return number_cause(invoice.id or 0)
    return code.value


def _problems(session: Session, invoice: Invoice, problems: Sequence[Problem]) -> None:
    session.execute(sa.delete(SyncProblem).where(col(SyncProblem.invoice_id) == invoice.id))
    for problem in problems:
        session.add(SyncProblem(invoice_id=invoice.id or 0, cause=problem.key, business_id=invoice.business_id,
                                code=problem.code.value, message=problem.detail))


def waiting(session: Session, ctx: Who, invoice_ids: list[int], next_try: dt.datetime, reason: str,
            why: str = "") -> None:
    """Still Pending: Xero is busy, down or out of quota, and the app will try again by itself."""
    if not invoice_ids:
        return
    session.execute(
        sa.update(Invoice).where(Invoice.id.in_(invoice_ids))  # type: ignore[union-attr]
        .where(col(Invoice.sync_status) == SyncStatus.PENDING)
        .values(sync_error_code=ErrorCode.WAITING_FOR_XERO.value,
                sync_error_message=waiting_message(next_try, why), sync_error_detail=reason[:2000]))


def waiting_message(next_try: dt.datetime, why: str = "") -> str:
    return f"Waiting for Xero{why} — next try at {next_try:%H:%M} UTC."


def retrying(session: Session, ctx: Who, invoice_ids: list[int], action: str, key: str, reason: str) -> None:
    for invoice_id in invoice_ids:
        session.add(SyncAttempt(business_id=ctx.business_id, invoice_id=invoice_id, run_id=ctx.run_id,
                                user_id=ctx.user_id, action=action, outcome="retrying", idempotency_key=key,
                                answer=reason[:2000]))


def _attempt(session: Session, ctx: Who, invoice: Invoice, action: str, outcome: str, key: str | None,
             sent: str | None, answer: str | None) -> None:
    session.add(SyncAttempt(business_id=ctx.business_id, invoice_id=invoice.id or 0, run_id=ctx.run_id,
                            user_id=ctx.user_id, at=utcnow(), action=action, outcome=outcome, idempotency_key=key,
                            sent=sent, answer=answer))


def _item(session: Session, ctx: Who, invoice_id: int, outcome: str) -> None:
    if ctx.run_id is None:
        return
    session.execute(sa.update(SyncRunItem).where(SyncRunItem.run_id == ctx.run_id)  # type: ignore[arg-type]
                    .where(col(SyncRunItem.invoice_id) == invoice_id).values(outcome=outcome))

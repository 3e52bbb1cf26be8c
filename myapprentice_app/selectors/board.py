"""Read side of the sync board: the business's latest run as it stands, past runs, and one run's outcomes.

`board_for_business` is what the board's feed polls while a run is active; it is the business's, not a
person's, because every tab of the business shares one board (each tab was authorised when it joined).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlmodel import Session, col, func, select

from myapprentice_app.db import utcnow
from myapprentice_app.domain.roles import Permission
from myapprentice_app.domain.sync_states import (
    ACTIVE_RUN_STATES,
    BOARD_RUN_KINDS,
    ConnectionStatus,
    ItemOutcome,
    RunKind,
    RunState,
)
from myapprentice_app.domain.xero_limits import day_quota_note
from myapprentice_app.models import Invoice, SyncRun, SyncRunItem, User, XeroBudget, XeroConnection
from myapprentice_app.services.errors import NotFound
from myapprentice_app.services.principal import Principal

CHIPS = 60  # invoice chips on the board; the counts cover the rest
HISTORY = 10  # past runs listed

KIND_LABELS = {RunKind.PUSH: "Push to Xero", RunKind.SEND_ALL: "Send all", RunKind.SYNC_ALL: "Sync All"}


@dataclass
class Chip:
    invoice_id: int = 0
    number: str = ""
    outcome: str = ""  # ItemOutcome


@dataclass
class BoardView:
    run_id: int = 0
    active: bool = False
    kind: str = ""  # "Send all", "Push to Xero", "Sync All"
    state: str = ""  # RunState
    started_by: str = ""
    total: int = 0
    done: int = 0
    synced: int = 0
    failed: int = 0
    pending: int = 0
    percent: int = 0
    elapsed: str = ""
    eta: str = ""  # only once the run's own pace is known
    next_try: str = ""
    quota_minute: str = ""  # empty until Xero's X-MinLimit-Remaining has been seen
    quota_day: str = ""  # empty until Xero's X-DayLimit-Remaining has been seen
    quota_note: str = ""  # when today's quota can't take the whole run: how much it takes, when the rest goes
    chips: list[Chip] = field(default_factory=list)
    more: int = 0  # invoices in the run beyond the chips shown
    summary: str = ""  # the one line a finished run collapses to
    connection: str = ConnectionStatus.NOT_CONNECTED.value


@dataclass
class RunRow:
    run_id: int = 0
    kind: str = ""
    who: str = ""
    when: str = ""
    took: str = ""
    totals: str = ""


@dataclass
class RunOutcome:
    run_id: int = 0
    title: str = ""
    chips: list[Chip] = field(default_factory=list)
    more: int = 0


def live_board(session: Session, actor: Principal) -> BoardView:
    actor.require(Permission.VIEW_INVOICES)
    return board_for_business(session, actor.business_id)


def board_for_business(session: Session, business_id: int, now: dt.datetime | None = None) -> BoardView:
    """The business's latest run (Push, Send all or Sync All) as the database has it now."""
    now = now or utcnow()
    connection = session.exec(select(XeroConnection, XeroBudget)
                              .join(XeroBudget, col(XeroBudget.tenant_id) == XeroConnection.tenant_id, isouter=True)
                              .where(XeroConnection.business_id == business_id)).first()
    run, who = _latest_run(session, business_id)
    board = BoardView(connection=connection[0].status if connection else ConnectionStatus.NOT_CONNECTED.value)
    if run is None:
        return board
    counts = dict(session.exec(select(SyncRunItem.outcome, func.count()).where(SyncRunItem.run_id == run.id)
                               .group_by(SyncRunItem.outcome)).all())
    board.run_id, board.kind, board.state, board.started_by = run.id or 0, _kind(run.kind), run.state, who
    board.active = run.state in ACTIVE_RUN_STATES
    board.synced, board.failed = counts.get(ItemOutcome.SYNCED, 0), counts.get(ItemOutcome.ERROR, 0)
    board.pending = counts.get(ItemOutcome.PENDING, 0)
    board.total = max(run.total, board.synced + board.failed + board.pending)
    board.done = board.synced + board.failed
    board.percent = int(100 * board.done / board.total) if board.total else (0 if board.active else 100)
    seconds = ((now if board.active else (run.finished_at or now)) - run.created_at).total_seconds()
    board.elapsed = duration(seconds)
    if board.active and board.done and board.pending:
        board.eta = duration(board.pending * seconds / board.done)
    if run.next_try_at and run.state == RunState.WAITING:
        board.next_try = run.next_try_at.strftime("%H:%M:%S UTC")
    budget = connection[1] if connection else None
    if budget is not None:
        board.quota_minute = "" if budget.minute_remaining is None else str(budget.minute_remaining)
        day_left = budget.calls_left_today()
        board.quota_day = "" if day_left is None else str(day_left)
        if run.state == RunState.WAITING and budget.blocked_problem == "day":
            board.quota_note = run.message or ""
        elif board.active:
            board.quota_note = day_quota_note(day_left, board.pending)
    board.chips = _chips(session, run.id or 0)
    board.more = max(0, board.total - len(board.chips))
    if not board.active:
        board.summary = (f"Last {board.kind}: {_totals(board.synced, board.failed, board.pending, run)}"
                         f" — {ago((now - (run.finished_at or run.created_at)).total_seconds())}")
    return board


def run_history(session: Session, actor: Principal) -> list[RunRow]:
    actor.require(Permission.VIEW_INVOICES)
    return history_for_business(session, actor.business_id)


def history_for_business(session: Session, business_id: int) -> list[RunRow]:
    """The business's finished runs, newest first: who, when, how long, totals."""
    runs = session.exec(_runs(business_id).where(SyncRun.state == RunState.DONE)
                        .order_by(col(SyncRun.id).desc()).limit(HISTORY)).all()
    ids = [run.id for run, _ in runs]
    counts: dict[int, dict[str, int]] = {}
    for run_id, outcome, count in session.exec(
            select(SyncRunItem.run_id, SyncRunItem.outcome, func.count()).where(col(SyncRunItem.run_id).in_(ids))
            .group_by(col(SyncRunItem.run_id), col(SyncRunItem.outcome))).all():
        counts.setdefault(run_id, {})[outcome] = count
    rows = []
    for run, who in runs:
        by = counts.get(run.id or 0, {})
        took = ((run.finished_at or run.created_at) - run.created_at).total_seconds()
        rows.append(RunRow(run_id=run.id or 0, kind=_kind(run.kind), who=who or "Automatic",
                           when=run.created_at.strftime("%d %b %Y %H:%M"), took=duration(took),
                           totals=_totals(by.get(ItemOutcome.SYNCED, 0), by.get(ItemOutcome.ERROR, 0),
                                          by.get(ItemOutcome.PENDING, 0), run)))
    return rows


def run_outcome(session: Session, actor: Principal, run_id: int) -> RunOutcome:
    """Every invoice of one of the business's runs, with how it ended."""
    actor.require(Permission.VIEW_INVOICES)
    run = session.get(SyncRun, run_id)
    if run is None or run.business_id != actor.business_id or run.kind not in BOARD_RUN_KINDS:
        raise NotFound("That run")
    chips = _chips(session, run_id, limit=None)
    return RunOutcome(run_id=run_id, chips=chips,
                      title=f"{_kind(run.kind)} · {run.created_at.strftime('%d %b %Y %H:%M')}")


def duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if minutes < 60 else f"{minutes // 60} h {minutes % 60} min"


def ago(seconds: float) -> str:
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    return f"{int(seconds // 86400)} days ago"


def _runs(business_id: int):  # type: ignore[no-untyped-def]
    return (select(SyncRun, User.name).join(User, col(User.id) == SyncRun.started_by_user_id, isouter=True)
            .where(SyncRun.business_id == business_id, col(SyncRun.kind).in_(BOARD_RUN_KINDS)))


def _latest_run(session: Session, business_id: int) -> tuple[SyncRun | None, str]:
    row = session.exec(_runs(business_id).order_by(col(SyncRun.id).desc())).first()
    return (row[0], row[1] or "") if row else (None, "")


def _chips(session: Session, run_id: int, limit: int | None = CHIPS) -> list[Chip]:
    query = (select(Invoice.id, Invoice.number, SyncRunItem.outcome)
             .join(SyncRunItem, col(SyncRunItem.invoice_id) == Invoice.id)
             .where(SyncRunItem.run_id == run_id).order_by(col(Invoice.id)))
    if limit is not None:
        query = query.limit(limit)
    return [Chip(invoice_id or 0, number, outcome) for invoice_id, number, outcome in session.exec(query).all()]


def _totals(synced: int, failed: int, pending: int, run: SyncRun) -> str:
    if run.kind == RunKind.SYNC_ALL and not (synced or failed or pending):
        return run.message or "checked Xero"
    parts = [f"{synced} synced", f"{failed} error{'' if failed == 1 else 's'}"]
    if pending:
        parts.append(f"{pending} not finished")
    return ", ".join(parts)


def _kind(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)  # type: ignore[call-overload]

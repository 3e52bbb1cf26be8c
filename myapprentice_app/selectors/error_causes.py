"""Errors by cause: the invoices in Error grouped by what is wrong ("5 invoices: No Xero account is chosen for
Labour lines."), each group with the one fix that settles it for all of them."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import sqlalchemy as sa
from sqlmodel import Session, col

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.domain.sync_errors import ErrorCode, entry_for
from myapprentice_app.models import Invoice, SyncProblem
from myapprentice_app.models.invoice_views import Option
from myapprentice_app.services.principal import Principal
from myapprentice_app.services.xero_settings import settings_view

SHOWN_INVOICES = 8


@dataclass
class CauseGroup:
    cause: str = ""
    title: str = ""
    summary: str = ""  # "5 invoices: No Xero account is chosen for Labour lines."
    count: int = 0
    # pick_account | map_tax_rate | create_contact | retry | reconnect | open_each: the fix the group offers
    fix: str = ""
    invoices: list[Option] = field(default_factory=list)  # (id, number) of the first few
    more: int = 0


@dataclass
class ErrorCauses:
    groups: list[CauseGroup] = field(default_factory=list)
    accounts: list[Option] = field(default_factory=list)  # revenue accounts, for pick_account
    tax_types: list[Option] = field(default_factory=list)  # sales tax types, for map_tax_rate
    can_resolve: bool = False
    can_retry: bool = False


def error_causes(session: Session, actor: Principal) -> ErrorCauses:
    actor.require(Permission.VIEW_INVOICES)
    rows = session.execute(
        sa.select(col(SyncProblem.cause), col(SyncProblem.code), col(SyncProblem.message), col(Invoice.id),
                  col(Invoice.number))
        .join(Invoice, col(Invoice.id) == SyncProblem.invoice_id)
        .where(col(SyncProblem.business_id) == actor.business_id, col(Invoice.sync_status) == SyncStatus.ERROR)
        .order_by(col(Invoice.number))).all()
    by_cause: dict[str, list[tuple[str, str, int, str]]] = defaultdict(list)
    for cause, code, message, invoice_id, number in rows:
        by_cause[cause].append((code, message, invoice_id or 0, number))
    view = ErrorCauses(can_resolve=can(actor.role, Permission.RESOLVE_SYNC_ERRORS),
                       can_retry=can(actor.role, Permission.RETRY_SYNC))
    view.groups = sorted((_group(cause, members) for cause, members in by_cause.items()),
                         key=lambda group: (-group.count, group.summary))
    if view.groups and can(actor.role, Permission.XERO_SETTINGS):
        settings = settings_view(session, actor)
        view.accounts = [Option(choice.value, choice.label) for choice in settings.revenue_accounts]
        view.tax_types = [Option(choice.value, choice.label) for choice in settings.tax_types]
    return view


def _group(cause: str, members: list[tuple[str, str, int, str]]) -> CauseGroup:
    code, message = members[0][0], members[0][1]
    entry = entry_for(code)
    count = len(members)
    return CauseGroup(
        cause=cause, title=entry.title if entry else "", count=count,
        summary=f"{count} invoice{'' if count == 1 else 's'}: {message}", fix=_fix_for(cause, code),
        invoices=[Option(str(invoice_id), number) for _, _, invoice_id, number in members[:SHOWN_INVOICES]],
        more=max(0, count - SHOWN_INVOICES))


def _fix_for(cause: str, code: str) -> str:
    kind = cause.partition(":")[0]
    if kind == "account":
        return "pick_account"
    if kind == "tax":
        return "map_tax_rate"
    if kind == "contact":
        return "create_contact"
    if kind == "number":
        return "open_each"  # link or renumber is a choice made per invoice
    if code == ErrorCode.NEEDS_RECONNECT:
        return "reconnect"
    return "retry"

"""Read side of Xero sync: the invoice's Xero panel and the connection banner (the board: selectors/board.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.domain.sync_errors import ErrorCode, Fix, entry_for
from myapprentice_app.domain.sync_states import (
    ConnectionStatus,
)
from myapprentice_app.integrations.xero.endpoints import endpoints
from myapprentice_app.models import (
    Client,
    Invoice,
    SyncAttempt,
    SyncProblem,
    User,
    XeroConnection,
    XeroContact,
)
from myapprentice_app.models.invoice_views import Option
from myapprentice_app.services.errors import NotFound
from myapprentice_app.services.principal import Principal
from myapprentice_app.services.xero_settings import settings_view
from myapprentice_app.services.xero_sync import link_candidate


@dataclass
class HistoryRow:
    when: str = ""
    who: str = ""
    action: str = ""
    outcome: str = ""
    key: str = ""
    sent: str = ""
    answer: str = ""


@dataclass
class XeroPanel:
    invoice_id: int = 0
    stamp: str = ""  # the invoice's sync_stamp: a fix pressed on this panel carries it
    sync_status: str = ""
    sync_label: str = ""
    error_title: str = ""
    error_message: str = ""
    error_detail: str = ""
    drift: str = ""
    can_push: bool = False  # not a voided invoice with nothing to take back in Xero
    fixes: list[Option] = field(default_factory=list)
    contact_suggestions: list[Option] = field(default_factory=list)
    accounts: list[Option] = field(default_factory=list)
    tax_types: list[Option] = field(default_factory=list)
    tax_rates: list[Option] = field(default_factory=list)
    can_link: bool = False
    ask_for_fixes: str = ""  # the fixes this role may not apply, and who may
    offer_link_contact: bool = False
    offer_pick_account: bool = False
    offer_map_tax: bool = False
    open_in_xero: str = ""
    online_invoice: str = ""
    history: list[HistoryRow] = field(default_factory=list)


def connection_health(session: Session, actor: Principal) -> str:
    """The connection's ConnectionStatus value (for the banner every pushing role sees)."""
    actor.require(Permission.VIEW_INVOICES)
    connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == actor.business_id)).first()
    return connection.status if connection else ConnectionStatus.NOT_CONNECTED.value


def open_in_xero_link(session: Session, business_id: int) -> Callable[[str], str] | None:
    """Xero's page for an invoice id in the connected organisation, or None while Xero isn't connected."""
    connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == business_id)).first()
    if connection is None or not connection.tenant_id:
        return None
    deep_link, tenant = endpoints().deep_link, connection.tenant_id
    return lambda xero_invoice_id: deep_link.format(tenant=tenant, invoice=xero_invoice_id)


def xero_panel(session: Session, actor: Principal, invoice_id: int) -> XeroPanel:
    actor.require(Permission.VIEW_INVOICES)
    invoice = session.get(Invoice, invoice_id)
    if invoice is None or invoice.business_id != actor.business_id:
        raise NotFound("That invoice")
    entry = entry_for(invoice.sync_error_code) if invoice.sync_status == SyncStatus.ERROR else None
    resolver = can(actor.role, Permission.RESOLVE_SYNC_ERRORS)
    problems = _problems(session, invoice) if entry else {}
    every_fix = dict.fromkeys(fix for code in problems.values() if (e := entry_for(code)) for fix in e.fixes)
    catalogued = list(every_fix) or list(entry.fixes if entry else ())
    fixes = [Option(fix.value, fix.label) for fix in catalogued if _may_apply(actor, fix)]
    others = [fix.label for fix in catalogued if not _may_apply(actor, fix)]
    reconnecting = entry is not None and entry.code == ErrorCode.NEEDS_RECONNECT
    if invoice.sync_status == SyncStatus.ERROR and can(actor.role, Permission.RETRY_SYNC) and not reconnecting \
            and all(option.value != Fix.RETRY for option in fixes):
        fixes.append(Option(Fix.RETRY.value, Fix.RETRY.label))
    panel = XeroPanel(
        invoice_id=invoice_id, stamp=invoice.sync_stamp, sync_status=invoice.sync_status,
        sync_label=SyncStatus(invoice.sync_status).label,
        error_title=entry.title if entry else "", error_message=invoice.sync_error_message or "",
        error_detail=invoice.sync_error_detail or "", drift=invoice.xero_drift or "", can_push=invoice.pushable,
        fixes=fixes, ask_for_fixes=_whom_to_ask(others), history=_history(session, invoice_id),
    )
    offered = {option.value for option in fixes}
    panel.offer_link_contact = Fix.LINK_CONTACT.value in offered
    panel.offer_pick_account = Fix.PICK_ACCOUNT.value in offered
    panel.offer_map_tax = Fix.MAP_TAX_RATE.value in offered
    if invoice.xero_invoice_id and (link := open_in_xero_link(session, actor.business_id)):
        panel.open_in_xero = link(invoice.xero_invoice_id)
        panel.online_invoice = invoice.xero_online_invoice_url or ""
    if resolver and entry is not None:
        _fill_fix_choices(session, actor, invoice, panel, [cause.partition(":")[2] for cause in problems
                                                           if cause.startswith("account:")])
    return panel


def _problems(session: Session, invoice: Invoice) -> dict[str, str]:
    """The invoice's problems: their error code by cause."""
    return dict(session.exec(select(SyncProblem.cause, SyncProblem.code)
                             .where(SyncProblem.invoice_id == invoice.id)).all())


def _may_apply(actor: Principal, fix: Fix) -> bool:
    if fix == Fix.RETRY:
        return can(actor.role, Permission.RETRY_SYNC)
    if fix == Fix.RECONNECT:  # on Business Settings → Integrations
        return can(actor.role, Permission.CONNECT_XERO)
    return can(actor.role, Permission.RESOLVE_SYNC_ERRORS)


def _whom_to_ask(fixes: list[str]) -> str:
    if not fixes:
        return ""
    who = ("Business Owner or Office Admin" if fixes == [Fix.RECONNECT.label]
           else "Business Owner, Office Admin or Finance")
    return f"To fix the cause ({'; '.join(fix.lower() for fix in fixes)}), ask your {who}."


def _fill_fix_choices(session: Session, actor: Principal, invoice: Invoice, panel: XeroPanel,
                      categories: list[str]) -> None:
    client = session.get(Client, invoice.client_id)
    if client is not None:
        panel.contact_suggestions = [Option(c.contact_id, c.name)
                                     for c in _contacts_like(session, actor.business_id, client)]
    if can(actor.role, Permission.XERO_SETTINGS):
        view = settings_view(session, actor)
        # "category:code" for each line category without a valid account (all of them when Xero named none)
        panel.accounts = [Option(f"{category}:{choice.value}", f"{category.capitalize()} lines → {choice.label}")
                          for category in categories or ["labour", "materials", "other"]
                          for choice in view.revenue_accounts]
        panel.tax_types = [Option(choice.value, choice.label) for choice in view.tax_types]
        panel.tax_rates = [Option(str(m.rate_id), f"{m.name} → {m.xero_tax_type or 'not mapped'}")
                           for m in view.tax_mappings]
    panel.can_link = link_candidate(session, actor.business_id, invoice) is not None


def _contacts_like(session: Session, business_id: int, client: Client) -> list[XeroContact]:
    """Active Xero contacts with the client's email or a word of its name (of three letters or more)."""
    words = {word for word in client.name.casefold().split() if len(word) > 2}
    email = (client.email or "").casefold()
    contacts = session.exec(select(XeroContact).where(XeroContact.business_id == business_id,
                                                      XeroContact.status == "ACTIVE")).all()
    return [c for c in contacts if (email and (c.email or "").casefold() == email)
            or words & set(c.name.casefold().split())][:5]


def _history(session: Session, invoice_id: int) -> list[HistoryRow]:
    rows = session.exec(
        select(SyncAttempt, User.name).join(User, col(User.id) == SyncAttempt.user_id, isouter=True)
        .where(SyncAttempt.invoice_id == invoice_id).order_by(col(SyncAttempt.id).desc()).limit(50)).all()
    return [HistoryRow(when=attempt.at.strftime("%d %b %Y %H:%M:%S"), who=name or "Automatic",
                       action=attempt.action, outcome=attempt.outcome, key=attempt.idempotency_key or "",
                       sent=(attempt.sent or "")[:4000], answer=(attempt.answer or "")[:4000])
            for attempt, name in rows]

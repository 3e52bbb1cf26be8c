"""Asking for syncs (Push to Xero, Send all, Sync All) and the one-click fixes for sync errors.

Each request marks invoices Pending and records a SyncRun in one transaction, then queues the run for the
worker (`follow_up`). Nothing here talks to Xero.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, func, select

from myapprentice_app.db import locked, utcnow
from myapprentice_app.domain.invoice_status import AUTHORISED_STATES, InvoiceStatus, SyncStatus
from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.domain.sync_errors import ErrorCode, Fix
from myapprentice_app.domain.sync_states import ConnectionStatus, ItemOutcome, RunKind, RunState
from myapprentice_app.domain.whole_numbers import whole_number
from myapprentice_app.models import (
    Business,
    Client,
    Invoice,
    Payment,
    SyncRun,
    SyncRunItem,
    TaxRate,
    XeroConnection,
    XeroContact,
    XeroInvoiceRef,
)
from myapprentice_app.services import audit, follow_up
from myapprentice_app.services.errors import ActionRefused, NotFound
from myapprentice_app.services.principal import Principal
from myapprentice_app.services.sync_problems import fixed_causes, fixes_offered, invoices_in_error
from myapprentice_app.services.xero_settings import RateMismatch, require_account, require_tax_type, settings_row

NOT_CONNECTED = "Connect Xero first (Business Settings → Integrations)."
NOT_CONNECTED_ASK = "Xero isn't connected yet. Ask your Business Owner or Admin to connect it."
NEEDS_RECONNECT = "The Xero connection needs reconnecting. Ask your Business Owner or Admin to reconnect."


def eligible_for_send_all(business_id: int):  # type: ignore[no-untyped-def]
    """Authorised invoices not synced at their current version, drafts awaiting a push, and voids Xero hasn't had."""
    authorised = [status.value for status in AUTHORISED_STATES]
    not_current = sa.or_(col(Invoice.synced_version).is_(None), col(Invoice.synced_version) != col(Invoice.version))
    return (select(Invoice.id, Invoice.version)
            .where(Invoice.business_id == business_id, Invoice.sync_status != SyncStatus.PENDING)
            .where(sa.or_(
                sa.and_(col(Invoice.status).in_(authorised), not_current),
                sa.and_(col(Invoice.status) == InvoiceStatus.DRAFT, sa.or_(
                    col(Invoice.sync_status) == SyncStatus.ERROR,
                    sa.and_(col(Invoice.xero_invoice_id).is_not(None), not_current))),
                sa.and_(col(Invoice.status) == InvoiceStatus.VOIDED, col(Invoice.xero_invoice_id).is_not(None),
                        not_current))))


def push_invoice(session: Session, actor: Principal, invoice_id: int, *, retry: bool = False,
                 create_contacts: bool = False) -> int | None:
    """Push one invoice. Returns the run it queued, or None when the invoice is already Pending."""
    actor.require(Permission.RETRY_SYNC if retry else Permission.PUSH_TO_XERO)
    _require_connected(session, actor)
    invoice = _invoice(session, actor, invoice_id)
    if not invoice.pushable:
        raise ActionRefused("Xero already has this invoice voided." if invoice.xero_invoice_id
                            else "A voided invoice that never reached Xero isn't sent.")
    if invoice.sync_status == SyncStatus.PENDING:
        return None
    run = SyncRun(business_id=actor.business_id, kind=RunKind.PUSH, started_by_user_id=actor.user_id, total=1,
                  create_contacts=create_contacts)
    session.add(run)
    session.flush()
    _mark_pending(session, run, [(invoice.id or 0, invoice.version)])
    audit.record(session, actor, actor.business_id, "xero.push", target=invoice.number)
    session.commit()
    return _queued(run)


def send_all(session: Session, actor: Principal) -> tuple[int, bool]:
    """Start (or join) the business's Send all. Returns (run id, whether it was started by this call)."""
    actor.require(Permission.PUSH_TO_XERO)
    _require_connected(session, actor)
    active = _active_send_all(session, actor.business_id)
    if active is not None:
        return active, False
    run = SyncRun(business_id=actor.business_id, kind=RunKind.SEND_ALL, started_by_user_id=actor.user_id,
                  active_send_all=actor.business_id)
    session.add(run)
    try:
        session.flush()
    except IntegrityError:
        # A second click (or another tab) got there first: the unique index keeps it to one run.
        session.rollback()
        active = _active_send_all(session, actor.business_id)
        if active is None:
            raise
        return active, False
    run.total = _queue_eligible(session, run)
    audit.record(session, actor, actor.business_id, "xero.send_all", detail=f"{run.total} invoices")
    session.commit()
    return _queued(run), True


def sync_all(session: Session, actor: Principal) -> int:
    actor.require(Permission.PUSH_TO_XERO)
    _require_connected(session, actor)
    run = SyncRun(business_id=actor.business_id, kind=RunKind.SYNC_ALL, started_by_user_id=actor.user_id)
    session.add(run)
    audit.record(session, actor, actor.business_id, "xero.sync_all")
    session.commit()
    return _queued(run)


def payments_run(session: Session, business_id: int) -> int | None:
    """The periodic payment cycle (no actor: the worker asks on the business's behalf). Xero takes a payment only
    against the invoice as it has it: an invoice Xero has that changed here since (sent to its client, say), with
    a payment waiting, goes to Xero again first, in the same run, instead of holding the payment back."""
    locked(session, Business, business_id)  # a webhook's cycle and the periodic one asked for at once: one run
    if session.exec(select(SyncRun.id).where(SyncRun.business_id == business_id,
                                             SyncRun.state != RunState.DONE)).first() is not None:
        return None
    behind = session.exec(
        select(Invoice.id, Invoice.number).join(Payment, col(Payment.invoice_id) == Invoice.id)
        .join(XeroConnection, col(XeroConnection.business_id) == Invoice.business_id)
        .where(Invoice.business_id == business_id, XeroConnection.status == ConnectionStatus.CONNECTED,
               col(Invoice.xero_invoice_id).is_not(None), Invoice.sync_status == SyncStatus.NOT_SYNCED,
               Invoice.status != InvoiceStatus.VOIDED,
               col(Invoice.xero_drift).is_(None),  # changed in Xero too: the person chooses which to keep
               col(Payment.xero_payment_id).is_(None), Payment.sync_status == SyncStatus.NOT_SYNCED,
               Payment.source != "xero", Payment.amount > 0).distinct()).all()
    if behind:
        for _, number in behind:
            audit.record(session, None, business_id, "xero.push", target=number,
                         detail="automatic: a payment waits for it in Xero")
        return resume_run(session, business_id, [invoice_id or 0 for invoice_id, _ in behind], None)
    run = SyncRun(business_id=business_id, kind=RunKind.PAYMENTS)
    session.add(run)
    session.commit()
    return _queued(run)


def resume_run(session: Session, business_id: int, invoice_ids: list[int], user_id: int | None, *,
               create_contacts: bool = False) -> int | None:
    if not invoice_ids:
        return None
    run = SyncRun(business_id=business_id, kind=RunKind.PUSH, started_by_user_id=user_id, total=len(invoice_ids),
                  create_contacts=create_contacts)
    session.add(run)
    session.flush()
    versions = session.exec(select(Invoice.id, Invoice.version).where(col(Invoice.id).in_(invoice_ids))).all()
    _mark_pending(session, run, [(row[0] or 0, row[1]) for row in versions])
    session.commit()
    return _queued(run)


def ask_online_invoice_link(actor: Principal, invoice_id: int) -> None:
    """A Synced invoice opened without its Xero online-invoice link: a worker asks Xero for it."""
    actor.require(Permission.VIEW_INVOICES)
    follow_up.enqueue("fetch_online_invoice_links", actor.business_id, [invoice_id])


# -- fixes ------------------------------------------------------------------------------------------------


def fix(session: Session, actor: Principal, invoice_id: int, action: Fix, value: str = "", *, shown: str) -> int | None:
    """Apply one fix to the invoice as a page `shown` it (its sync_stamp then); returns the run it queued, if any."""
    actor.require(Permission.RETRY_SYNC if action == Fix.RETRY else Permission.RESOLVE_SYNC_ERRORS)
    invoice = _invoice(session, actor, invoice_id, to_change=True)  # a double click applies the fix once
    if shown != invoice.sync_stamp:
        raise ActionRefused(f"{invoice.number} has changed since this page showed it: the fix wasn't applied.")
    if action != Fix.RETRY and action not in fixes_offered(session, invoice):
        raise ActionRefused(f"{invoice.number} has no sync error that this fix is for.")
    _require_connected(session, actor)  # before any change: a fix that can't be sent must not half-apply
    try:
        return _apply_fix(session, actor, invoice, action, value)
    except ValueError as refused:
        raise ActionRefused(str(refused)) from refused


def requeue(session: Session, actor: Principal, invoice_ids: list[int], create_contacts: bool = False) -> int | None:
    """Send invoices in Error again, in one run."""
    _require_connected(session, actor)
    audit.record(session, actor, actor.business_id, "xero.retry", detail=f"{len(invoice_ids)} invoices")
    return resume_run(session, actor.business_id, invoice_ids, actor.user_id, create_contacts=create_contacts)


def _apply_fix(session: Session, actor: Principal, invoice: Invoice, action: Fix, value: str) -> int | None:
    invoice_id = invoice.id or 0
    if action == Fix.RETRY:
        return push_invoice(session, actor, invoice_id, retry=True)
    if action == Fix.LINK_CONTACT:
        contact = session.exec(select(XeroContact).where(XeroContact.business_id == actor.business_id,
                                                         XeroContact.contact_id == value)).first()
        if contact is None or contact.status != "ACTIVE":
            raise ActionRefused("Choose one of the organisation's active Xero contacts.")
        client = session.get(Client, invoice.client_id)
        assert client is not None
        client.xero_contact_id = contact.contact_id
        audit.record(session, actor, actor.business_id, "xero.contact_linked", target=client.name, detail=contact.name)
    elif action == Fix.PICK_ACCOUNT:
        category, _, code = value.partition(":")
        if category not in ("labour", "materials", "other"):
            raise ActionRefused("Choose which line category the account is for.")
        settings = settings_row(session, actor.business_id)
        setattr(settings, f"{category}_account", require_account(session, actor.business_id, code, revenue=True))
    elif action == Fix.MAP_TAX_RATE:
        rate_id, _, tax_type = value.partition(":")
        rate_number = whole_number(rate_id)
        rate = session.get(TaxRate, rate_number) if rate_number is not None else None
        if rate is None or rate.business_id != actor.business_id:
            raise ActionRefused("Choose one of your tax rates.")
        try:
            rate.xero_tax_type = require_tax_type(session, actor.business_id, tax_type, rate=rate)
        except RateMismatch as warned:
            raise ActionRefused(f"{warned} To map it anyway, confirm it in Business Settings → Xero.") from warned
    elif action == Fix.LINK_INVOICE:
        _link_existing(session, actor, invoice)
        return None
    elif action == Fix.RENUMBER:
        _renumber(session, actor, invoice)
    elif action != Fix.CREATE_CONTACT:
        raise ActionRefused("That fix isn't available here.")
    session.commit()
    again = {invoice_id, *invoices_in_error(session, actor.business_id, fixed_causes(invoice, action, value))}
    return requeue(session, actor, sorted(again), create_contacts=action == Fix.CREATE_CONTACT)


def link_candidate(session: Session, business_id: int, invoice: Invoice) -> XeroInvoiceRef | None:
    """The Xero invoice holding this number, when it has the same client and total (safe to link)."""
    ref = session.exec(select(XeroInvoiceRef).where(  # Xero's numbers are unique whatever their letter case
        XeroInvoiceRef.business_id == business_id, func.upper(XeroInvoiceRef.number) == func.upper(invoice.number))
    ).first()
    client = session.get(Client, invoice.client_id)
    if ref is None or client is None or not client.xero_contact_id:
        return None
    if ref.contact_id != client.xero_contact_id or ref.total != invoice.total:
        return None
    return ref


def _link_existing(session: Session, actor: Principal, invoice: Invoice) -> None:
    ref = link_candidate(session, actor.business_id, invoice)
    if ref is None:
        raise ActionRefused("The Xero invoice with this number is for a different client or total. Renumber instead.")
    invoice.xero_invoice_id = ref.invoice_id
    invoice.synced_version = invoice.version
    invoice.sync_status = SyncStatus.SYNCED
    invoice.sync_error_code = invoice.sync_error_message = invoice.sync_error_detail = None
    audit.record(session, actor, actor.business_id, "xero.invoice_linked", target=invoice.number)
    session.commit()
    return None


def _renumber(session: Session, actor: Principal, invoice: Invoice) -> None:
    business = locked(session, Business, actor.business_id)  # its next number is ours until commit
    assert business is not None
    taken_here = set(session.exec(select(Invoice.number).where(Invoice.business_id == actor.business_id)).all())
    taken_there = {ref.upper() for ref in session.exec(
        select(XeroInvoiceRef.number).where(XeroInvoiceRef.business_id == actor.business_id)).all()}
    while True:
        number = f"{business.invoice_prefix}{business.next_invoice_number:04d}"
        business.next_invoice_number += 1
        if number not in taken_here and number.upper() not in taken_there:
            break
    old = invoice.number
    invoice.number = number
    invoice.version += 1
    invoice.updated_at = utcnow()
    audit.record(session, actor, actor.business_id, "xero.invoice_renumbered", target=number, detail=f"was {old}")


# -- helpers ------------------------------------------------------------------------------------------------


def _queued(run: SyncRun) -> int:
    """Hand the committed run to the worker."""
    follow_up.enqueue("run_sync", run.id or 0)
    return run.id or 0


_run_items = SyncRunItem.__table__  # type: ignore[attr-defined]
_PENDING = {"sync_status": SyncStatus.PENDING.value, "sync_error_code": None, "sync_error_message": None,
            "sync_error_detail": None}


def _mark_pending(session: Session, run: SyncRun, items: list[tuple[int, int]]) -> None:
    ids = [invoice_id for invoice_id, _ in items]
    for start in range(0, len(ids), 500):
        session.execute(sa.update(Invoice).where(col(Invoice.id).in_(ids[start:start + 500])).values(**_PENDING))
    if items:
        session.execute(sa.insert(_run_items),
                        [{"run_id": run.id or 0, "invoice_id": invoice_id, "version": version,
                          "outcome": ItemOutcome.PENDING.value} for invoice_id, version in items])


def _queue_eligible(session: Session, run: SyncRun) -> int:
    """Every invoice Send all takes, queued in the run and marked Pending inside the database (a click on
    a thousand invoices needn't carry their ids through Python). Returns how many."""
    eligible = eligible_for_send_all(run.business_id).subquery()
    session.execute(sa.insert(_run_items).from_select(
        ["run_id", "invoice_id", "version", "outcome"],
        sa.select(sa.literal(run.id), eligible.c.id, eligible.c.version, sa.literal(ItemOutcome.PENDING.value))))
    queued = sa.select(_run_items.c.invoice_id).where(_run_items.c.run_id == run.id)
    marked = session.execute(sa.update(Invoice).where(col(Invoice.id).in_(queued)).values(**_PENDING))
    return int(marked.rowcount)  # type: ignore[attr-defined]


def _active_send_all(session: Session, business_id: int) -> int | None:
    return session.exec(select(SyncRun.id).where(SyncRun.active_send_all == business_id)).first()


def _require_connected(session: Session, actor: Principal) -> None:
    connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == actor.business_id)).first()
    if connection is None or connection.status == ConnectionStatus.CHOOSE_ORG:  # who can connect is told where
        raise ActionRefused(NOT_CONNECTED if can(actor.role, Permission.CONNECT_XERO) else NOT_CONNECTED_ASK)
    if connection.status == ConnectionStatus.NEEDS_RECONNECT:
        raise ActionRefused(NEEDS_RECONNECT)


def _invoice(session: Session, actor: Principal, invoice_id: int, to_change: bool = False) -> Invoice:
    invoice = locked(session, Invoice, invoice_id) if to_change else session.get(Invoice, invoice_id)
    if invoice is None or invoice.business_id != actor.business_id:
        raise NotFound("That invoice")
    return invoice


__all__ = ["ErrorCode", "fix", "push_invoice", "requeue", "send_all", "sync_all"]

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from myapprentice_app.domain.invoice_status import InvoiceStatus, SyncStatus
from myapprentice_app.domain.money import money
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models import Client, Invoice
from myapprentice_app.models.views import InvoicePage, InvoiceRow
from myapprentice_app.selectors.sync import open_in_xero_link
from myapprentice_app.services.principal import Principal

PAGE_SIZE = 25


@dataclass(frozen=True)
class InvoiceFilters:
    status: str = ""
    sync_status: str = ""
    client_id: int | None = None
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    search: str = ""


def list_invoices(session: Session, actor: Principal, filters: InvoiceFilters, page: int = 1,
                  page_size: int = PAGE_SIZE, counted: int | None = None) -> InvoicePage:
    """One page of the business's invoices. `counted`: how many match these filters, when the caller counted
    them already (paging through the same filters), so that count is not taken again."""
    actor.require(Permission.VIEW_INVOICES)
    matching = _matching(actor.business_id, filters)
    total_count = counted if counted is not None else \
        session.exec(select(func.count()).select_from(matching.subquery())).one()
    page_count = max(1, -(-total_count // page_size))
    page = min(max(1, page), page_count)
    newest_first = (col(Invoice.issue_date).desc(), col(Invoice.id).desc())
    # The page's ids come from the invoice table's (business, issue date, id) index alone; only those 25 rows are
    # then read whole and joined to their client, rather than every match sorted with all its columns.
    page_ids = matching.order_by(*newest_first).offset((page - 1) * page_size).limit(page_size)
    rows = session.exec(
        select(Invoice, Client.name)
        .join(Client, col(Client.id) == Invoice.client_id)
        .where(col(Invoice.id).in_(page_ids.scalar_subquery()))
        .order_by(*newest_first)
    ).all()
    on_xero = any(invoice.xero_invoice_id for invoice, _ in rows)
    xero_link = open_in_xero_link(session, actor.business_id) if on_xero else None
    return InvoicePage(rows=[_row(invoice, client_name, xero_link) for invoice, client_name in rows],
                       total_count=total_count, page=page, page_count=page_count)


def _matching(business_id: int, filters: InvoiceFilters):  # type: ignore[no-untyped-def]
    """The ids of the business's invoices that pass the filters (no join: every invoice has its client)."""
    query = select(Invoice.id).where(Invoice.business_id == business_id)
    if filters.status:
        query = query.where(Invoice.status == InvoiceStatus(filters.status).value)
    if filters.sync_status:
        query = query.where(Invoice.sync_status == SyncStatus(filters.sync_status).value)
    if filters.client_id:
        query = query.where(Invoice.client_id == filters.client_id)
    if filters.date_from:
        query = query.where(Invoice.issue_date >= filters.date_from)
    if filters.date_to:
        query = query.where(Invoice.issue_date <= filters.date_to)
    if term := filters.search.strip():
        pattern = f"%{term.lower()}%"
        clients_named = select(Client.id).where(Client.business_id == business_id,
                                                func.lower(Client.name).like(pattern))
        query = query.where(sa.or_(
            func.lower(Invoice.number).like(pattern),
            col(Invoice.client_id).in_(clients_named),
            func.lower(func.coalesce(Invoice.reference, "")).like(pattern),
        ))
    return query


def _row(invoice: Invoice, client_name: str, xero_link: Callable[[str], str] | None) -> InvoiceRow:
    return InvoiceRow(
        id=invoice.id or 0,
        number=invoice.number,
        client_name=client_name,
        issue_date=invoice.issue_date.strftime("%d %b %Y"),
        due_date=invoice.due_date.strftime("%d %b %Y"),
        total=money(invoice.total, invoice.currency),
        amount_due=money(invoice.amount_due, invoice.currency),
        status=invoice.status,
        status_label=InvoiceStatus(invoice.status).label,
        sync_status=invoice.sync_status,
        sync_label=SyncStatus(invoice.sync_status).label,
        xero_url=xero_link(invoice.xero_invoice_id) if xero_link and invoice.xero_invoice_id else "",
        pushable=invoice.pushable,
    )

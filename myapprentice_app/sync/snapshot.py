"""Invoices as the engine reads them: the row, its lines and its client, loaded in bulk."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session, select

from myapprentice_app.models import (
    Client,
    Invoice,
    LineItem,
    TaxRate,
    XeroAccount,
    XeroContact,
    XeroInvoiceRef,
    XeroTaxRate,
)


@dataclass(slots=True)
class InvoiceRow:
    """The invoice columns a push reads (plain values: building ORM objects for 1,000 invoices is slow)."""

    id: int
    client_id: int
    number: str
    reference: str | None
    issue_date: dt.date
    due_date: dt.date
    status: str
    amounts_are: str
    currency: str
    total: Decimal
    version: int
    sync_status: str
    xero_invoice_id: str | None
    sent_at: dt.datetime | None  # emailed to the client


@dataclass(slots=True)
class ClientRow:
    """A client as the push sees it; one instance per client, shared by its invoices."""

    id: int
    name: str
    email: str | None
    xero_contact_id: str | None


@dataclass(slots=True)
class LineRow:
    invoice_id: int
    description: str
    quantity: Decimal
    unit_amount: Decimal
    category: str
    tax_rate_id: int | None


@dataclass
class InvoiceSnapshot:
    invoice: InvoiceRow
    client: ClientRow
    lines: list[LineRow]


@dataclass
class OrgCache:
    accounts: dict[str, XeroAccount] = field(default_factory=dict)  # by code (upper)
    tax_types: dict[str, XeroTaxRate] = field(default_factory=dict)
    contacts: dict[str, XeroContact] = field(default_factory=dict)  # by contact id
    refs: dict[str, XeroInvoiceRef] = field(default_factory=dict)  # by invoice number (upper)
    app_rates: dict[int, TaxRate] = field(default_factory=dict)

    def contacts_named(self, name: str) -> list[XeroContact]:
        wanted = name.strip().casefold()
        return [c for c in self.contacts.values() if c.status == "ACTIVE" and c.name.strip().casefold() == wanted]


def _columns(table: sa.Table, row_type: type) -> list[sa.Column]:
    return [table.c[f.name] for f in fields(row_type)]


_invoices = Invoice.__table__  # type: ignore[attr-defined]
_lines = LineItem.__table__  # type: ignore[attr-defined]
_clients = Client.__table__  # type: ignore[attr-defined]


def load_invoices(session: Session, invoice_ids: list[int]) -> list[InvoiceSnapshot]:
    if not invoice_ids:
        return []
    invoices = [InvoiceRow(*row) for row in session.execute(
        sa.select(*_columns(_invoices, InvoiceRow)).where(_invoices.c.id.in_(invoice_ids)).order_by(_invoices.c.id))]
    lines: dict[int, list[LineRow]] = {}
    for row in session.execute(sa.select(*_columns(_lines, LineRow)).where(_lines.c.invoice_id.in_(invoice_ids))
                               .order_by(_lines.c.position)):
        line = LineRow(*row)
        lines.setdefault(line.invoice_id, []).append(line)
    client_ids = {invoice.client_id for invoice in invoices}
    clients = {row.id: ClientRow(*row) for row in session.execute(
        sa.select(*_columns(_clients, ClientRow)).where(_clients.c.id.in_(client_ids)))}
    return [InvoiceSnapshot(invoice, clients[invoice.client_id], lines.get(invoice.id, []))
            for invoice in invoices]


def load_cache(session: Session, business_id: int) -> OrgCache:
    cache = OrgCache()
    for account in session.exec(select(XeroAccount).where(XeroAccount.business_id == business_id)):
        cache.accounts[account.code.upper()] = account
    for rate in session.exec(select(XeroTaxRate).where(XeroTaxRate.business_id == business_id)):
        cache.tax_types[rate.tax_type] = rate
    for contact in session.exec(select(XeroContact).where(XeroContact.business_id == business_id)):
        cache.contacts[contact.contact_id] = contact
    for ref in session.exec(select(XeroInvoiceRef).where(XeroInvoiceRef.business_id == business_id)):
        cache.refs[ref.number.upper()] = ref
    for app_rate in session.exec(select(TaxRate).where(TaxRate.business_id == business_id)):
        cache.app_rates[app_rate.id or 0] = app_rate
    return cache

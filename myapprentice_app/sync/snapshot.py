"""Invoices as the engine reads them: the row, its lines and its client, loaded in bulk."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

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


@dataclass
class InvoiceSnapshot:
    invoice: Invoice
    client: Client
    lines: list[LineItem]


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

    def contacts_like(self, name: str, email: str | None) -> list[XeroContact]:
        words = {word for word in name.casefold().split() if len(word) > 2}
        found = [c for c in self.contacts.values() if c.status == "ACTIVE" and (
            (email and c.email and c.email.casefold() == email.casefold())
            or words & set(c.name.casefold().split()))]
        return found[:5]


def load_invoices(session: Session, invoice_ids: list[int]) -> list[InvoiceSnapshot]:
    if not invoice_ids:
        return []
    invoices = session.exec(select(Invoice).where(col(Invoice.id).in_(invoice_ids)).order_by(col(Invoice.id))).all()
    lines: dict[int, list[LineItem]] = {}
    for line in session.exec(select(LineItem).where(col(LineItem.invoice_id).in_(invoice_ids))
                             .order_by(col(LineItem.position))):
        lines.setdefault(line.invoice_id or 0, []).append(line)
    client_ids = {invoice.client_id for invoice in invoices}
    clients = {client.id: client for client in session.exec(select(Client).where(col(Client.id).in_(client_ids)))}
    return [InvoiceSnapshot(invoice, clients[invoice.client_id], lines.get(invoice.id or 0, []))
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

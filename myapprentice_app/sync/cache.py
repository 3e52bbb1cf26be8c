"""The organisation's accounts, tax rates, contacts and invoice numbers, kept for pre-flight checks."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from typing import TypeVar

import sqlalchemy as sa
from sqlmodel import Session, select

from myapprentice_app.db import session_scope, utcnow
from myapprentice_app.integrations.xero.client import Reply
from myapprentice_app.integrations.xero.results import Account, ContactResult, InvoiceResult, TaxRate
from myapprentice_app.models import XeroAccount, XeroConnection, XeroContact, XeroInvoiceRef, XeroTaxRate
from myapprentice_app.sync import retry
from myapprentice_app.sync.context import OrgContext

MAX_AGE = dt.timedelta(minutes=10)
_refs = XeroInvoiceRef.__table__  # type: ignore[attr-defined]
UPDATED = ("invoice_id", "contact_id", "total", "status")
# Built once (each batch of answers runs them): the refs already known, new ones, changed ones.
_KNOWN_REFS = sa.select(_refs.c.number, _refs.c.id).where(
    _refs.c.business_id == sa.bindparam("b_business"), _refs.c.number.in_(sa.bindparam("b_numbers", expanding=True)))
_NEW_REFS = sa.insert(_refs)
_CHANGED_REFS = (sa.update(_refs).where(_refs.c.id == sa.bindparam("b_id"))
                 .values(**{key: sa.bindparam(f"b_{key}") for key in UPDATED}))
PAGE = 1000
T = TypeVar("T")


def refresh_if_stale(ctx: OrgContext) -> None:
    with session_scope() as session:
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == ctx.business_id)).one()
        refreshed = connection.cache_refreshed_at
    if refreshed is None or utcnow() - refreshed > MAX_AGE:
        refresh(ctx)


def refresh(ctx: OrgContext) -> None:
    accounts = retry.read(ctx, lambda xero: xero.accounts()).accounts()
    rates = retry.read(ctx, lambda xero: xero.tax_rates()).tax_rates()
    contacts = all_pages(ctx, lambda xero, page: xero.contacts(page), Reply.contacts)
    invoices = all_pages(ctx, lambda xero, page: xero.invoices_changed_since(None, page), Reply.invoices)
    with session_scope() as session:
        _replace_accounts(session, ctx.business_id, accounts)
        _replace_tax_rates(session, ctx.business_id, rates)
        replace_contacts(session, ctx.business_id, contacts)
        _replace_invoice_refs(session, ctx.business_id, invoices)
        connection = session.exec(select(XeroConnection).where(XeroConnection.business_id == ctx.business_id)).one()
        connection.cache_refreshed_at = utcnow()
        session.commit()


def refresh_contacts(ctx: OrgContext) -> None:
    contacts = all_pages(ctx, lambda xero, page: xero.contacts(page), Reply.contacts)
    with session_scope() as session:
        replace_contacts(session, ctx.business_id, contacts)
        session.commit()


def all_pages(ctx: OrgContext, fetch: Callable[..., Reply], read: Callable[[Reply], list[T]]) -> list[T]:
    """Every page of a paged Xero read (`fetch(xero, page=…)`), typed by `read`: a page shorter than PAGE is
    the last."""
    found: list[T] = []
    page = 1
    while True:
        items = read(retry.read(ctx, functools.partial(fetch, page=page)))
        found.extend(items)
        if len(items) < PAGE:
            return found
        page += 1


def _replace_accounts(session: Session, business_id: int, accounts: list[Account]) -> None:
    session.execute(sa.delete(XeroAccount).where(XeroAccount.business_id == business_id))  # type: ignore[arg-type]
    for account in accounts:
        session.add(XeroAccount(
            business_id=business_id, account_id=account.account_id, code=account.code, name=account.name,
            type=account.type, account_class=account.account_class, status=account.status,
            tax_type=account.tax_type, enable_payments=account.enable_payments,
        ))


def _replace_tax_rates(session: Session, business_id: int, rates: list[TaxRate]) -> None:
    session.execute(sa.delete(XeroTaxRate).where(XeroTaxRate.business_id == business_id))  # type: ignore[arg-type]
    for rate in rates:
        session.add(XeroTaxRate(business_id=business_id, tax_type=rate.tax_type, name=rate.name, rate=rate.rate,
                                status=rate.status, for_revenue=rate.for_revenue))


def replace_contacts(session: Session, business_id: int, contacts: list[ContactResult]) -> None:
    session.execute(sa.delete(XeroContact).where(XeroContact.business_id == business_id))  # type: ignore[arg-type]
    for contact in contacts:
        remember_contact(session, business_id, contact)


def remember_contact(session: Session, business_id: int, contact: ContactResult) -> None:
    session.add(XeroContact(business_id=business_id, contact_id=contact.xero_id or "", name=contact.name,
                            email=contact.email, status=contact.status))


def _replace_invoice_refs(session: Session, business_id: int, invoices: list[InvoiceResult]) -> None:
    session.execute(sa.delete(XeroInvoiceRef).where(XeroInvoiceRef.business_id == business_id))  # type: ignore[arg-type]
    seen: set[str] = set()
    for invoice in invoices:
        if not invoice.sales or not invoice.number or invoice.number.upper() in seen:
            continue
        seen.add(invoice.number.upper())
        session.add(invoice_ref(business_id, invoice))


def invoice_ref(business_id: int, invoice: InvoiceResult) -> XeroInvoiceRef:
    return XeroInvoiceRef(business_id=business_id, number=invoice.number, invoice_id=invoice.xero_id or "",
                          contact_id=invoice.contact_id, total=invoice.total, status=invoice.status)


def remember_invoice(session: Session, business_id: int, invoice: InvoiceResult) -> None:
    number = invoice.number
    if not number:
        return
    existing = session.exec(select(XeroInvoiceRef).where(XeroInvoiceRef.business_id == business_id,
                                                         XeroInvoiceRef.number == number)).first()
    fresh = invoice_ref(business_id, invoice)
    if existing is None:
        session.add(fresh)
    else:
        existing.invoice_id, existing.contact_id = fresh.invoice_id, fresh.contact_id
        existing.total, existing.status = fresh.total, fresh.status


def remember_invoices(session: Session, business_id: int, invoices: list[InvoiceResult]) -> None:
    """`remember_invoice` for a whole answer: one lookup for the numbers already known, then bulk writes."""
    fresh = {invoice.number: {"number": invoice.number, "invoice_id": invoice.xero_id,
                              "contact_id": invoice.contact_id, "total": invoice.total, "status": invoice.status}
             for invoice in invoices if invoice.number and invoice.xero_id}
    if not fresh:
        return
    known = dict(session.execute(_KNOWN_REFS, {"b_business": business_id, "b_numbers": list(fresh)}).all())
    new = [{**row, "business_id": business_id} for number, row in fresh.items() if number not in known]
    if new:
        session.execute(_NEW_REFS, new)
    changed = sorted(({"b_id": known[number], **{f"b_{key}": row[key] for key in UPDATED}}
                      for number, row in fresh.items() if number in known), key=lambda row: row["b_id"])
    if changed:
        session.execute(_CHANGED_REFS, changed)

"""Clients, jobs and quotes as each role may see them, with their amounts and the invoices made from them."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

from sqlmodel import Session, col, select

from myapprentice_app.domain.invoice_status import InvoiceStatus
from myapprentice_app.domain.money import AmountsAre, document_totals, line_totals, money
from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.models import Business, Client, Invoice, Job, LineItem, Quote, TaxRate, User
from myapprentice_app.models.views import ClientRow, Invoiced, JobRow, QuoteRow
from myapprentice_app.services import invoiced
from myapprentice_app.services.principal import Principal


def list_jobs(session: Session, actor: Principal) -> list[JobRow]:
    actor.require(Permission.VIEW_OWN_JOBS)
    query = (
        select(Job, Client.name, User.name)
        .join(Client, col(Client.id) == Job.client_id)
        .outerjoin(User, col(User.id) == Job.assigned_user_id)
        .where(Job.business_id == actor.business_id)
        .order_by(col(Job.id).desc())
    )
    if not can(actor.role, Permission.VIEW_ALL_JOBS):
        query = query.where(Job.assigned_user_id == actor.user_id)
    rows = session.exec(query).all()
    amounts = _amounts(session, actor.business_id, LineItem.job_id, {job.id or 0: "exclusive" for job, _, _ in rows})
    invoices = _invoices(session, actor.business_id, Invoice.job_id)
    return [JobRow(id=job.id or 0, title=job.title, client_name=client, status=job.status,
                   status_label=job.status.replace("_", " ").capitalize(), assigned_to=assignee or "Unassigned",
                   amount=amounts.get(job.id or 0, ""),
                   invoiced=invoiced_view(invoices.get(job.id or 0, []), f"Job “{job.title}”"))
            for job, client, assignee in rows]


def list_clients(session: Session, actor: Principal) -> list[ClientRow]:
    actor.require(Permission.MANAGE_CLIENTS)
    clients = session.exec(select(Client).where(Client.business_id == actor.business_id).order_by(Client.name))
    return [ClientRow(id=c.id or 0, name=c.name, email=c.email or "", phone=c.phone or "", city=c.city or "")
            for c in clients]


def list_quotes(session: Session, actor: Principal) -> list[QuoteRow]:
    actor.require(Permission.EDIT_INVOICES)
    rows = session.exec(
        select(Quote, Client.name).join(Client, col(Client.id) == Quote.client_id)
        .where(Quote.business_id == actor.business_id).order_by(col(Quote.id).desc())
    ).all()
    amounts = _amounts(session, actor.business_id, LineItem.quote_id, {q.id or 0: q.amounts_are for q, _ in rows})
    invoices = _invoices(session, actor.business_id, Invoice.quote_id)
    return [QuoteRow(id=q.id or 0, number=q.number, title=q.title, client_name=name, status=q.status,
                     status_label=q.status.capitalize(), amount=amounts.get(q.id or 0, ""),
                     invoiced=invoiced_view(invoices.get(q.id or 0, []), f"Quote {q.number}"))
            for q, name in rows]


def invoiced_for(session: Session, actor: Principal, *, quote_id: int | None = None,
                 job_id: int | None = None) -> Invoiced:
    """A quote's or job's invoices, for its form (the caller has checked the quote or job is the actor's)."""
    existing = invoiced.invoices_of(session, actor.business_id, quote_id=quote_id, job_id=job_id)
    source = "This quote" if quote_id is not None else "This job"
    return invoiced_view([(invoice.id or 0, invoice.number) for invoice in existing], source)


def invoiced_view(invoices: list[tuple[int, str]], source: str) -> Invoiced:
    """(id, number) of a quote's or job's invoices, oldest first, as its row and form show them."""
    if not invoices:
        return Invoiced()
    numbers = [number for _, number in invoices]
    return Invoiced(label=f"Invoiced · {', '.join(numbers)}", invoice_id=invoices[-1][0],
                    notice=invoiced.notice(source, numbers))


def _invoices(session: Session, business_id: int, source) -> dict[int, list[tuple[int, str]]]:  # type: ignore[no-untyped-def]
    found: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for source_id, invoice_id, number in session.exec(
            select(source, Invoice.id, Invoice.number)
            .where(Invoice.business_id == business_id, col(source).is_not(None),
                   Invoice.status != InvoiceStatus.VOIDED).order_by(col(Invoice.id))):
        found[source_id].append((invoice_id or 0, number))
    return found


def _amounts(session: Session, business_id: int, owner, amounts_are: dict[int, str]) -> dict[int, str]:  # type: ignore[no-untyped-def]
    """Each quote's or job's total, worked out from its lines as its invoice would be."""
    business = session.get(Business, business_id)
    rates = {rate.id: rate.rate for rate in session.exec(select(TaxRate).where(TaxRate.business_id == business_id))}
    lines = defaultdict(list)
    for item in session.exec(select(LineItem).where(col(owner).in_(list(amounts_are)))):
        lines[getattr(item, owner.key)].append(item)
    totals = {}
    for owner_id, items in lines.items():
        kind = AmountsAre(amounts_are[owner_id]) if amounts_are[owner_id] in set(AmountsAre) else AmountsAre.EXCLUSIVE
        per_line = [line_totals(item.quantity, item.unit_amount, rates.get(item.tax_rate_id, Decimal(0)), kind)
                    for item in items]
        totals[owner_id] = money(document_totals(per_line, kind).total, business.currency if business else "AUD")
    return totals

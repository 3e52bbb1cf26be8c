"""Which invoices a quote or a job already has. A second one is sometimes right (a progress claim), so it is
made only when the person has confirmed it."""

from __future__ import annotations

from sqlmodel import Session, col, select

from myapprentice_app.db import locked
from myapprentice_app.domain.invoice_status import InvoiceStatus
from myapprentice_app.models import Invoice, Job, Quote
from myapprentice_app.services.errors import ActionRefused


def invoices_of(session: Session, business_id: int, *, quote_id: int | None = None,
                job_id: int | None = None) -> list[Invoice]:
    """The quote's invoices, or else the job's (an invoice from a job's quote is the job's too); voided ones don't
    count. Oldest first."""
    if quote_id is None and job_id is None:
        return []
    source = Invoice.quote_id == quote_id if quote_id is not None else Invoice.job_id == job_id
    return list(session.exec(select(Invoice).where(Invoice.business_id == business_id, source,
                                                   Invoice.status != InvoiceStatus.VOIDED)
                             .order_by(col(Invoice.id))))


def already_invoiced(session: Session, business_id: int, *, quote_id: int | None = None,
                     job_id: int | None = None) -> str:
    """'Quote Q-0004 already has invoice INV-0061.', or '' when it has none."""
    existing = invoices_of(session, business_id, quote_id=quote_id, job_id=job_id)
    if not existing:
        return ""
    if quote_id is not None:
        quote = session.get(Quote, quote_id)
        source = f"Quote {quote.number}" if quote else "This quote"
    else:
        job = session.get(Job, job_id)
        source = f"Job “{job.title}”" if job else "This job"
    return notice(source, [invoice.number for invoice in existing])


def notice(source: str, numbers: list[str]) -> str:
    return f"{source} already has {'invoice' if len(numbers) == 1 else 'invoices'} {', '.join(numbers)}."


def refuse_unconfirmed_repeat(session: Session, business_id: int, *, quote_id: int | None, job_id: int | None,
                              confirmed: bool) -> None:
    """A new invoice for an invoiced quote or job needs the person's explicit confirmation. The job and quote
    stay locked until the invoice is committed, so a second invoice started at the same moment (another tab,
    another person) is checked after the first exists."""
    if job_id is not None:
        locked(session, Job, job_id)
    if quote_id is not None:
        locked(session, Quote, quote_id)
    notice = already_invoiced(session, business_id, quote_id=quote_id, job_id=job_id)
    if notice and not confirmed:
        raise ActionRefused(f"{notice} Tick “Create another invoice” to raise a further one, e.g. a progress claim.")

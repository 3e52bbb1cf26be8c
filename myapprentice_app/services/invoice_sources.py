"""Where invoices come from: an accepted quote or a completed job, its lines copied into an editable draft."""

from __future__ import annotations

import datetime as dt

from sqlmodel import Session, select

from myapprentice_app.domain.invoice_status import InvoiceStatus
from myapprentice_app.domain.money import AmountsAre
from myapprentice_app.domain.roles import Permission
from myapprentice_app.domain.work_status import JobStatus, QuoteStatus
from myapprentice_app.models import Business, Job, LineItem, Quote, TaxRate
from myapprentice_app.services import invoices
from myapprentice_app.services.errors import ActionRefused, NotFound
from myapprentice_app.services.invoices import InvoiceDraft
from myapprentice_app.services.lines import LineDraft, drafts_from
from myapprentice_app.services.principal import Principal


def blank_draft(session: Session, actor: Principal) -> InvoiceDraft:
    """A manual invoice: today, the business's payment terms, one empty line at the default tax rate."""
    actor.require(Permission.EDIT_INVOICES)
    default_rate = session.exec(
        select(TaxRate.id).where(TaxRate.business_id == actor.business_id, TaxRate.is_default)
    ).first()
    draft = _dated(session, actor, client_id=None)
    draft.lines = [LineDraft(description="", quantity="1", unit_amount="", tax_rate_id=default_rate)]
    return draft


def draft_from_quote(session: Session, actor: Principal, quote_id: int) -> InvoiceDraft:
    actor.require(Permission.EDIT_INVOICES)
    quote = session.get(Quote, quote_id)
    if quote is None or quote.business_id != actor.business_id:
        raise NotFound("That quote")
    if quote.status != QuoteStatus.ACCEPTED:
        raise ActionRefused(f"Quote {quote.number} is {quote.status}; only an accepted quote can be invoiced.")
    draft = _dated(session, actor, client_id=quote.client_id)
    draft.quote_id, draft.job_id = quote.id, quote.job_id
    draft.reference = f"{quote.number} {quote.title}"[:255]
    draft.amounts_are = quote.amounts_are if quote.amounts_are in set(AmountsAre) else AmountsAre.EXCLUSIVE.value
    draft.lines = drafts_from(list(session.exec(select(LineItem).where(LineItem.quote_id == quote.id))))
    return draft


def draft_from_job(session: Session, actor: Principal, job_id: int) -> InvoiceDraft:
    actor.require(Permission.EDIT_INVOICES)
    job = session.get(Job, job_id)
    if job is None or job.business_id != actor.business_id:
        raise NotFound("That job")
    if job.status != JobStatus.COMPLETED:
        raise ActionRefused(f"“{job.title}” isn't completed yet; mark the job completed before invoicing it.")
    draft = _dated(session, actor, client_id=job.client_id)
    draft.job_id = job.id
    draft.reference = job.title[:255]
    draft.lines = drafts_from(list(session.exec(select(LineItem).where(LineItem.job_id == job.id))))
    return draft


def _dated(session: Session, actor: Principal, client_id: int | None) -> InvoiceDraft:
    business = session.get(Business, actor.business_id)
    assert business is not None
    today = dt.date.today()
    return InvoiceDraft(
        client_id=client_id, issue_date=today, due_date=today + dt.timedelta(days=business.payment_terms_days)
    )


def draft_of_invoice(session: Session, actor: Principal, invoice_id: int) -> InvoiceDraft:
    """A draft invoice as an editable form (only drafts can be edited)."""
    actor.require(Permission.EDIT_INVOICES)
    invoice = invoices.get_invoice(session, actor, invoice_id)
    if invoice.status != InvoiceStatus.DRAFT:
        raise ActionRefused(f"Invoice {invoice.number} is {invoice.status}; only draft invoices can be edited.")
    items = list(session.exec(select(LineItem).where(LineItem.invoice_id == invoice.id)))
    return InvoiceDraft(
        client_id=invoice.client_id,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        lines=drafts_from(items),
        reference=invoice.reference or "",
        amounts_are=invoice.amounts_are,
        number=invoice.number,
        job_id=invoice.job_id,
        quote_id=invoice.quote_id,
    )

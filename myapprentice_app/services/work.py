"""Jobs and quotes with their priced lines: the sources an invoice can be raised from."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlmodel import Session, col, select

from myapprentice_app.db import locked, utcnow
from myapprentice_app.domain.money import AmountsAre
from myapprentice_app.domain.roles import Permission
from myapprentice_app.domain.work_status import JobStatus, QuoteStatus
from myapprentice_app.models import Business, Client, Job, LineItem, Membership, Quote
from myapprentice_app.services import audit
from myapprentice_app.services.errors import NotFound, ValidationFailed
from myapprentice_app.services.invoices import tax_rates
from myapprentice_app.services.lines import LineDraft, build_items, drafts_from, lines_problems
from myapprentice_app.services.principal import Principal

JOB_STATUSES = tuple(status.value for status in JobStatus)
QUOTE_STATUSES = tuple(status.value for status in QuoteStatus)


@dataclass
class JobForm:
    client_id: int | None = None
    title: str = ""
    site_address: str = ""
    status: str = JobStatus.SCHEDULED.value
    assigned_user_id: int | None = None
    lines: list[LineDraft] = field(default_factory=list)


@dataclass
class QuoteForm:
    client_id: int | None = None
    title: str = ""
    status: str = "draft"
    amounts_are: str = AmountsAre.EXCLUSIVE.value
    lines: list[LineDraft] = field(default_factory=list)
    number: str = ""


def job_form(session: Session, actor: Principal, job_id: int) -> JobForm:
    job = _owned_job(session, actor, job_id)
    return JobForm(
        client_id=job.client_id,
        title=job.title,
        site_address=job.site_address or "",
        status=job.status,
        assigned_user_id=job.assigned_user_id,
        lines=drafts_from(list(session.exec(select(LineItem).where(LineItem.job_id == job.id)))),
    )


def save_job(session: Session, actor: Principal, job_id: int | None, form: JobForm) -> Job:
    """Create (job_id None) or change a job and replace its lines."""
    actor.require(Permission.MANAGE_CLIENTS)
    job = _owned_job(session, actor, job_id, to_change=True) if job_id else None
    rates = tax_rates(session, actor.business_id)
    problems = _common_problems(session, actor.business_id, form.client_id, form.title)
    if form.status not in JOB_STATUSES:
        problems["status"] = "Choose scheduled, in progress or completed."
    if len(form.site_address) > 300:
        problems["site_address"] = "Keep the address under 300 characters."
    if form.assigned_user_id is not None and not _is_member(
        session, actor.business_id, form.assigned_user_id
    ):
        problems["assigned_user_id"] = "Choose someone on your team."
    if form.lines:  # a job may be scheduled before anything is priced
        problems.update(lines_problems(form.lines, rates, AmountsAre.EXCLUSIVE.value))
    if problems:
        raise ValidationFailed(problems)
    if job is None:
        job = Job(
            business_id=actor.business_id,
            client_id=form.client_id,  # type: ignore[arg-type]
            title=form.title.strip(),
        )
        session.add(job)
        session.flush()
    if form.status == JobStatus.COMPLETED and job.status != JobStatus.COMPLETED:
        job.completed_at = utcnow()
    job.client_id, job.title = form.client_id, form.title.strip()  # type: ignore[assignment]
    job.site_address, job.status = form.site_address.strip() or None, form.status
    job.assigned_user_id = form.assigned_user_id
    _replace_lines(session, form.lines, rates, AmountsAre.EXCLUSIVE, job_id=job.id)
    audit.record(
        session, actor, actor.business_id, "job.created" if job_id is None else "job.edited", target=job.title
    )
    session.commit()
    return job


def quote_form(session: Session, actor: Principal, quote_id: int) -> QuoteForm:
    quote = _owned_quote(session, actor, quote_id)
    return QuoteForm(
        client_id=quote.client_id,
        title=quote.title,
        status=quote.status,
        amounts_are=quote.amounts_are,
        number=quote.number,
        lines=drafts_from(list(session.exec(select(LineItem).where(LineItem.quote_id == quote.id)))),
    )


def save_quote(session: Session, actor: Principal, quote_id: int | None, form: QuoteForm) -> Quote:
    actor.require(Permission.EDIT_INVOICES)
    quote = _owned_quote(session, actor, quote_id, to_change=True) if quote_id else None
    rates = tax_rates(session, actor.business_id)
    problems = _common_problems(session, actor.business_id, form.client_id, form.title)
    if form.status not in QUOTE_STATUSES:
        problems["status"] = "Choose draft, sent, accepted or declined."
    if form.amounts_are not in {a.value for a in AmountsAre}:
        problems["amounts_are"] = "Choose tax exclusive, tax inclusive or no tax."
    else:
        problems.update(lines_problems(form.lines, rates, form.amounts_are))
    if problems:
        raise ValidationFailed(problems)
    if quote is None:
        quote = Quote(
            business_id=actor.business_id,
            client_id=form.client_id,  # type: ignore[arg-type]
            number=_next_quote_number(session, actor.business_id),
            title=form.title.strip(),
        )
        session.add(quote)
        session.flush()
    quote.client_id, quote.title = form.client_id, form.title.strip()  # type: ignore[assignment]
    quote.status, quote.amounts_are = form.status, form.amounts_are
    _replace_lines(session, form.lines, rates, AmountsAre(form.amounts_are), quote_id=quote.id)
    audit.record(
        session,
        actor,
        actor.business_id,
        "quote.created" if quote_id is None else "quote.edited",
        target=quote.number,
        detail=quote.status,
    )
    session.commit()
    return quote


def _common_problems(session: Session, business_id: int, client_id: int | None, title: str) -> dict[str, str]:
    problems = {}
    client = session.get(Client, client_id) if client_id else None
    if client is None or client.business_id != business_id:
        problems["client_id"] = "Choose a client."
    if not title.strip():
        problems["title"] = "Give it a short title."
    elif len(title) > 200:
        problems["title"] = "Keep the title under 200 characters."
    return problems


def _replace_lines(
    session: Session,
    lines: list[LineDraft],
    rates: dict,
    amounts_are: AmountsAre,
    *,
    job_id: int | None = None,
    quote_id: int | None = None,
) -> None:
    owned = LineItem.job_id == job_id if job_id is not None else LineItem.quote_id == quote_id
    for old in session.exec(select(LineItem).where(owned)):
        session.delete(old)
    if lines:
        session.add_all(build_items(lines, rates, amounts_are, job_id=job_id, quote_id=quote_id)[0])


def _owned_job(session: Session, actor: Principal, job_id: int, to_change: bool = False) -> Job:
    """`to_change`: locked until commit, so two saves at the same moment take turns (both replacing the lines
    at once would keep both sets)."""
    actor.require(Permission.MANAGE_CLIENTS)
    job = locked(session, Job, job_id) if to_change else session.get(Job, job_id)
    if job is None or job.business_id != actor.business_id:
        raise NotFound("That job")
    return job


def _owned_quote(session: Session, actor: Principal, quote_id: int, to_change: bool = False) -> Quote:
    """`to_change`: as `_owned_job`."""
    actor.require(Permission.EDIT_INVOICES)
    quote = locked(session, Quote, quote_id) if to_change else session.get(Quote, quote_id)
    if quote is None or quote.business_id != actor.business_id:
        raise NotFound("That quote")
    return quote


def _is_member(session: Session, business_id: int, user_id: int) -> bool:
    return (
        session.exec(
            select(Membership.id).where(Membership.business_id == business_id, Membership.user_id == user_id)
        ).first()
        is not None
    )


def _next_quote_number(session: Session, business_id: int) -> str:
    """The business stays locked until the quote is committed, so a quote made at the same moment in another tab
    counts this one (each number is also unique per business in the database)."""
    locked(session, Business, business_id)
    count = len(session.exec(select(col(Quote.id)).where(Quote.business_id == business_id)).all())
    while True:
        count += 1
        number = f"Q-{count:04d}"
        taken = select(Quote.id).where(Quote.business_id == business_id, Quote.number == number)
        if session.exec(taken).first() is None:
            return number

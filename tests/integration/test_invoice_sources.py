"""Invoices come manually, from an accepted quote or from a completed job; copied lines stay editable."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session, select

from myapprentice_app.domain.roles import Role
from myapprentice_app.models import AuditEvent, LineItem
from myapprentice_app.selectors import work as work_lists
from myapprentice_app.services import invoice_sources, invoices, work
from myapprentice_app.services.errors import ActionRefused
from myapprentice_app.services.lines import LineDraft
from myapprentice_app.services.work import JobForm, QuoteForm
from tests.integration.invoicing_helpers import client, gst


def _quote(session: Session, actor, status: str) -> int:
    rate = gst(session, actor)
    quote = work.save_quote(
        session,
        actor,
        None,
        QuoteForm(
            client_id=client(session, actor),
            title="Kitchen rewire",
            status=status,
            lines=[
                LineDraft("Rewire kitchen circuits", "8", "95", "labour", rate.id),
                LineDraft("Cable and fittings", "1", "412.50", "materials", rate.id),
            ],
        ),
    )
    return quote.id or 0


def test_an_accepted_quote_becomes_an_invoice_with_its_lines_copied(session: Session, make_actor) -> None:
    supervisor = make_actor(Role.SUPERVISOR)
    quote_id = _quote(session, supervisor, "accepted")

    draft = invoice_sources.draft_from_quote(session, supervisor, quote_id)
    invoice = invoices.create_invoice(session, supervisor, draft)

    lines = session.exec(
        select(LineItem).where(LineItem.invoice_id == invoice.id).order_by(LineItem.position)
    ).all()
    assert [(line.description, line.quantity, line.unit_amount, line.category) for line in lines] == [
        ("Rewire kitchen circuits", Decimal("8"), Decimal("95"), "labour"),
        ("Cable and fittings", Decimal("1"), Decimal("412.50"), "materials"),
    ]
    assert invoice.total == Decimal("1289.75")  # (760 + 412.50) + 10% GST
    assert invoice.quote_id == quote_id and invoice.reference.startswith("Q-0001")


def test_copied_lines_can_be_changed_before_saving_without_touching_the_quote(
    session: Session, make_actor
) -> None:
    owner = make_actor(Role.OWNER)
    quote_id = _quote(session, owner, "accepted")
    draft = invoice_sources.draft_from_quote(session, owner, quote_id)
    draft.lines[0].quantity = "10"
    draft.lines.pop()

    invoice = invoices.create_invoice(session, owner, draft)

    assert invoice.subtotal == Decimal("950.00")
    quote_lines = session.exec(select(LineItem).where(LineItem.quote_id == quote_id)).all()
    assert len(quote_lines) == 2 and quote_lines[0].quantity == Decimal("8")


def test_a_quote_that_is_not_accepted_cannot_be_invoiced(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    quote_id = _quote(session, owner, "sent")
    with pytest.raises(ActionRefused, match="only an accepted quote can be invoiced"):
        invoice_sources.draft_from_quote(session, owner, quote_id)


def test_a_completed_job_becomes_an_invoice_and_an_unfinished_one_is_refused(
    session: Session, make_actor
) -> None:
    finance = make_actor(Role.FINANCE)
    owner = make_actor(Role.OWNER)
    rate = gst(session, owner)
    client_id = client(session, owner)
    form = JobForm(
        client_id=client_id,
        title="Switchboard upgrade",
        status="in_progress",
        lines=[LineDraft("RCBO board", "1", "1480", "materials", rate.id)],
    )
    job = work.save_job(session, owner, None, form)
    with pytest.raises(ActionRefused, match="isn't completed yet"):
        invoice_sources.draft_from_job(session, finance, job.id)

    form.status = "completed"
    work.save_job(session, owner, job.id, form)
    invoice = invoices.create_invoice(
        session, finance, invoice_sources.draft_from_job(session, finance, job.id)
    )

    assert invoice.job_id == job.id and invoice.total == Decimal("1628.00")
    created = session.exec(select(AuditEvent).where(AuditEvent.action == "invoice.created")).one()
    assert created.detail == f"from job #{job.id}"


def test_a_manual_invoice_starts_with_today_the_payment_terms_and_the_default_tax_rate(
    session: Session, make_actor
) -> None:
    owner = make_actor(Role.OWNER)
    rate = gst(session, owner)
    draft = invoice_sources.blank_draft(session, owner)
    assert (draft.due_date - draft.issue_date).days == 14
    assert draft.lines[0].tax_rate_id == rate.id and draft.client_id is None


def test_a_tradie_cannot_raise_an_invoice_from_a_job(session: Session, make_actor) -> None:
    from myapprentice_app.domain.roles import PermissionDenied

    owner, tradie = make_actor(Role.OWNER), make_actor(Role.TRADIE)
    job = work.save_job(
        session, owner, None, JobForm(client_id=client(session, owner), title="Fan", status="completed")
    )
    with pytest.raises(PermissionDenied):
        invoice_sources.draft_from_job(session, tradie, job.id)


def test_an_invoiced_quote_shows_its_invoice_and_a_second_one_is_made_only_when_confirmed(
    session: Session, make_actor
) -> None:
    owner = make_actor(Role.OWNER)
    quote_id = _quote(session, owner, "accepted")
    first = invoices.create_invoice(session, owner, invoice_sources.draft_from_quote(session, owner, quote_id))

    [row] = work_lists.list_quotes(session, owner)
    assert row.invoiced.label == f"Invoiced · {first.number}" and row.invoiced.invoice_id == first.id
    assert row.amount == "$1,289.75" and row.status_label == "Accepted"

    again = invoice_sources.draft_from_quote(session, owner, quote_id)
    with pytest.raises(ActionRefused, match=f"Quote Q-0001 already has invoice {first.number}"):
        invoices.create_invoice(session, owner, again)
    session.rollback()
    again.another = True  # "Create another invoice" ticked: a progress claim
    second = invoices.create_invoice(session, owner, again)

    [row] = work_lists.list_quotes(session, owner)
    assert row.invoiced.label == f"Invoiced · {first.number}, {second.number}"
    assert row.invoiced.invoice_id == second.id


def test_a_job_invoiced_through_its_quote_asks_before_another_and_a_voided_invoice_does_not_count(
    session: Session, make_actor
) -> None:
    owner = make_actor(Role.OWNER)
    rate = gst(session, owner)
    job = work.save_job(session, owner, None, JobForm(client_id=client(session, owner), title="Pool pump",
                                                      status="completed",
                                                      lines=[LineDraft("Pump circuit", "2", "100", "labour", rate.id)]))
    first = invoices.create_invoice(session, owner, invoice_sources.draft_from_job(session, owner, job.id))

    [row] = work_lists.list_jobs(session, owner)
    assert row.invoiced.notice == f"Job “Pool pump” already has invoice {first.number}."
    assert row.amount == "$220.00" and row.status_label == "Completed"
    with pytest.raises(ActionRefused, match="already has invoice"):
        invoices.create_invoice(session, owner, invoice_sources.draft_from_job(session, owner, job.id))
    session.rollback()

    invoices.void_invoice(session, owner, first.id)
    replacement = invoices.create_invoice(session, owner, invoice_sources.draft_from_job(session, owner, job.id))
    assert replacement.job_id == job.id
    assert work_lists.list_jobs(session, owner)[0].invoiced.label == f"Invoiced · {replacement.number}"

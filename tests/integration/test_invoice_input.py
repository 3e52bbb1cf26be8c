"""Bad input is refused field by field, with messages a person can act on; nothing is saved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from myapprentice_app.domain.roles import Role
from myapprentice_app.models import Invoice
from myapprentice_app.services import invoices
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.services.lines import LineDraft
from tests.integration.invoicing_helpers import TODAY, client, draft, gst


def _problems(session: Session, actor, bad) -> dict[str, str]:
    with pytest.raises(ValidationFailed) as refused:
        invoices.create_invoice(session, actor, bad)
    assert session.exec(select(Invoice)).all() == []
    return refused.value.errors


def test_a_blank_client_is_refused_on_the_client_field(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    bad = draft(client(session, owner), gst(session, owner))
    bad.client_id = None
    assert _problems(session, owner, bad) == {"client_id": "Choose a client."}


@pytest.mark.parametrize(
    ("quantity", "price", "field"),
    [
        ("-1", "10", "quantity"),
        ("0", "10", "quantity"),
        ("99999999", "10", "quantity"),
        ("two", "10", "quantity"),
        ("1", "1e12", "unit_amount"),
        ("1", "abc", "unit_amount"),
        ("1", "NaN", "unit_amount"),
        ("1", "10.12345", "unit_amount"),
        ("0,75", "10", "quantity"),  # a decimal comma: not 75
    ],
)
def test_negative_absurd_and_non_numeric_quantities_and_prices_are_refused(
    session: Session, make_actor, quantity: str, price: str, field: str
) -> None:
    owner = make_actor(Role.OWNER)
    bad = draft(client(session, owner), gst(session, owner), ("Work", quantity, price))
    assert list(_problems(session, owner, bad)) == [f"lines.0.{field}"]


def test_a_ten_thousand_character_description_is_refused(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    bad = draft(client(session, owner), gst(session, owner), ("x" * 10_000, "1", "10"))
    assert _problems(session, owner, bad) == {
        "lines.0.description": "Keep descriptions under 4,000 characters."
    }


def test_dates_out_of_range_are_refused(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    bad = draft(client(session, owner), gst(session, owner))
    bad.issue_date = dt.date(1900, 1, 1)
    bad.due_date = TODAY - dt.timedelta(days=3)
    problems = _problems(session, owner, bad)
    assert problems["issue_date"] == "Enter a date within five years of today."
    assert "due_date" in problems


def test_an_invoice_dated_at_the_end_of_the_calendar_is_refused_with_a_message(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    bad = draft(client(session, owner), gst(session, owner))
    bad.issue_date = bad.due_date = dt.date(9999, 12, 31)
    assert _problems(session, owner, bad) == {"issue_date": "Enter a date within five years of today."}


def test_a_due_date_before_the_invoice_date_is_refused(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    bad = draft(client(session, owner), gst(session, owner))
    bad.due_date = TODAY - dt.timedelta(days=1)
    assert list(_problems(session, owner, bad)) == ["due_date"]


def test_a_duplicate_invoice_number_within_the_business_is_refused(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    first = draft(client(session, owner), gst(session, owner))
    first.number = "INV-7"
    invoices.create_invoice(session, owner, first)
    with pytest.raises(ValidationFailed) as refused:
        invoices.create_invoice(session, owner, first)
    assert refused.value.errors == {"number": "Invoice INV-7 already exists in this business."}


def test_a_negative_total_is_refused_but_a_discount_line_is_fine(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    rate = gst(session, owner)
    client_id = client(session, owner)
    discounted = invoices.create_invoice(
        session, owner, draft(client_id, rate, ("Work", "1", "100"), ("Loyalty discount", "1", "-10"))
    )
    assert discounted.total == Decimal("99.00")
    with pytest.raises(ValidationFailed) as refused:
        invoices.create_invoice(session, owner, draft(client_id, rate, ("Refund", "1", "-10")))
    assert "below zero" in refused.value.errors["lines"]


def test_totals_are_rounded_per_line_the_way_xero_does(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    rate = gst(session, owner)
    invoice = invoices.create_invoice(
        session,
        owner,
        draft(client(session, owner), rate, ("A", "1", "0.05"), ("B", "1", "0.05"), ("C", "1", "0.05")),
    )
    # each line's 0.005 tax rounds up to 0.01: Xero says 0.03 tax, not round(0.015) = 0.02
    assert (invoice.subtotal, invoice.total_tax, invoice.total) == (
        Decimal("0.15"),
        Decimal("0.03"),
        Decimal("0.18"),
    )


def test_an_auto_numbered_invoice_that_fails_validation_does_not_use_up_a_number(
    session: Session, make_actor
) -> None:
    owner = make_actor(Role.OWNER)
    rate = gst(session, owner)
    client_id = client(session, owner)
    with pytest.raises(ValidationFailed):
        invoices.create_invoice(session, owner, draft(client_id, rate, ("", "1", "1")))
    session.rollback()
    assert invoices.create_invoice(session, owner, draft(client_id, rate)).number == "INV-0001"


def test_a_line_with_a_tax_rate_from_another_business_is_refused(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    bad = draft(client(session, owner), gst(session, owner))
    bad.lines = [LineDraft("Work", "1", "10", "labour", 999_999)]
    assert list(_problems(session, owner, bad)) == ["lines.0.tax_rate_id"]

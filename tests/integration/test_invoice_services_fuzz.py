"""Random input through the invoice services: never a crash, never totals that disagree with the lines."""

from __future__ import annotations

import datetime as dt
import itertools
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import Session, select

from myapprentice_app.domain.roles import Role
from myapprentice_app.models import LineItem
from myapprentice_app.services import invoices
from myapprentice_app.services.errors import ActionRefused, ValidationFailed
from myapprentice_app.services.invoices import InvoiceDraft
from myapprentice_app.services.lines import LineDraft
from tests.integration.invoicing_helpers import client, gst

numbers = st.one_of(
    st.decimals(min_value=-20_000_000, max_value=20_000_000, places=4, allow_nan=False).map(str),
    st.sampled_from(["", "abc", "1e400", "NaN", "-0", "1,000", "$12.50", "0.00001", "∞"]),
    st.text(max_size=12),
)
lines = st.lists(
    st.builds(
        LineDraft,
        description=st.text(max_size=50),
        quantity=numbers,
        unit_amount=numbers,
        category=st.sampled_from(["labour", "materials", "other", "bogus"]),
    ),
    max_size=6,
)
dates = st.one_of(st.none(), st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2200, 1, 1)))

CLIENT_NUMBERS = itertools.count(1)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    drafted=lines,
    issue=dates,
    due=dates,
    amounts_are=st.sampled_from(["exclusive", "inclusive", "no_tax", "?"]),
    payment=numbers,
)
def test_random_invoices_and_payments_never_crash_or_corrupt_totals(
    session: Session, make_actor, drafted, issue, due, amounts_are, payment
) -> None:
    owner = make_actor(Role.OWNER) if not hasattr(make_actor, "cached") else make_actor.cached
    make_actor.cached = owner
    rate = session.exec(select(invoices.TaxRate)).first() or gst(session, owner)
    client_id = client(session, owner, name=f"Client {next(CLIENT_NUMBERS)}")  # one new client per example
    for line in drafted:
        line.tax_rate_id = rate.id
    draft = InvoiceDraft(client_id=client_id, issue_date=issue, due_date=due, lines=drafted, amounts_are=amounts_are)
    try:
        invoice = invoices.create_invoice(session, owner, draft)
    except ValidationFailed as failed:
        session.rollback()
        assert failed.errors and all(isinstance(message, str) and message for message in failed.errors.values())
        return
    items = session.exec(select(LineItem).where(LineItem.invoice_id == invoice.id)).all()
    entered = sum((item.line_amount for item in items), Decimal(0))
    tax = sum((item.tax_amount for item in items), Decimal(0))
    assert invoice.total_tax == tax and invoice.total >= 0
    assert invoice.total == (entered if amounts_are == "inclusive" else entered + tax)
    assert invoice.subtotal + invoice.total_tax == invoice.total
    invoices.authorise_invoice(session, owner, invoice.id)
    try:
        invoices.record_payment(session, owner, invoice.id, amount=payment, paid_on=dt.date.today(), method="cash")
    except (ValidationFailed, ActionRefused):
        session.rollback()
    stored = invoices.get_invoice(session, owner, invoice.id)
    assert Decimal(0) <= stored.amount_paid <= stored.total

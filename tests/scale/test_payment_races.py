"""Two payments of one invoice landing at the same moment, on SQLite and on PostgreSQL: the second waits for the
first and adds to it; neither is lost, and the invoice never takes more than is owing.

The first payment is a card payment written (by the same service as the Stripe webhook) in a transaction held
open by the test; the second is written meanwhile in another thread, by hand or by a second card payment."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from sqlmodel import Session, func, select

from myapprentice_app.db import get_engine
from myapprentice_app.models import Invoice, Payment, StripeAccount
from myapprentice_app.services import invoices, stripe_payments
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.services.principal import Principal
from tests.integration.invoicing_helpers import TODAY, client, draft, gst
from tests.support.concurrently import while_held
from tests.support.stripe_sandbox import card_payment


@pytest.fixture
def owner(make_owner: Callable[[str], Principal]) -> Principal:
    principal = make_owner("owner@race.test")
    with Session(get_engine()) as session:
        session.add(StripeAccount(business_id=principal.business_id, account_id="acct_race", status="connected"))
        session.commit()
    return principal


@pytest.fixture
def invoice_id(owner: Principal) -> int:
    with Session(get_engine(), expire_on_commit=False) as session:
        invoice = invoices.create_invoice(session, owner, draft(client(session, owner), gst(session, owner)))
        invoices.authorise_invoice(session, owner, invoice.id or 0)
        assert invoice.total == Decimal("627.00")
        return invoice.id or 0


def while_a_card_payment_is_written(invoice_id: int, second: Callable[[], Any]) -> Any:
    """A 100.00 card payment is written and `second()` runs before it commits; what `second` returned."""

    def first_card(session: Session) -> None:
        account = session.exec(select(StripeAccount)).one()
        assert stripe_payments.settle(session, account, card_payment(invoice_id, "pi_first", 10000)) is None

    [outcome] = while_held(first_card, second)
    if isinstance(outcome, Exception):
        raise outcome
    return outcome


def paid(invoice_id: int) -> tuple[str, Decimal, Decimal]:
    """The invoice's status and amount paid, and the sum of its payments."""
    with Session(get_engine()) as session:
        invoice = session.get(Invoice, invoice_id)
        assert invoice is not None
        payments = session.exec(select(func.coalesce(func.sum(Payment.amount), 0))
                                .where(Payment.invoice_id == invoice_id)).one()
        return invoice.status, invoice.amount_paid, Decimal(payments)


def record_by_hand(owner: Principal, invoice_id: int, amount: str) -> Payment:
    with Session(get_engine(), expire_on_commit=False) as session:
        return invoices.record_payment(session, owner, invoice_id, amount=amount, paid_on=TODAY,
                                       method="bank_transfer")


def test_a_payment_recorded_by_hand_while_a_card_payment_is_written_adds_to_it(
        owner: Principal, invoice_id: int) -> None:
    while_a_card_payment_is_written(invoice_id, lambda: record_by_hand(owner, invoice_id, "527.00"))
    assert paid(invoice_id) == ("paid", Decimal("627.00"), Decimal("627.00"))


def test_a_payment_by_hand_of_what_was_owing_before_a_card_payment_landed_is_refused_for_what_is_owing_now(
        owner: Principal, invoice_id: int) -> None:
    with pytest.raises(ValidationFailed) as refused:
        while_a_card_payment_is_written(invoice_id, lambda: record_by_hand(owner, invoice_id, "627.00"))
    assert refused.value.errors == {"amount": "That's more than the 527.00 still owing on this invoice."}
    assert paid(invoice_id) == ("part_paid", Decimal("100.00"), Decimal("100.00"))


def test_a_second_card_payment_at_the_same_moment_takes_only_what_is_still_owing_and_says_so(
        invoice_id: int) -> None:
    def second_card() -> str | None:
        with Session(get_engine(), expire_on_commit=False) as session:
            account = session.exec(select(StripeAccount)).one()
            problem = stripe_payments.settle(session, account, card_payment(invoice_id, "pi_second", 60000))
            session.commit()
            return problem

    problem = while_a_card_payment_is_written(invoice_id, second_card)
    assert problem is not None and "only $527.00 was owing; $73.00 is recorded nowhere" in problem
    assert paid(invoice_id) == ("paid", Decimal("627.00"), Decimal("627.00"))

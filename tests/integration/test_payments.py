"""Mark as paid: part payments move the invoice to Part paid; paying more than is owed is refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import Session, select

from myapprentice_app.domain.roles import PermissionDenied, Role
from myapprentice_app.models import AuditEvent
from myapprentice_app.services import invoices
from myapprentice_app.services.errors import ValidationFailed
from tests.integration.invoicing_helpers import TODAY, client, draft, gst


def _authorised(session: Session, actor) -> int:
    invoice = invoices.create_invoice(session, actor, draft(client(session, actor), gst(session, actor)))
    invoices.authorise_invoice(session, actor, invoice.id)
    return invoice.id  # total 627.00


def test_a_part_payment_moves_the_invoice_to_part_paid_and_the_rest_to_paid(
    session: Session, make_actor
) -> None:
    finance = make_actor(Role.FINANCE)
    invoice_id = _authorised(session, finance)

    invoices.record_payment(session, finance, invoice_id, amount="200", paid_on=TODAY, method="cash")
    invoice = invoices.get_invoice(session, finance, invoice_id)
    assert (invoice.status, invoice.amount_due) == ("part_paid", Decimal("427.00"))

    invoices.record_payment(
        session,
        finance,
        invoice_id,
        amount="427.00",
        paid_on=TODAY,
        method="bank_transfer",
        reference="EFT 5521",
    )
    assert invoices.get_invoice(session, finance, invoice_id).status == "paid"
    actions = session.exec(
        select(AuditEvent.detail).where(AuditEvent.action == "invoice.payment_recorded")
    ).all()
    assert actions == ["200.00 by cash", "427.00 by bank_transfer"]


def test_overpayment_is_refused_with_a_clear_message(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    invoice_id = _authorised(session, owner)
    with pytest.raises(ValidationFailed) as refused:
        invoices.record_payment(session, owner, invoice_id, amount="627.01", paid_on=TODAY, method="card")
    assert refused.value.errors == {"amount": "That's more than the 627.00 still owing on this invoice."}


@pytest.mark.parametrize(
    ("amount", "method", "field"),
    [
        ("abc", "cash", "amount"),
        ("-5", "cash", "amount"),
        ("1.234", "cash", "amount"),
        ("1,00", "cash", "amount"),  # a decimal comma: not 100
        ("10", "bitcoin", "method"),
    ],
)
def test_nonsense_payments_are_refused_field_by_field(
    session: Session, make_actor, amount, method, field
) -> None:
    owner = make_actor(Role.OWNER)
    invoice_id = _authorised(session, owner)
    with pytest.raises(ValidationFailed) as refused:
        invoices.record_payment(session, owner, invoice_id, amount=amount, paid_on=TODAY, method=method)
    assert list(refused.value.errors) == [field]


def test_a_supervisor_cannot_mark_an_invoice_paid(session: Session, make_actor) -> None:
    owner, supervisor = make_actor(Role.OWNER), make_actor(Role.SUPERVISOR)
    invoice_id = _authorised(session, owner)
    with pytest.raises(PermissionDenied):
        invoices.record_payment(session, supervisor, invoice_id, amount="1", paid_on=TODAY, method="cash")


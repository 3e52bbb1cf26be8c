import pytest

from myapprentice_app.domain.invoice_status import InvalidTransition, InvoiceStatus, transition


def test_a_paid_invoice_cannot_be_voided() -> None:
    with pytest.raises(InvalidTransition, match="A paid invoice can't become voided"):
        transition(InvoiceStatus.PAID, InvoiceStatus.VOIDED)


def test_a_draft_can_be_authorised_sent_or_voided() -> None:
    for wanted in (InvoiceStatus.AUTHORISED, InvoiceStatus.SENT, InvoiceStatus.VOIDED):
        assert transition(InvoiceStatus.DRAFT, wanted) is wanted

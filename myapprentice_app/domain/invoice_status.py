"""The invoice life cycle and the Xero sync status shown beside it."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum


class InvoiceStatus(StrEnum):
    DRAFT = "draft"
    AUTHORISED = "authorised"
    SENT = "sent"
    PART_PAID = "part_paid"
    PAID = "paid"
    VOIDED = "voided"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class SyncStatus(StrEnum):
    NOT_SYNCED = "not_synced"
    PENDING = "pending"
    SYNCED = "synced"
    ERROR = "error"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


AUTHORISED_STATES = frozenset(
    {InvoiceStatus.AUTHORISED, InvoiceStatus.SENT, InvoiceStatus.PART_PAID, InvoiceStatus.PAID}
)

_ALLOWED = {
    InvoiceStatus.DRAFT: {InvoiceStatus.AUTHORISED, InvoiceStatus.SENT, InvoiceStatus.VOIDED},
    InvoiceStatus.AUTHORISED: {InvoiceStatus.SENT, InvoiceStatus.PART_PAID, InvoiceStatus.PAID, InvoiceStatus.VOIDED},
    InvoiceStatus.SENT: {InvoiceStatus.PART_PAID, InvoiceStatus.PAID, InvoiceStatus.VOIDED},
    InvoiceStatus.PART_PAID: {InvoiceStatus.PART_PAID, InvoiceStatus.PAID},
    InvoiceStatus.PAID: set(),
    InvoiceStatus.VOIDED: set(),
}


class InvalidTransition(Exception):
    def __init__(self, current: InvoiceStatus, wanted: InvoiceStatus) -> None:
        super().__init__(f"A {current.label.lower()} invoice can't become {wanted.label.lower()}.")


def transition(current: InvoiceStatus, wanted: InvoiceStatus) -> InvoiceStatus:
    if wanted not in _ALLOWED[current]:
        raise InvalidTransition(current, wanted)
    return wanted


def status_after_payment(total: Decimal, amount_paid: Decimal) -> InvoiceStatus:
    return InvoiceStatus.PAID if amount_paid >= total else InvoiceStatus.PART_PAID


def status_after_refund(total: Decimal, amount_paid: Decimal, was_sent: bool) -> InvoiceStatus:
    """A refund re-opens the invoice: part paid if something is still paid, else back to sent (or authorised)."""
    if amount_paid >= total:
        return InvoiceStatus.PAID
    if amount_paid > 0:
        return InvoiceStatus.PART_PAID
    return InvoiceStatus.SENT if was_sent else InvoiceStatus.AUTHORISED

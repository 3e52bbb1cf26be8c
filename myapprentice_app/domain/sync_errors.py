"""SPEC.md's error table: each sync problem in plain words, with the fixes the app offers for it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Fix(StrEnum):
    CREATE_CONTACT = "create_contact"
    LINK_CONTACT = "link_contact"
    PICK_ACCOUNT = "pick_account"
    MAP_TAX_RATE = "map_tax_rate"
    LINK_INVOICE = "link_invoice"
    RENUMBER = "renumber"
    RECONNECT = "reconnect"
    SET_PAYMENT_ACCOUNT = "set_payment_account"
    RETRY = "retry"

    @property
    def label(self) -> str:
        return FIX_LABELS[self]


FIX_LABELS = {
    Fix.CREATE_CONTACT: "Create the contact in Xero",
    Fix.LINK_CONTACT: "Link an existing Xero contact",
    Fix.PICK_ACCOUNT: "Pick an account and retry",
    Fix.MAP_TAX_RATE: "Map the tax rate and retry",
    Fix.LINK_INVOICE: "Link to that Xero invoice",
    Fix.RENUMBER: "Renumber to the next free number",
    Fix.RECONNECT: "Reconnect Xero",
    Fix.SET_PAYMENT_ACCOUNT: "Choose the payment account",
    Fix.RETRY: "Retry now",
}


class ErrorCode(StrEnum):
    CONTACT_NOT_FOUND = "contact_not_found"
    INVALID_ACCOUNT = "invalid_account"
    MISSING_TAX_MAPPING = "missing_tax_mapping"
    NUMBER_CONFLICT = "number_conflict"
    NEEDS_RECONNECT = "needs_reconnect"
    WAITING_FOR_XERO = "waiting_for_xero"
    NO_PAYMENT_ACCOUNT = "no_payment_account"
    REJECTED = "rejected"


@dataclass(frozen=True)
class CatalogueEntry:
    code: ErrorCode
    title: str
    explanation: str
    fixes: tuple[Fix, ...]


CATALOGUE: dict[ErrorCode, CatalogueEntry] = {
    entry.code: entry
    for entry in (
        CatalogueEntry(
            ErrorCode.CONTACT_NOT_FOUND, "Client not found in Xero",
            "Xero has no active contact for this client, and your contact policy asks for a match.",
            (Fix.CREATE_CONTACT, Fix.LINK_CONTACT),
        ),
        CatalogueEntry(
            ErrorCode.INVALID_ACCOUNT, "Invalid account code",
            "The account this line is mapped to doesn't exist in Xero, is archived, or isn't a revenue account.",
            (Fix.PICK_ACCOUNT,),
        ),
        CatalogueEntry(
            ErrorCode.MISSING_TAX_MAPPING, "Missing tax mapping",
            "A tax rate on this invoice has no Xero tax type, or its tax type can't be used with the account.",
            (Fix.MAP_TAX_RATE,),
        ),
        CatalogueEntry(
            ErrorCode.NUMBER_CONFLICT, "Invoice number conflict",
            "Xero already has an invoice with this number.",
            (Fix.LINK_INVOICE, Fix.RENUMBER),
        ),
        CatalogueEntry(
            ErrorCode.NEEDS_RECONNECT, "Xero connection needs reconnecting",
            "Xero no longer accepts this app's access. A Business Owner or Admin needs to reconnect; "
            "pending work resumes after that.",
            (Fix.RECONNECT,),
        ),
        CatalogueEntry(
            ErrorCode.WAITING_FOR_XERO, "Waiting for Xero",
            "Xero is busy or unavailable. Nothing to do: the app retries automatically.",
            (),
        ),
        CatalogueEntry(
            ErrorCode.NO_PAYMENT_ACCOUNT, "No payment account chosen",
            "Choose the account payments go to in Business Settings → Xero (Payment account for manual "
            "payments, or Stripe payment account).",
            (Fix.SET_PAYMENT_ACCOUNT,),
        ),
        CatalogueEntry(
            ErrorCode.REJECTED, "Xero didn't accept this invoice",
            "Xero refused the invoice. Its reason is under Details; correct the invoice and retry.",
            (Fix.RETRY,),
        ),
    )
}


@dataclass(frozen=True)
class Problem:
    """One reason an invoice can't be in Xero. Invoices with the same `cause` share one fix: mapping the
    Labour account (`account:labour`), a tax rate (`tax:3`), a client's contact (`contact:7`). A cause that is
    the invoice's own (a number Xero already has) names the invoice: `number:12`."""

    code: ErrorCode
    detail: str
    cause: str = ""

    @property
    def key(self) -> str:
        return self.cause or self.code.value


def contact_cause(client_id: int) -> str:
    return f"contact:{client_id}"


def account_cause(category: str) -> str:
    return f"account:{category}"


def tax_cause(rate_id: int) -> str:
    return f"tax:{rate_id}"


def number_cause(invoice_id: int) -> str:
    return f"number:{invoice_id}"


def entry_for(code: str | None) -> CatalogueEntry | None:
    if not code:
        return None
    try:
        return CATALOGUE[ErrorCode(code)]
    except ValueError:
        return None

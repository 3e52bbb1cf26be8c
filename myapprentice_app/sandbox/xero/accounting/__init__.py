"""Accounting API handlers under /api.xro/2.0: one module per resource (Invoices, Contacts, Payments, the
organisation's Accounts, TaxRates and Organisation), and the list and batch machinery they share."""

from .bank_transactions import get_bank_transactions, put_bank_transactions
from .contacts import get_contact, get_contacts, post_contact, post_contacts, put_contacts
from .invoices import get_invoice, get_invoices, get_online_invoice, post_invoice, post_invoices, put_invoices
from .organisation import get_account, get_accounts, get_organisation, get_tax_rate, get_tax_rates
from .payments import delete_payment, get_payment, get_payments, write_payments

__all__ = [
    "get_bank_transactions",
    "put_bank_transactions",
    "delete_payment",
    "get_account",
    "get_accounts",
    "get_contact",
    "get_contacts",
    "get_invoice",
    "get_invoices",
    "get_online_invoice",
    "get_organisation",
    "get_payment",
    "get_payments",
    "get_tax_rate",
    "get_tax_rates",
    "post_contact",
    "post_contacts",
    "post_invoice",
    "post_invoices",
    "put_contacts",
    "put_invoices",
    "write_payments",
]

"""A realistic Australian demo organisation: chart of accounts, GST rates, contacts and INV-0001."""

from __future__ import annotations

import uuid
from typing import Any

DEMO_ORGANISATION_NAME = "Bright Spark Electrical (Demo)"
# One per demo business: a Xero organisation serves one MyApprentice business.
DEMO_ORGANISATION_NAMES = (DEMO_ORGANISATION_NAME, "Solo Plumbing (Demo)")

AU_TAX_RATES: list[dict[str, Any]] = [
    {
        "Name": "GST on Income",
        "TaxType": "OUTPUT",
        "Rate": "10",
        "ReportTaxType": "OUTPUT",
        "applies_to": ["REVENUE", "ASSET", "LIABILITY", "EQUITY"],
    },
    {
        "Name": "GST on Expenses",
        "TaxType": "INPUT",
        "Rate": "10",
        "ReportTaxType": "INPUT",
        "applies_to": ["EXPENSE", "ASSET", "LIABILITY", "EQUITY"],
    },
    {
        "Name": "GST Free Income",
        "TaxType": "EXEMPTOUTPUT",
        "Rate": "0",
        "ReportTaxType": "EXEMPTOUTPUT",
        "applies_to": ["REVENUE", "ASSET", "LIABILITY", "EQUITY"],
    },
    {
        "Name": "GST Free Expenses",
        "TaxType": "EXEMPTEXPENSES",
        "Rate": "0",
        "ReportTaxType": "EXEMPTEXPENSES",
        "applies_to": ["EXPENSE", "ASSET", "LIABILITY", "EQUITY"],
    },
    {
        "Name": "BAS Excluded",
        "TaxType": "BASEXCLUDED",
        "Rate": "0",
        "ReportTaxType": "BASEXCLUDED",
        "applies_to": ["REVENUE", "EXPENSE", "ASSET", "LIABILITY", "EQUITY"],
    },
    {
        "Name": "Input Taxed",
        "TaxType": "INPUTTAXED",
        "Rate": "0",
        "ReportTaxType": "INPUTTAXED",
        "applies_to": ["REVENUE", "EXPENSE", "ASSET", "LIABILITY", "EQUITY"],
    },
    {
        "Name": "GST on Imports",
        "TaxType": "GSTONIMPORTS",
        "Rate": "0",
        "ReportTaxType": "GSTONIMPORTS",
        "applies_to": ["EXPENSE", "ASSET", "LIABILITY"],
    },
]

# (Code, Name, Type, Class, TaxType, extra)
AU_ACCOUNTS: list[tuple[str, str, str, str, str, dict[str, Any]]] = [
    (
        "090",
        "Business Bank Account",
        "BANK",
        "ASSET",
        "BASEXCLUDED",
        {"BankAccountType": "BANK", "BankAccountNumber": "062000123456789"},
    ),
    (
        "091",
        "Business Savings Account",
        "BANK",
        "ASSET",
        "BASEXCLUDED",
        {"BankAccountType": "BANK", "BankAccountNumber": "062000987654321"},
    ),
    (  # how Xero's Stripe feed sets it up: card payments land here, and Stripe's fees are spent from it
        "092",
        "Stripe",
        "BANK",
        "ASSET",
        "BASEXCLUDED",
        {"BankAccountType": "BANK", "BankAccountNumber": "062000555555555"},
    ),
    ("200", "Sales", "REVENUE", "REVENUE", "OUTPUT", {}),
    ("260", "Other Revenue", "REVENUE", "REVENUE", "OUTPUT", {}),
    ("270", "Interest Income", "REVENUE", "REVENUE", "EXEMPTOUTPUT", {}),
    ("280", "Legacy Service Income", "REVENUE", "REVENUE", "OUTPUT", {"Status": "ARCHIVED"}),
    ("400", "Advertising", "EXPENSE", "EXPENSE", "INPUT", {}),
    ("429", "General Expenses", "EXPENSE", "EXPENSE", "INPUT", {}),
    ("610", "Accounts Receivable", "CURRENT", "ASSET", "BASEXCLUDED", {"SystemAccount": "DEBTORS"}),
    ("615", "Stripe Clearing", "CURRENT", "ASSET", "BASEXCLUDED", {"EnablePaymentsToAccount": True}),
    ("800", "Accounts Payable", "CURRLIAB", "LIABILITY", "BASEXCLUDED", {"SystemAccount": "CREDITORS"}),
    ("820", "GST", "CURRLIAB", "LIABILITY", "BASEXCLUDED", {"SystemAccount": "GST"}),
    ("970", "Owner A Funds Introduced", "EQUITY", "EQUITY", "BASEXCLUDED", {}),
]

AU_CONTACTS: list[dict[str, Any]] = [
    {
        "Name": "Harbourview Property Management",
        "EmailAddress": "accounts@harbourview.example",
        "ContactNumber": "CUST-001",
    },
    {
        "Name": "Jones Family Trust",
        "EmailAddress": "pat.jones@example.com",
        "FirstName": "Pat",
        "LastName": "Jones",
    },
    {"Name": "Coastal Builders Pty Ltd", "EmailAddress": "ap@coastalbuilders.example"},
    {"Name": "Old Mate Renovations", "EmailAddress": "oldmate@example.com", "ContactStatus": "ARCHIVED"},
]


def new_id() -> str:
    return str(uuid.uuid4())


def organisation(name: str, country: str, now_ms: int) -> dict[str, Any]:
    tenant_id = new_id()
    org: dict[str, Any] = {
        "OrganisationID": tenant_id,
        "Name": name,
        "CountryCode": country,
        "BaseCurrency": "AUD",
        "Timezone": "AUSEASTERNSTANDARDTIME",
        "ShortCode": "!" + tenant_id[:5],
        "created_ms": now_ms,
        "accounts": {},
        "tax_rates": {},
        "contacts": {},
        "invoices": {},
        "payments": {},
        "invoice_seq": 1,
    }
    for rate in AU_TAX_RATES:
        org["tax_rates"][rate["TaxType"]] = {**rate, "Status": "ACTIVE"}
    for code, acc_name, acc_type, acc_class, tax_type, extra in AU_ACCOUNTS:
        account = {
            "AccountID": new_id(),
            "Code": code,
            "Name": acc_name,
            "Type": acc_type,
            "Class": acc_class,
            "TaxType": tax_type,
            "Status": "ACTIVE",
            "EnablePaymentsToAccount": False,
            "updated_ms": now_ms,
        }
        account.update(extra)
        org["accounts"][account["AccountID"]] = account
    for details in AU_CONTACTS:
        contact = {"ContactID": new_id(), "ContactStatus": "ACTIVE", "updated_ms": now_ms, **details}
        org["contacts"][contact["ContactID"]] = contact
    return org


def first_invoice(org: dict[str, Any], now_ms: int, today: str) -> dict[str, Any]:
    """INV-0001, AUTHORISED, so that numbering conflicts can be provoked from the first push."""
    contact_id = next(iter(org["contacts"]))
    return {
        "InvoiceID": new_id(),
        "Type": "ACCREC",
        "ContactID": contact_id,
        "InvoiceNumber": "INV-0001",
        "Reference": "Switchboard upgrade",
        "Date": today,
        "DueDate": today,
        "LineAmountTypes": "Exclusive",
        "Status": "AUTHORISED",
        "CurrencyCode": "AUD",
        "SentToContact": False,
        "LineItems": [
            {
                "LineItemID": new_id(),
                "Description": "Switchboard upgrade",
                "Quantity": "1.0000",
                "UnitAmount": "1200.00",
                "AccountCode": "200",
                "TaxType": "OUTPUT",
                "TaxAmount": "120.00",
                "LineAmount": "1200.00",
            }
        ],
        "SubTotal": "1200.00",
        "TotalTax": "120.00",
        "Total": "1320.00",
        "AmountPaid": "0.00",
        "AmountCredited": "0.00",
        "FullyPaidOnDate": None,
        "PaymentIDs": [],
        "updated_ms": now_ms,
    }

"""Stored records → the JSON Xero sends (PascalCase, ms dates, `[]` never `null`, SDK-safe enums)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import dates, money

NIL_ID = "00000000-0000-0000-0000-000000000000"


def amount(value: str | Decimal | None) -> float:
    return float(value) if value is not None else 0.0


def contact_summary(contact: dict[str, Any] | None) -> dict[str, Any]:
    if contact is None:
        return {
            "ContactID": NIL_ID,
            "Addresses": [],
            "Phones": [],
            "ContactGroups": [],
            "ContactPersons": [],
            "HasAttachments": False,
            "HasValidationErrors": False,
        }
    body = {
        "ContactID": contact["ContactID"],
        "ContactStatus": contact["ContactStatus"],
        "Name": contact["Name"],
        "Addresses": [],
        "Phones": [],
        "ContactGroups": [],
        "ContactPersons": [],
        "HasAttachments": False,
        "HasValidationErrors": False,
    }
    if contact.get("ContactNumber"):
        body["ContactNumber"] = contact["ContactNumber"]
    return body


def contact(record: dict[str, Any]) -> dict[str, Any]:
    body = contact_summary(record)
    for key in ("ContactNumber", "AccountNumber", "FirstName", "LastName", "EmailAddress"):
        if record.get(key):
            body[key] = record[key]
    body.update(
        {
            "IsSupplier": bool(record.get("IsSupplier", False)),
            "IsCustomer": bool(record.get("IsCustomer", False)),
            "UpdatedDateUTC": dates.ms_datetime(record["updated_ms"]),
        }
    )
    return body


def line_item(line: dict[str, Any], unitdp: int) -> dict[str, Any]:
    body = {
        "LineItemID": line["LineItemID"],
        "Description": line.get("Description") or "",
        "Quantity": amount(line["Quantity"]),
        "UnitAmount": amount(money.unit_amount(Decimal(line["UnitAmount"]), unitdp)),
        "TaxType": line["TaxType"],
        "TaxAmount": amount(line["TaxAmount"]),
        "LineAmount": amount(line["LineAmount"]),
        "Tracking": [],
        "ValidationErrors": [],
    }
    if line.get("AccountCode"):
        body["AccountCode"] = line["AccountCode"]
    if line.get("DiscountRate"):
        body["DiscountRate"] = amount(line["DiscountRate"])
    return body


def invoice(
    org: dict[str, Any],
    record: dict[str, Any],
    unitdp: int = 2,
    with_lines: bool = True,
    contact_record: dict[str, Any] | None = None,
) -> dict[str, Any]:
    if contact_record is None:
        contact_record = org["contacts"].get(record.get("ContactID") or "")
    total = Decimal(record["Total"])
    paid = Decimal(record["AmountPaid"])
    credited = Decimal(record["AmountCredited"])
    body: dict[str, Any] = {
        "Type": record.get("Type"),
        "InvoiceID": record["InvoiceID"],
        "InvoiceNumber": record.get("InvoiceNumber") or "",
        "Reference": record.get("Reference") or "",
        "Payments": [
            payment_summary(org["payments"][pid])
            for pid in record["PaymentIDs"]
            if pid in org["payments"] and org["payments"][pid]["Status"] == "AUTHORISED"
        ],
        "CreditNotes": [],
        "Prepayments": [],
        "Overpayments": [],
        "AmountDue": amount(total - paid - credited),
        "AmountPaid": amount(paid),
        "AmountCredited": amount(credited),
        "SentToContact": bool(record.get("SentToContact")),
        "CurrencyRate": 1.0,
        "IsDiscounted": any(line.get("DiscountRate") for line in record["LineItems"]),
        "HasAttachments": bool(record.get("Attachments")),
        "HasErrors": False,
        "Contact": contact_summary(contact_record),
        "Status": record["Status"],
        "LineAmountTypes": record["LineAmountTypes"],
        "LineItems": [line_item(line, unitdp) for line in record["LineItems"]] if with_lines else [],
        "SubTotal": amount(record["SubTotal"]),
        "TotalTax": amount(record["TotalTax"]),
        "Total": amount(total),
        "UpdatedDateUTC": dates.ms_datetime(record["updated_ms"]),
        "UpdatedDateUTCString": dates.utc_string(record["updated_ms"]),
        "CurrencyCode": record["CurrencyCode"],
    }
    if record.get("Date"):
        body["Date"] = dates.ms_date(record["Date"])
        body["DateString"] = dates.date_string(record["Date"])
    if record.get("DueDate"):
        body["DueDate"] = dates.ms_date(record["DueDate"])
        body["DueDateString"] = dates.date_string(record["DueDate"])
    if record.get("FullyPaidOnDate"):
        body["FullyPaidOnDate"] = dates.ms_date(record["FullyPaidOnDate"])
    return body


def account(record: dict[str, Any]) -> dict[str, Any]:
    body = {
        "AccountID": record["AccountID"],
        "Code": record["Code"],
        "Name": record["Name"],
        "Type": record["Type"],
        "TaxType": record["TaxType"],
        "Status": record["Status"],
        "Class": record["Class"],
        "EnablePaymentsToAccount": bool(record.get("EnablePaymentsToAccount")),
        "ShowInExpenseClaims": False,
        "ReportingCode": record["Class"][:3],
        "ReportingCodeName": record["Name"],
        "HasAttachments": False,
        "AddToWatchlist": False,
        "UpdatedDateUTC": dates.ms_datetime(record["updated_ms"]),
    }
    for key in ("BankAccountNumber", "BankAccountType", "SystemAccount"):
        if record.get(key):
            body[key] = record[key]
    if record["Type"] == "BANK":
        body["CurrencyCode"] = "AUD"
    return body


def tax_rate(record: dict[str, Any]) -> dict[str, Any]:
    rate = float(record["Rate"])
    applies = record["applies_to"]
    return {
        "Name": record["Name"],
        "TaxType": record["TaxType"],
        "ReportTaxType": record["ReportTaxType"],
        "CanApplyToAssets": "ASSET" in applies,
        "CanApplyToEquity": "EQUITY" in applies,
        "CanApplyToExpenses": "EXPENSE" in applies,
        "CanApplyToLiabilities": "LIABILITY" in applies,
        "CanApplyToRevenue": "REVENUE" in applies,
        "DisplayTaxRate": rate,
        "EffectiveRate": rate,
        "Status": record["Status"],
        "TaxComponents": record.get("TaxComponents")
        or [{"Name": "GST", "Rate": rate, "IsCompound": False, "IsNonRecoverable": False}],
    }


def payment_summary(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "PaymentID": record["PaymentID"],
        "Date": dates.ms_date(record["Date"]),
        "Amount": amount(record["Amount"]),
        "Reference": record.get("Reference") or "",
        "CurrencyRate": 1.0,
        "HasAccount": False,
        "HasValidationErrors": False,
    }


def payment(org: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    account_record = org["accounts"][record["AccountID"]]
    if record.get("CreditNoteID"):  # a refund of a credit note
        note = org["credit_notes"][record["CreditNoteID"]]
        document_key, kind = "CreditNote", "ARCREDITPAYMENT" if note["Type"] == "ACCREC" else "APCREDITPAYMENT"
        document_body = {"CreditNoteID": note["InvoiceID"], "CreditNoteNumber": note.get("InvoiceNumber") or "",
                         "Type": "ACCRECCREDIT" if note["Type"] == "ACCREC" else "ACCPAYCREDIT",
                         "Contact": contact_summary(org["contacts"].get(note.get("ContactID"))),
                         "HasAttachments": False, "HasErrors": False}
    else:
        invoice_record = org["invoices"][record["InvoiceID"]]
        document_key, kind = "Invoice", "ACCRECPAYMENT" if invoice_record["Type"] == "ACCREC" else "ACCPAYPAYMENT"
        document_body = invoice(org, invoice_record, with_lines=False)
    return {
        "PaymentID": record["PaymentID"],
        "Date": dates.ms_date(record["Date"]),
        "BankAmount": amount(record["Amount"]),
        "Amount": amount(record["Amount"]),
        "Reference": record.get("Reference") or "",
        "CurrencyRate": 1.0,
        "PaymentType": kind,
        "Status": record["Status"],
        "UpdatedDateUTC": dates.ms_datetime(record["updated_ms"]),
        "HasAccount": True,
        "IsReconciled": bool(record.get("IsReconciled")),
        "Account": {
            "AccountID": account_record["AccountID"],
            "Code": account_record["Code"],
            "Name": account_record["Name"],
            "HasAttachments": False,
        },
        document_key: document_body,
        "HasValidationErrors": False,
    }


def organisation(org: dict[str, Any]) -> dict[str, Any]:
    return {
        "OrganisationID": org["OrganisationID"],
        "APIKey": "",
        "Name": org["Name"],
        "LegalName": org["Name"],
        "PaysTax": True,
        "Version": org["CountryCode"],
        "OrganisationType": "COMPANY",
        "BaseCurrency": org["BaseCurrency"],
        "CountryCode": org["CountryCode"],
        "IsDemoCompany": True,
        "OrganisationStatus": "ACTIVE",
        "RegistrationNumber": "12 345 678 901",
        "TaxNumber": "12 345 678 901",
        "FinancialYearEndDay": 30,
        "FinancialYearEndMonth": 6,
        "SalesTaxBasis": "ACCRUALS",
        "SalesTaxPeriod": "QUARTERLY1",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "CreatedDateUTC": dates.ms_datetime(org["created_ms"]),
        "OrganisationEntityType": "COMPANY",
        "Timezone": org["Timezone"],
        "ShortCode": org["ShortCode"],
        "Class": "STANDARD",
        "Edition": "BUSINESS",
        "LineOfBusiness": "Electrical services",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }

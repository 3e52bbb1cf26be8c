"""The flat views of stored records that where-filters and order-by clauses are evaluated against."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from . import dates


def invoice_view(org: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    contact = org["contacts"].get(record.get("ContactID") or "") or {}
    total = Decimal(record["Total"])
    paid = Decimal(record["AmountPaid"])
    return {
        "type": record.get("Type"),
        "status": record["Status"],
        "invoicenumber": record.get("InvoiceNumber"),
        "reference": record.get("Reference"),
        "invoiceid": record["InvoiceID"],
        "contact.contactid": contact.get("ContactID"),
        "contact.name": contact.get("Name"),
        "contact.contactnumber": contact.get("ContactNumber"),
        "date": dates.date_ms(record["Date"]) if record.get("Date") else None,
        "duedate": dates.date_ms(record["DueDate"]) if record.get("DueDate") else None,
        "amountdue": total - paid - Decimal(record["AmountCredited"]),
        "amountpaid": paid,
        "total": total,
        "subtotal": Decimal(record["SubTotal"]),
        "totaltax": Decimal(record["TotalTax"]),
        "updateddateutc": record["updated_ms"],
        "currencycode": record["CurrencyCode"],
        "lineamounttypes": record["LineAmountTypes"],
        "senttocontact": bool(record.get("SentToContact")),
    }


def contact_view(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "contactid": record["ContactID"],
        "name": record["Name"],
        "contactnumber": record.get("ContactNumber"),
        "accountnumber": record.get("AccountNumber"),
        "emailaddress": record.get("EmailAddress"),
        "firstname": record.get("FirstName"),
        "lastname": record.get("LastName"),
        "contactstatus": record["ContactStatus"],
        "updateddateutc": record["updated_ms"],
        "iscustomer": bool(record.get("IsCustomer")),
        "issupplier": bool(record.get("IsSupplier")),
    }


def payment_view(org: dict[str, Any], record: dict[str, Any]) -> dict[str, Any]:
    invoice = org["invoices"].get(record["InvoiceID"], {})
    return {
        "paymentid": record["PaymentID"],
        "status": record["Status"],
        "amount": Decimal(record["Amount"]),
        "date": dates.date_ms(record["Date"]),
        "reference": record.get("Reference"),
        "invoice.invoiceid": record["InvoiceID"],
        "invoice.invoicenumber": invoice.get("InvoiceNumber"),
        "updateddateutc": record["updated_ms"],
        "isreconciled": bool(record.get("IsReconciled")),
        "paymenttype": "ARCREDITPAYMENT" if record.get("CreditNoteID")
        else "ACCRECPAYMENT" if invoice.get("Type") == "ACCREC" else "ACCPAYPAYMENT",
    }


def account_view(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "accountid": record["AccountID"],
        "code": record["Code"],
        "name": record["Name"],
        "type": record["Type"],
        "status": record["Status"],
        "class": record["Class"],
        "taxtype": record["TaxType"],
        "enablepaymentstoaccount": bool(record.get("EnablePaymentsToAccount")),
        "systemaccount": record.get("SystemAccount"),
        "updateddateutc": record["updated_ms"],
    }


def tax_rate_view(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "taxtype": record["TaxType"],
        "name": record["Name"],
        "status": record["Status"],
        "reporttaxtype": record["ReportTaxType"],
        "effectiverate": Decimal(record["Rate"]),
    }

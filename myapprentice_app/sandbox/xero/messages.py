"""Xero's validation message texts, verbatim (see reference §3.3 for where each was observed)."""

CONTACT_REQUIRED = "A Contact must be specified for this type of transaction"
CONTACT_NEEDS_IDENTIFIER = (
    "The Contact must contain at least 1 of the following elements to identify the contact: "
    "Name, ContactID, ContactNumber"
)
CONTACT_NOT_FOUND = "The Contact with the specified ContactID could not be found"
CONTACT_NAME_EMPTY = "Contact Name cannot be empty."
INVOICE_TYPE_REQUIRED = "Invoice Type must be specified"
LINE_ITEMS_REQUIRED = "One or more line items must be specified"
DUE_DATE_REQUIRED = "The document DueDate field must be specified."
ACCOUNT_CODE_REQUIRED = "Account code must be specified"
INVOICE_NUMBER_NOT_UNIQUE = "Invoice # must be unique."
INVALID_STATUS_FOR_MODIFICATION = "Invoice not of valid status for modification"
DOCUMENT_HAS_PAYMENTS = "This document cannot be edited as it has a payment or credit note allocated to it."
VOID_WITH_PAYMENTS = (
    "The status VOIDED cannot be applied to the invoice "
    "because it has payments or credit notes allocated to it."
)
DOCUMENT_NOT_FOUND = "The document with the supplied id was not found for this endpoint."
PAYMENT_EXCEEDS_OUTSTANDING = "Payment amount exceeds the amount outstanding on this document"
PAYMENT_NOT_AUTHORISED = "Payments can only be made against Authorised documents"
PAYMENT_ACCOUNT_INVALID = "Account type is invalid for making a payment to/from"
PAYMENT_ACCOUNT_REQUIRED = "The account code or ID must be specified"
PAYMENT_AMOUNT_REQUIRED = "Payment amount must be greater than zero"
ONLINE_INVOICE_DRAFT = "Online invoices cannot be retrieved for invoices with a status of DRAFT."


def duplicate_contact_name(name: str) -> str:
    return (
        f"The contact name {name} is already assigned to another contact. "
        "The contact name must be unique across all active contacts."
    )


def invalid_account_code(code: str) -> str:
    return f"Account code '{code}' is not a valid code for this document."


def archived_account_code(code: str) -> str:
    return (
        f"Account code '{code}' has been archived, or has been deleted. "
        "Each line item must reference a valid account."
    )


def invalid_tax_type(code: str) -> str:
    return f"The TaxType code {code} does not exist or cannot be used for this type of transaction."


def tax_type_not_for_account(code: str, account_code: str) -> str:
    return f"The TaxType code '{code}' cannot be used with account code '{account_code}'."


def line_total_mismatch(given: str, expected: str) -> str:
    return f"The line total {given} does not match the expected line total {expected}"


def currency_not_subscribed(code: str) -> str:
    return f"Organisation is not subscribed to currency {code}"


def idempotency_key_reused(key: str) -> str:
    return f"Idempotency Key: {key} is used with a different request."

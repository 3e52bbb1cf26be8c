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

# History, notes and emailing an invoice. Xero's exact wording for these is not documented; these say the
# same thing in its style.
HISTORY_DETAILS_REQUIRED = "The Details field is required to add a history record."
HISTORY_DETAILS_TOO_LONG = "Details cannot be longer than 2500 characters."
EMAIL_INVOICE_STATUS = "Only sales invoices that are SUBMITTED, AUTHORISED or PAID can be emailed."
EMAIL_INVOICE_NO_ADDRESS = "The contact on this invoice has no email address."

# Items
ITEM_CODE_REQUIRED = "Item code is required."
ITEM_CODE_TOO_LONG = "Item code must not be more than 30 characters long."


def item_code_taken(code: str) -> str:
    return f"Item code '{code}' already exists"


def item_account_unknown(code: str) -> str:
    return f"Account code '{code}' is not a valid code for this document."

# Accounts and tax rates
ACCOUNT_TYPE_INVALID = "Account Type is invalid."
ACCOUNT_NAME_REQUIRED = "Please enter a Name."
ACCOUNT_CODE_REQUIRED = "Please enter a Code."
ACCOUNT_CODE_TAKEN = "Please enter a unique Code."
ACCOUNT_NAME_TAKEN = "Please enter a unique Name."
TAX_RATE_NAME_REQUIRED = "The tax rate name is required."
TAX_RATE_COMPONENTS_REQUIRED = "At least one tax component is required."


def tax_rate_name_taken(name: str) -> str:
    return f"A tax rate with the name '{name}' already exists."

# Credit notes and allocations
CREDIT_NOTE_TYPE_REQUIRED = "Credit Note Type must be specified"
CREDIT_NOTE_NOT_AUTHORISED = "Credit Note must be AUTHORISED before it can be allocated."
ALLOCATION_INVOICE_INVALID = "The invoice must be for the same contact and of the matching type."
ALLOCATION_INVOICE_NOT_AUTHORISED = "Invoice must be AUTHORISED to allocate a credit note to it."
ALLOCATION_AMOUNT_REQUIRED = "Amount must be greater than zero."
ALLOCATION_EXCEEDS_CREDIT = "The amount allocated exceeds the remaining credit on the credit note."
ALLOCATION_EXCEEDS_DUE = "The amount allocated exceeds the amount outstanding on the invoice."

# Attachments
ATTACHMENT_EMPTY = "The attachment is empty."
ATTACHMENT_TOO_LARGE = "The attachment is larger than the 25 MB allowed."
ATTACHMENT_TOO_MANY = "A document can have at most 10 attachments."

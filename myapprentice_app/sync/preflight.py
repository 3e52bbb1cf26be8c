"""Checks made against the organisation's cached data before any Xero write: each failure costs no call."""

from __future__ import annotations

from myapprentice_app.domain.invoice_status import InvoiceStatus
from myapprentice_app.domain.money import AmountsAre
from myapprentice_app.domain.sync_errors import (
    ErrorCode,
    Problem,
    account_cause,
    contact_cause,
    number_cause,
    tax_cause,
)
from myapprentice_app.integrations.xero.mapping import InvoiceOut, LineOut
from myapprentice_app.models import XeroSettings
from myapprentice_app.sync.snapshot import InvoiceSnapshot, OrgCache

REVENUE_CLASSES = {"REVENUE"}
CATEGORY_LABELS = {"labour": "Labour", "materials": "Materials", "other": "Other"}


def contact_problem(snapshot: InvoiceSnapshot, cache: OrgCache, settings: XeroSettings) -> Problem | None:
    """None when the client is linked to an active contact, or may be created / matched by name."""
    client = snapshot.client
    cause = contact_cause(client.id or 0)
    if client.xero_contact_id:
        contact = cache.contacts.get(client.xero_contact_id)
        if contact is not None and contact.status != "ACTIVE":
            return Problem(ErrorCode.CONTACT_NOT_FOUND, f"The Xero contact linked to {client.name} is archived.", cause)
        return None
    if settings.contact_policy == "require_match" and not cache.contacts_named(client.name):
        return Problem(ErrorCode.CONTACT_NOT_FOUND,
                       f"No active Xero contact is named {client.name!r}, and contacts must match.", cause)
    return None


def invoice_problems(snapshot: InvoiceSnapshot, cache: OrgCache, settings: XeroSettings) -> list[Problem]:
    """Every problem of the invoice at once (each cause once), so one look shows all there is to fix."""
    if snapshot.invoice.status == InvoiceStatus.VOIDED:
        return []  # voiding it in Xero takes its id alone: its accounts and tax rates don't matter any more
    found = [contact_problem(snapshot, cache, settings)]
    for line in snapshot.lines:
        found.append(_account_problem(line.category, settings, cache))
        found.append(_tax_problem(line.tax_rate_id, line.category, snapshot, settings, cache))
    invoice = snapshot.invoice
    ref = cache.refs.get(invoice.number.upper())
    if not invoice.xero_invoice_id and ref is not None:
        found.append(Problem(ErrorCode.NUMBER_CONFLICT, f"Xero already has invoice {ref.number} "
                                                        f"({ref.status.lower()}, total {ref.total:,.2f}).",
                             number_cause(invoice.id or 0)))
    problems: dict[str, Problem] = {}
    for problem in found:
        if problem is not None:
            problems.setdefault(problem.key, problem)
    return list(problems.values())


def _account_problem(category: str, settings: XeroSettings, cache: OrgCache) -> Problem | None:
    code = settings.account_for(category)
    label = CATEGORY_LABELS.get(category, category)
    cause = account_cause(category)
    if not code:
        return Problem(ErrorCode.INVALID_ACCOUNT, f"No Xero account is chosen for {label} lines.", cause)
    account = cache.accounts.get(code.upper())
    if account is None:
        return Problem(ErrorCode.INVALID_ACCOUNT, f"{label} lines go to account {code}, which Xero doesn't have.",
                       cause)
    if account.status != "ACTIVE":
        return Problem(ErrorCode.INVALID_ACCOUNT, f"{label} lines go to account {code}, which is archived in Xero.",
                       cause)
    if account.account_class not in REVENUE_CLASSES:
        return Problem(ErrorCode.INVALID_ACCOUNT, f"{label} lines go to account {code}, which isn't a revenue "
                                                  "account.", cause)
    return None


def tax_type_for(tax_rate_id: int | None, cache: OrgCache) -> str | None:
    if tax_rate_id is None:
        return None
    rate = cache.app_rates.get(tax_rate_id)
    return rate.xero_tax_type if rate else None


def _tax_problem(tax_rate_id: int | None, category: str, snapshot: InvoiceSnapshot, settings: XeroSettings,
                 cache: OrgCache) -> Problem | None:
    if snapshot.invoice.amounts_are == AmountsAre.NO_TAX or tax_rate_id is None:
        return None
    rate = cache.app_rates.get(tax_rate_id)
    name = rate.name if rate else "A tax rate"
    tax_type = rate.xero_tax_type if rate else None
    cause = tax_cause(tax_rate_id)
    if not tax_type:
        return Problem(ErrorCode.MISSING_TAX_MAPPING, f"{name} has no Xero tax type.", cause)
    xero_rate = cache.tax_types.get(tax_type)
    if xero_rate is None or xero_rate.status != "ACTIVE":
        return Problem(ErrorCode.MISSING_TAX_MAPPING, f"{name} is mapped to {tax_type}, which Xero doesn't offer.",
                       cause)
    if not xero_rate.for_revenue:
        code = settings.account_for(category)
        return Problem(ErrorCode.MISSING_TAX_MAPPING,
                       f"{name} is mapped to {tax_type}, which can't be used with account {code}.", cause)
    return None


def xero_status(snapshot: InvoiceSnapshot, cache: OrgCache, settings: XeroSettings) -> str:
    """Drafts go as DRAFT; sent or paid invoices must be AUTHORISED in Xero; the rest follow the setting.
    A void is VOIDED in Xero, or DELETED where Xero holds it as a draft (Xero can't void a draft)."""
    status = InvoiceStatus(snapshot.invoice.status)
    if status == InvoiceStatus.VOIDED:
        held = cache.refs.get(snapshot.invoice.number.upper())
        return "DELETED" if held is not None and held.status in ("DRAFT", "SUBMITTED") else "VOIDED"
    if status == InvoiceStatus.DRAFT:
        return "DRAFT"
    if status == InvoiceStatus.AUTHORISED and settings.push_as == "draft":
        return "DRAFT"
    return "AUTHORISED"


def outgoing(snapshot: InvoiceSnapshot, cache: OrgCache, settings: XeroSettings) -> InvoiceOut:
    invoice = snapshot.invoice
    no_tax = invoice.amounts_are == AmountsAre.NO_TAX
    status = xero_status(snapshot, cache, settings)
    return InvoiceOut(
        number=invoice.number,
        reference=invoice.reference,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        line_amount_types=AmountsAre(invoice.amounts_are).xero_line_amount_type,
        currency=invoice.currency,
        status=status,
        contact_id=snapshot.client.xero_contact_id or "",
        xero_invoice_id=invoice.xero_invoice_id,
        lines=[LineOut(description=line.description, quantity=line.quantity, unit_amount=line.unit_amount,
                       account_code=settings.account_for(line.category) or "",
                       tax_type=None if no_tax else (tax_type_for(line.tax_rate_id, cache) or _zero_rate(cache)))
               for line in snapshot.lines],
        sent_to_contact=invoice.sent_at is not None and status == "AUTHORISED",
    )


def _zero_rate(cache: OrgCache) -> str | None:
    """Lines with no tax rate in the app carry no tax: send the organisation's tax-free revenue type."""
    for tax_type in ("EXEMPTOUTPUT", "NONE", "ZERORATEDOUTPUT", "ZERORATED"):
        rate = cache.tax_types.get(tax_type)
        if rate is not None and rate.status == "ACTIVE":
            return tax_type
    return None

"""Which invoices in Error share a cause, and which causes a fix settles."""

from __future__ import annotations

from sqlmodel import Session, col, select

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.sync_errors import ErrorCode, Fix, account_cause, contact_cause, entry_for, tax_cause
from myapprentice_app.domain.whole_numbers import whole_number
from myapprentice_app.models import Invoice, SyncProblem


def invoices_in_error(session: Session, business_id: int, causes: list[str]) -> list[int]:
    rows = session.exec(select(SyncProblem.invoice_id).join(Invoice, col(Invoice.id) == SyncProblem.invoice_id)
                        .where(SyncProblem.business_id == business_id, col(SyncProblem.cause).in_(causes),
                               Invoice.sync_status == SyncStatus.ERROR)
                        .distinct().order_by(col(SyncProblem.invoice_id)))
    return list(rows.all())


def fixed_causes(invoice: Invoice, action: Fix, value: str) -> list[str]:
    """The causes a fix settles: every invoice in Error with one of them goes to Xero again with this one.
    Xero's own refusals of an account or tax type name no line, so a new mapping retries them too."""
    if action in (Fix.CREATE_CONTACT, Fix.LINK_CONTACT):
        return [contact_cause(invoice.client_id)]
    if action == Fix.PICK_ACCOUNT:
        return [account_cause(value.partition(":")[0]), ErrorCode.INVALID_ACCOUNT.value]
    if action == Fix.MAP_TAX_RATE:
        rate_id = whole_number(value.partition(":")[0])
        return [tax_cause(rate_id) if rate_id is not None else "", ErrorCode.MISSING_TAX_MAPPING.value]
    return []


def fixes_offered(session: Session, invoice: Invoice) -> set[Fix]:
    """The fixes the invoice's errors offer now: none unless it is in Error (a Renumber sent for a Synced or
    Paid invoice would change a number only a draft may change)."""
    if invoice.sync_status != SyncStatus.ERROR:
        return set()
    codes = {invoice.sync_error_code, *session.exec(select(SyncProblem.code)
                                                    .where(SyncProblem.invoice_id == invoice.id)).all()}
    return {fix for code in codes if (entry := entry_for(code)) is not None for fix in entry.fixes}

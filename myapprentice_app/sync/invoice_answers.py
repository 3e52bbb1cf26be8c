"""Writing down Xero's answers to a batch of invoices: per element Synced or Error (in plain words), a rejected
request, a retry to come; and the invoices that hold numbers we sent, for 'link' to compare."""

from __future__ import annotations

import datetime as dt
import json

from myapprentice_app.db import session_scope, utcnow, write_scope
from myapprentice_app.domain.sync_errors import ErrorCode
from myapprentice_app.domain.sync_states import BatchState
from myapprentice_app.integrations.xero.errors import OutcomeUnknown, RateLimited, Rejected, Unavailable, classify
from myapprentice_app.integrations.xero.mapping import brief, element_result
from myapprentice_app.models import XeroBatch
from myapprentice_app.sync import outcomes
from myapprentice_app.sync.batches import close_batch
from myapprentice_app.sync.cache import remember_invoices
from myapprentice_app.sync.context import OrgContext
from myapprentice_app.sync.snapshot import InvoiceSnapshot


def note_retry(ctx: OrgContext, items: list[tuple[int, int]], key: str, reason: str, seconds: float) -> None:
    with write_scope() as session:
        ids = [invoice_id for invoice_id, _ in items]
        outcomes.retrying(session, ctx, ids, "push", key, reason)
        outcomes.waiting(session, ctx, ids, utcnow() + dt.timedelta(seconds=seconds), reason)
        session.commit()


def record_answer(ctx: OrgContext, snapshots: list[InvoiceSnapshot], key: str, models: list, elements: list[dict],
                  batch: XeroBatch) -> None:
    """Xero's answer, element by element, written down with the batch settled in one transaction."""
    conflicts = []
    accepted: list[outcomes.Synced] = []
    known: list[dict] = []
    with write_scope() as session:
        for snapshot, model, element in zip(snapshots, models, elements, strict=False):
            invoice = snapshot.invoice
            result = element_result(element, "InvoiceID")
            action = "update" if invoice.xero_invoice_id else "create"
            if result.ok and result.xero_id:
                accepted.append(outcomes.Synced(invoice.id or 0, invoice.version, result.xero_id, action=action,
                                                key=key, sent=_json(model), answer=brief(element)))
                known.append(element)
                continue
            code = classify(result.messages)
            if code == ErrorCode.NUMBER_CONFLICT:
                conflicts.append(invoice.number)
            outcomes.failed(session, ctx, invoice.id or 0, code, _plain(code, snapshot, result.messages),
                            action=action, detail="\n".join(result.messages), key=key, sent=_json(model),
                            answer=brief(element))
        outcomes.synced_many(session, ctx, accepted)
        remember_invoices(session, ctx.business_id, known)
        close_batch(batch, BatchState.DONE, session)
        session.commit()
    if conflicts:
        _remember_conflicting(ctx, conflicts)


def record_rejection(ctx: OrgContext, snapshots: list[InvoiceSnapshot], key: str, models: list,
                     rejected: Rejected, batch: XeroBatch) -> None:
    messages = [str(error.get("Message")) for element in rejected.body.get("Elements") or []
                for error in element.get("ValidationErrors") or []] or [str(rejected.body.get("Message") or
                                                                            rejected.text[:500])]
    code = classify(messages)
    with write_scope() as session:
        for snapshot, model in zip(snapshots, models, strict=False):
            outcomes.failed(session, ctx, snapshot.invoice.id or 0, code, _plain(code, snapshot, messages),
                            action="push", detail="\n".join(messages), key=key, sent=_json(model),
                            answer=rejected.text[:2000])
        close_batch(batch, BatchState.DONE, session)
        session.commit()


def _json(sent: dict) -> str:
    return json.dumps(sent, default=str)


def _plain(code: ErrorCode, snapshot: InvoiceSnapshot, messages: list[str]) -> str:
    invoice = snapshot.invoice
    return {
        ErrorCode.NUMBER_CONFLICT: f"Xero already has an invoice numbered {invoice.number}.",
        ErrorCode.INVALID_ACCOUNT: "Xero doesn't accept the account one of the lines is mapped to.",
        ErrorCode.MISSING_TAX_MAPPING: "Xero doesn't accept the tax type one of the lines is mapped to.",
        ErrorCode.CONTACT_NOT_FOUND: f"Xero can't find the contact for {snapshot.client.name}.",
    }.get(code, "Xero didn't accept this invoice. Its reason is under Details.")


def _remember_conflicting(ctx: OrgContext, numbers: list[str]) -> None:
    """Fetch the invoices that hold our numbers, so 'link' can compare client and total without a call."""
    try:
        found = ctx.read(lambda xero: xero.invoices_by_number(numbers)).items("Invoices")
    except (Unavailable, OutcomeUnknown, RateLimited, Rejected):
        return
    with session_scope() as session:
        remember_invoices(session, ctx.business_id, found)
        session.commit()

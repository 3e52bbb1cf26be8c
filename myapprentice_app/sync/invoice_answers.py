"""Writing down Xero's answers to a batch of invoices: per element Synced or Error (in plain words), a rejected
request; and the invoices that hold numbers we sent, for 'link' to compare."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlmodel import Session

from myapprentice_app.domain.sync_errors import ErrorCode
from myapprentice_app.domain.sync_states import BatchState
from myapprentice_app.integrations.xero.errors import (
    VOID_WITH_PAYMENTS,
    OutcomeUnknown,
    RateLimited,
    Rejected,
    Unavailable,
    classify,
)
from myapprentice_app.integrations.xero.results import InvoiceResult, first_by
from myapprentice_app.models import XeroBatch
from myapprentice_app.sync import outcomes, retry
from myapprentice_app.sync.batches import close_batch
from myapprentice_app.sync.cache import remember_invoices
from myapprentice_app.sync.context import OrgContext
from myapprentice_app.sync.reconcile import reconcile_by_number
from myapprentice_app.sync.snapshot import InvoiceSnapshot

UNANSWERED = "Xero's answer didn't mention this invoice, and Xero doesn't hold it. Retry sends it again."
UNANSWERED_CHANGE = ("Xero's answer didn't mention this invoice, so this version may not be in Xero. Retry sends it "
                     "again.")


@dataclass
class Answer:
    """Xero's answer to a batch, read and ready to write down."""

    batch: XeroBatch
    accepted: list[outcomes.Synced]
    refused: list[tuple[InvoiceSnapshot, str, str, InvoiceResult]]  # snapshot, action, what was sent, result
    held: list[InvoiceResult]  # the invoices Xero now holds under our numbers
    unanswered: list[InvoiceSnapshot]  # the invoices the answer doesn't mention


def read_answer(snapshots: list[InvoiceSnapshot], models: list, results: list[InvoiceResult],
                batch: XeroBatch) -> Answer:
    """Invoice by invoice: Synced, or refused with Xero's reasons (read outside the transaction that writes it).

    Xero lists the elements in the order they were sent, but each is matched by its number (and a linked
    invoice by its InvoiceID too): an answer with an element missing or out of place leaves that invoice
    unanswered rather than giving it another invoice's outcome."""
    answer = Answer(batch, [], [], [result for result in results if result.ok and result.xero_id], [])
    by_number = first_by(results, lambda element: element.number)
    for snapshot, model in zip(snapshots, models, strict=True):
        invoice = snapshot.invoice
        action = "update" if invoice.xero_invoice_id else "create"
        result = by_number.get(invoice.number.strip())
        if result is None or (invoice.xero_invoice_id and result.xero_id not in (None, invoice.xero_invoice_id)):
            answer.unanswered.append(snapshot)
        elif result.ok and result.xero_id:
            answer.accepted.append(outcomes.Synced(invoice.id or 0, invoice.version, result.xero_id, action=action,
                                                   key=batch.idempotency_key, sent=_json(model),
                                                   answer=result.brief))
        else:
            answer.refused.append((snapshot, action, _json(model), result))
    return answer


def write_answer(session: Session, ctx: OrgContext, answer: Answer) -> list[str]:
    """The answer written down with the batch settled, in the caller's (fenced) transaction. Returns the numbers
    Xero said another invoice holds (for `remember_conflicting`)."""
    conflicts = []
    for snapshot, action, sent, result in answer.refused:
        code = classify(result.messages)
        if code == ErrorCode.NUMBER_CONFLICT:
            conflicts.append(snapshot.invoice.number)
        outcomes.failed(session, ctx, snapshot.invoice.id or 0, code, _plain(code, snapshot, result.messages),
                        action=action, detail="\n".join(result.messages), key=answer.batch.idempotency_key,
                        sent=sent, answer=result.brief)
    outcomes.synced_many(session, ctx, answer.accepted)
    remember_invoices(session, ctx.business_id, answer.held)
    if not answer.unanswered:  # else it stays `sending` until `settle_unanswered` has looked them up
        close_batch(answer.batch, BatchState.DONE, session)
    return conflicts


def settle_unanswered(ctx: OrgContext, snapshots: list[InvoiceSnapshot], batch: XeroBatch) -> None:
    """The invoices Xero's answer didn't mention: new ones Xero holds (looked up by number) are linked; the rest
    are in Error, for Retry (sending an update again is harmless). Should the look-up fail, the batch stays
    `sending` and the next run settles it (`reconcile_leftovers`)."""
    created = [snapshot for snapshot in snapshots if not snapshot.invoice.xero_invoice_id]
    missing = reconcile_by_number(ctx, created, batch) if created else []
    missing += [snapshot for snapshot in snapshots if snapshot.invoice.xero_invoice_id]
    with ctx.writing() as session:
        for snapshot in missing:
            message = UNANSWERED_CHANGE if snapshot.invoice.xero_invoice_id else UNANSWERED
            outcomes.failed(session, ctx, snapshot.invoice.id or 0, ErrorCode.REJECTED, message,
                            action="push", key=batch.idempotency_key)
        close_batch(batch, BatchState.RECONCILED, session)


def record_rejection(session: Session, ctx: OrgContext, snapshots: list[InvoiceSnapshot], models: list,
                     rejected: Rejected, batch: XeroBatch) -> list[InvoiceSnapshot]:
    """Xero answered the request with a 400. When it lists the failed invoices, each of them is in Error with
    its own reasons, and the others are returned as unanswered (Xero may have created them: see
    `settle_unanswered`); otherwise the request was wrong as a whole, and every invoice is in Error with it."""
    own = rejected.messages_by("InvoiceNumber")
    unanswered = []
    for snapshot, model in zip(snapshots, models, strict=True):
        messages = own.get(snapshot.invoice.number.strip()) if own else rejected.messages
        if messages is None:
            unanswered.append(snapshot)
            continue
        code = classify(messages)
        outcomes.failed(session, ctx, snapshot.invoice.id or 0, code, _plain(code, snapshot, messages),
                        action="push", detail="\n".join(messages), key=batch.idempotency_key, sent=_json(model),
                        answer=rejected.text[:2000])
    if not unanswered:
        close_batch(batch, BatchState.DONE, session)
    return unanswered


def _json(sent: dict) -> str:
    return json.dumps(sent, default=str)


def _plain(code: ErrorCode, snapshot: InvoiceSnapshot, messages: list[str]) -> str:
    invoice = snapshot.invoice
    if any(VOID_WITH_PAYMENTS.search(message) for message in messages):
        return ("Xero can't void this invoice: it has payments or credit notes there. Remove them in Xero, then "
                "retry; Sync all brings payments made in Xero into the app.")
    return {
        ErrorCode.NUMBER_CONFLICT: f"Xero already has an invoice numbered {invoice.number}.",
        ErrorCode.INVALID_ACCOUNT: "Xero doesn't accept the account one of the lines is mapped to.",
        ErrorCode.MISSING_TAX_MAPPING: "Xero doesn't accept the tax type one of the lines is mapped to.",
        ErrorCode.CONTACT_NOT_FOUND: f"Xero can't find the contact for {snapshot.client.name}.",
    }.get(code, "Xero didn't accept this invoice. Its reason is under Details.")


def remember_conflicting(ctx: OrgContext, numbers: list[str]) -> None:
    """Fetch the invoices that hold our numbers, so 'link' can compare client and total without a call."""
    try:
        found = retry.read(ctx, lambda xero: xero.invoices_by_number(numbers)).invoices()
    except (Unavailable, OutcomeUnknown, RateLimited, Rejected):
        return
    with ctx.writing() as session:
        remember_invoices(session, ctx.business_id, found)

"""/Payments: list, get, create (one or a batch) and delete."""

from __future__ import annotations

from starlette.responses import Response

from .. import payments, responses, serialize, views
from ..gateway import Call
from .bank_transactions import refuse_reconciled_deletion
from .listing import batch_answer, body_elements, listing, select


def get_payments(call: Call) -> Response:
    org = call.org
    chosen = select(call, org["payments"].values(), lambda record: views.payment_view(org, record))
    return listing(call, "Payments", chosen, lambda record, full: serialize.payment(org, record))


def get_payment(call: Call) -> Response:
    record = call.org["payments"].get(call.request.path_params["PaymentID"].lower())
    if record is None:
        return responses.not_found()
    return responses.json_response(
        responses.envelope(call.now_ms, "Payments", [serialize.payment(call.org, record)])
    )


def write_payments(call: Call) -> Response:
    raw_elements = body_elements(call, "Payments", allow_bare=True)
    drafts = [payments.read(raw, f"Payments[{index}]") for index, raw in enumerate(raw_elements)]
    results = []
    for draft in drafts:
        outcome = payments.apply(call.org, draft, call.now_ms)
        if outcome.errors:
            results.append((False, payments.error_element(call.org, outcome)))
            continue
        payments.commit(call.org, outcome, call.now_ms)
        call.sandbox.store.changed()
        if outcome.record["InvoiceID"]:  # Xero's webhooks cover invoices, not credit notes
            call.sandbox.webhooks.emit(
                "INVOICE", "UPDATE", call.tenant_id, outcome.record["InvoiceID"], call.base_url
            )
        results.append((True, payments.ok_element(call.org, outcome.record)))
    return batch_answer(call, "Payments", results)


def delete_payment(call: Call) -> Response:
    record = call.org["payments"].get(call.request.path_params["PaymentID"].lower())
    if record is None:
        return responses.not_found()
    raw = body_elements(call, "Payments", allow_bare=True)[0]
    if str(raw.get("Status", "")).upper() != "DELETED" or record["Status"] == "DELETED":
        return responses.validation_exception(
            [
                {
                    "PaymentID": record["PaymentID"],
                    "ValidationErrors": [
                        {"Message": "Payments can only be deleted by setting the Status to DELETED"}
                    ],
                }
            ]
        )
    if (refusal := refuse_reconciled_deletion(record)) is not None:
        return refusal
    payments.delete(call.org, record, call.now_ms)
    call.sandbox.store.changed()
    if record["InvoiceID"]:
        call.sandbox.webhooks.emit("INVOICE", "UPDATE", call.tenant_id, record["InvoiceID"], call.base_url)
    return responses.json_response(
        responses.envelope(call.now_ms, "Payments", [payments.ok_element(call.org, record)])
    )

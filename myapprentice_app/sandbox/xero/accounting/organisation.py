"""/Accounts, /TaxRates and /Organisation: the organisation's settings, read only."""

from __future__ import annotations

from starlette.responses import Response

from .. import query, responses, serialize, views
from ..gateway import Call
from .listing import query_match, select


def get_accounts(call: Call) -> Response:
    chosen = select(call, call.org["accounts"].values(), views.account_view)
    return responses.json_response(
        responses.envelope(call.now_ms, "Accounts", [serialize.account(record) for record in chosen])
    )


def get_account(call: Call) -> Response:
    record = call.org["accounts"].get(call.request.path_params["AccountID"].lower())
    if record is None:
        return responses.not_found()
    return responses.json_response(responses.envelope(call.now_ms, "Accounts", [serialize.account(record)]))


def get_tax_rates(call: Call) -> Response:
    wanted_type = (call.param("TaxType") or "").upper()
    records = (
        rate for rate in call.org["tax_rates"].values() if not wanted_type or rate["TaxType"] == wanted_type
    )
    chosen = [record for record in records if query_match(call, views.tax_rate_view(record))]
    keys = query.order(call.param("order"))
    if keys:
        chosen = query.sort(chosen, {id(r): views.tax_rate_view(r) for r in chosen}, keys)
    return responses.json_response(
        responses.envelope(call.now_ms, "TaxRates", [serialize.tax_rate(record) for record in chosen])
    )


def get_tax_rate(call: Call) -> Response:
    record = call.org["tax_rates"].get(call.request.path_params["TaxType"].upper())
    if record is None:
        return responses.not_found()
    return responses.json_response(responses.envelope(call.now_ms, "TaxRates", [serialize.tax_rate(record)]))


def get_organisation(call: Call) -> Response:
    return responses.json_response(
        responses.envelope(call.now_ms, "Organisations", [serialize.organisation(call.org)])
    )

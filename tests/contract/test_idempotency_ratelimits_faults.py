import threading
import time

import httpx
import pytest
import urllib3
from xero_python.exceptions import AccountingBadRequestException, HTTPStatusException, RateLimitException

from .builders import batch, invoice


def contact_of(xero) -> str:
    return xero.accounting.get_contacts(xero.tenant_id).contacts[0].contact_id


def numbers_stored(admin, tenant_id, number):
    return [i["InvoiceNumber"] for i in admin.stored(tenant_id, "invoices")].count(number)


def test_an_identical_replay_returns_the_cached_response_without_a_second_invoice(xero, admin):
    body = batch(invoice(contact_of(xero), number="IDEM-1"))
    first = xero.accounting.create_invoices(xero.tenant_id, body, idempotency_key="push-IDEM-1")
    again = xero.accounting.create_invoices(xero.tenant_id, body, idempotency_key="push-IDEM-1")
    assert again.invoices[0].invoice_id == first.invoices[0].invoice_id
    assert numbers_stored(admin, xero.tenant_id, "IDEM-1") == 1


def test_cached_errors_are_replayed_too(xero):
    body = batch(invoice(None, number="IDEM-ERR"))
    with pytest.raises(AccountingBadRequestException) as first:
        xero.accounting.create_invoices(xero.tenant_id, body, idempotency_key="push-IDEM-ERR")
    with pytest.raises(AccountingBadRequestException) as again:
        xero.accounting.create_invoices(xero.tenant_id, body, idempotency_key="push-IDEM-ERR")
    assert again.value.body == first.value.body


def test_the_same_key_with_a_different_request_is_a_400(xero):
    xero.accounting.create_invoices(
        xero.tenant_id, batch(invoice(contact_of(xero), number="IDEM-A")), idempotency_key="shared-key"
    )
    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.create_invoices(
            xero.tenant_id, batch(invoice(contact_of(xero), number="IDEM-B")), idempotency_key="shared-key"
        )
    assert (
        caught.value.error_data["Message"] == "Idempotency Key: shared-key is used with a different request."
    )


def test_idempotency_keys_expire_after_the_configured_window(xero, admin):
    admin.post("config", {"idempotency_window_seconds": 60})
    body = batch(invoice(contact_of(xero), number="IDEM-EXP", status="DRAFT"))
    xero.accounting.update_or_create_invoices(xero.tenant_id, body, idempotency_key="expiring")
    admin.post("clock", {"advance_seconds": 61})
    again = xero.accounting.update_or_create_invoices(
        xero.tenant_id, body, idempotency_key="expiring", summarize_errors=False
    )
    assert again.invoices[0].status_attribute_string == "OK"  # processed afresh: an update, not a replay


def test_real_rate_limits_allow_60_calls_a_minute_then_answer_429(xero, admin):
    admin.faults(rate_limits="real")
    for _ in range(60):
        xero.accounting.get_organisations(xero.tenant_id)
    with pytest.raises(RateLimitException) as caught:
        xero.accounting.get_organisations(xero.tenant_id)
    assert caught.value.rate_limit == "minute"
    assert 1 <= int(caught.value.headers["Retry-After"]) <= 60
    assert caught.value.headers["X-MinLimit-Remaining"] == "0"
    admin.post("clock", {"advance_seconds": 61})
    xero.accounting.get_organisations(xero.tenant_id)


def test_limit_headers_count_down_on_every_call(xero, admin):
    admin.faults(rate_limits="real")
    _, _, headers = xero.accounting.get_organisations(xero.tenant_id, _return_http_data_only=False)
    _, _, later = xero.accounting.get_organisations(xero.tenant_id, _return_http_data_only=False)
    assert int(later["X-MinLimit-Remaining"]) == int(headers["X-MinLimit-Remaining"]) - 1
    assert int(later["X-DayLimit-Remaining"]) == int(headers["X-DayLimit-Remaining"]) - 1
    assert int(later["X-AppMinLimit-Remaining"]) < 10_000


def test_the_daily_limit_is_reported_as_day(xero, admin):
    admin.faults(rate_limits="real", limits={"day": 2})
    xero.accounting.get_organisations(xero.tenant_id)
    xero.accounting.get_organisations(xero.tenant_id)
    with pytest.raises(RateLimitException) as caught:
        xero.accounting.get_organisations(xero.tenant_id)
    assert caught.value.rate_limit == "day"


def test_more_than_five_concurrent_calls_per_organisation_are_refused(sandbox, admin, tenant_id):
    token = admin.token(tenant_id)["access_token"]
    # Each call is held 2 s, so all seven overlap even when a loaded machine starts the threads slowly.
    admin.faults(rate_limits="real", latency_ms=2000)
    statuses, problems = [], []
    together = threading.Barrier(7)

    def call() -> None:
        together.wait()
        response = httpx.get(
            f"{sandbox.base_url}/api.xro/2.0/Organisation",
            timeout=10,
            headers={"Authorization": f"Bearer {token}", "xero-tenant-id": tenant_id},
        )
        statuses.append(response.status_code)
        problems.append(response.headers.get("X-Rate-Limit-Problem"))

    threads = [threading.Thread(target=call) for _ in range(7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=15)  # each call gives up after 10 s
    assert statuses.count(200) == 5 and statuses.count(429) == 2
    assert problems.count("concurrent") == 2


def test_forced_500_503_and_429_faults(xero, admin):
    admin.faults(p_500=1)
    with pytest.raises(HTTPStatusException) as caught:
        xero.accounting.get_invoices(xero.tenant_id)
    assert caught.value.status == 500 and b"UnknownErrorException" in caught.value.body
    admin.faults(p_500=0, p_503=1)
    with pytest.raises(HTTPStatusException) as caught:
        xero.accounting.get_invoices(xero.tenant_id)
    assert caught.value.status == 503
    admin.faults(p_503=0, p_429=1)
    with pytest.raises(RateLimitException):
        xero.accounting.get_invoices(xero.tenant_id)


def test_latency_is_added_to_every_call(xero, admin):
    admin.faults(latency_ms=250)
    started = time.monotonic()
    xero.accounting.get_organisations(xero.tenant_id)
    assert time.monotonic() - started >= 0.25


def test_a_dropped_response_after_commit_still_stores_the_invoice(xero, admin):
    admin.faults(p_drop_after_commit=1)
    with pytest.raises(urllib3.exceptions.HTTPError):
        xero.accounting.create_invoices(
            xero.tenant_id, batch(invoice(contact_of(xero), number="DROP-1")), idempotency_key="drop-1"
        )
    admin.faults(p_drop_after_commit=0)
    assert numbers_stored(admin, xero.tenant_id, "DROP-1") == 1
    retried = xero.accounting.create_invoices(
        xero.tenant_id, batch(invoice(contact_of(xero), number="DROP-1")), idempotency_key="drop-1"
    )
    assert retried.invoices[0].invoice_number == "DROP-1"
    assert numbers_stored(admin, xero.tenant_id, "DROP-1") == 1


def test_revoking_a_tenant_fault_disconnects_it(xero, admin):
    admin.faults(revoke_tenant=xero.tenant_id)
    with pytest.raises(HTTPStatusException) as caught:
        xero.accounting.get_invoices(xero.tenant_id)
    assert caught.value.status == 403


def test_stats_count_calls_per_endpoint_and_status(xero, admin):
    before = admin.get("stats")["calls"].get("GET /Organisation", {}).get("200", 0)
    xero.accounting.get_organisations(xero.tenant_id)
    xero.accounting.get_organisations(xero.tenant_id)
    assert admin.get("stats")["calls"]["GET /Organisation"]["200"] == before + 2

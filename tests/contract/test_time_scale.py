"""A time-scaled sandbox (`time_scale` K): Xero's limits keep their counts but every window is K times shorter,
Retry-After shrinks with it, and latency stays in real milliseconds. The app-wide limit (10,000 calls a minute
across every organisation of one client id) is enforced and reported on every response."""

from __future__ import annotations

import time

import httpx
import pytest
from xero_python.exceptions import RateLimitException

from .conftest import xero_client


def breach(xero) -> RateLimitException:
    with pytest.raises(RateLimitException) as caught:
        xero.accounting.get_organisations(xero.tenant_id)
    return caught.value


def test_a_scaled_minute_lasts_60_over_k_seconds_and_retry_after_says_so(xero, admin):
    admin.faults(rate_limits="real", time_scale=60, limits={"minute": 3})
    for _ in range(3):
        xero.accounting.get_organisations(xero.tenant_id)
    refused = breach(xero)
    assert refused.rate_limit == "minute" and refused.headers["X-MinLimit-Remaining"] == "0"
    assert 0 < float(refused.headers["Retry-After"]) <= 1  # a minute is one second at 60×
    admin.post("clock", {"advance_seconds": 1})
    _, _, headers = xero.accounting.get_organisations(xero.tenant_id, _return_http_data_only=False)
    assert headers["X-MinLimit-Remaining"] == "2"


def test_a_scaled_day_lasts_86400_over_k_seconds(xero, admin):
    admin.faults(rate_limits="real", time_scale=1000, limits={"day": 2})
    xero.accounting.get_organisations(xero.tenant_id)
    xero.accounting.get_organisations(xero.tenant_id)
    refused = breach(xero)
    assert refused.rate_limit == "day" and refused.headers["X-DayLimit-Remaining"] == "0"
    assert 60 / 1000 < float(refused.headers["Retry-After"]) <= 86.4
    admin.post("clock", {"advance_seconds": 86.4})
    _, _, headers = xero.accounting.get_organisations(xero.tenant_id, _return_http_data_only=False)
    assert headers["X-DayLimit-Remaining"] == "1"


def test_at_xeros_own_pace_retry_after_stays_whole_seconds(xero, admin):
    admin.faults(rate_limits="real", time_scale=1, limits={"minute": 1})
    xero.accounting.get_organisations(xero.tenant_id)
    refused = breach(xero)
    assert refused.headers["Retry-After"].isdigit() and 1 <= int(refused.headers["Retry-After"]) <= 60


def test_latency_stays_in_real_milliseconds_when_time_is_scaled(xero, admin):
    admin.faults(time_scale=1000, latency_ms=200)
    started = time.monotonic()
    xero.accounting.get_organisations(xero.tenant_id)
    assert time.monotonic() - started >= 0.2


def test_the_app_wide_limit_binds_across_organisations_in_a_scaled_minute(sandbox, admin):
    first, second = admin.new_organisation("Scaled App A"), admin.new_organisation("Scaled App B")
    app = "scaled-app-limit-app"
    a = xero_client(sandbox.base_url, admin.token(first, clientId=app), first, client_id=app)
    b = xero_client(sandbox.base_url, admin.token(second, clientId=app), second, client_id=app)
    admin.faults(rate_limits="real", time_scale=600, limits={"app_minute": 3})
    a.accounting.get_organisations(first)
    a.accounting.get_organisations(first)
    _, _, headers = b.accounting.get_organisations(second, _return_http_data_only=False)
    assert headers["X-AppMinLimit-Remaining"] == "0"
    refused = breach(b)
    assert refused.rate_limit == "appminute" and refused.error_message
    assert 0 < float(refused.headers["Retry-After"]) <= 0.1  # a minute is 100 ms at 600×
    admin.post("clock", {"advance_seconds": 0.1})
    _, _, later = b.accounting.get_organisations(second, _return_http_data_only=False)
    assert later["X-AppMinLimit-Remaining"] == "2"


def test_the_app_wide_allowance_is_10000_a_minute_and_reported_on_every_response(sandbox, admin, tenant_id):
    app = "app-allowance-app"
    token = admin.token(tenant_id, clientId=app)["access_token"]
    admin.faults(rate_limits="real", time_scale=60)
    headers = {"Authorization": f"Bearer {token}", "xero-tenant-id": tenant_id}
    found = httpx.get(f"{sandbox.base_url}/api.xro/2.0/Organisation", headers=headers)
    missing = httpx.get(f"{sandbox.base_url}/api.xro/2.0/Invoices/00000000-0000-0000-0000-00000000abcd",
                        headers=headers)
    assert found.status_code == 200 and found.headers["X-AppMinLimit-Remaining"] == "9999"
    assert missing.status_code == 404 and missing.headers["X-AppMinLimit-Remaining"] == "9998"


@pytest.mark.parametrize("scale", [0, 0.5, -3, "fast", True])
def test_a_time_scale_below_one_or_not_a_number_is_refused(sandbox, scale):
    response = httpx.post(f"{sandbox.base_url}/sandbox-admin/faults", json={"time_scale": scale})
    assert response.status_code == 400 and "time_scale" in response.text

"""A 429's headers agree with the limit it names (reference §4), for real breaches and forced ones."""

from __future__ import annotations

import pytest
from xero_python.exceptions import RateLimitException

from .conftest import xero_client


def breach(xero) -> RateLimitException:
    with pytest.raises(RateLimitException) as caught:
        xero.accounting.get_organisations(xero.tenant_id)
    return caught.value


def test_a_minute_breach_shows_no_minute_calls_left_and_the_day_still_counting(xero, admin):
    admin.faults(rate_limits="real", limits={"minute": 3})
    for _ in range(3):
        xero.accounting.get_organisations(xero.tenant_id)
    refused = breach(xero)
    assert refused.rate_limit == "minute" and refused.error_message == "You've exceeded the per minute rate limit"
    assert refused.headers["X-MinLimit-Remaining"] == "0"
    assert refused.headers["X-DayLimit-Remaining"] == "4997"
    assert int(refused.headers["X-AppMinLimit-Remaining"]) > 0


def test_a_day_breach_shows_no_day_calls_left(xero, admin):
    admin.faults(rate_limits="real", limits={"day": 2})
    for _ in range(2):
        xero.accounting.get_organisations(xero.tenant_id)
    refused = breach(xero)
    assert refused.rate_limit == "day" and refused.headers["X-DayLimit-Remaining"] == "0"
    assert refused.headers["X-MinLimit-Remaining"] == "58"
    assert int(refused.headers["Retry-After"]) > 60


def test_the_app_wide_limit_is_shared_by_every_organisation(sandbox, admin):
    first, second = admin.new_organisation("App Limit A"), admin.new_organisation("App Limit B")
    app = "app-limit-app"  # an app of its own: no other test's calls in its minute
    a = xero_client(sandbox.base_url, admin.token(first, clientId=app), first, client_id=app)
    b = xero_client(sandbox.base_url, admin.token(second, clientId=app), second, client_id=app)
    admin.faults(rate_limits="real", limits={"app_minute": 3})
    a.accounting.get_organisations(first)
    a.accounting.get_organisations(first)
    b.accounting.get_organisations(second)
    refused = breach(b)
    assert refused.rate_limit == "appminute" and refused.headers["X-AppMinLimit-Remaining"] == "0"
    assert refused.headers["X-MinLimit-Remaining"] == "59"  # this organisation made one call


@pytest.mark.parametrize(
    ("problem", "emptied"),
    [
        ("minute", "X-MinLimit-Remaining"),
        ("day", "X-DayLimit-Remaining"),
        ("appminute", "X-AppMinLimit-Remaining"),
        ("concurrent", None),
    ],
)
def test_a_forced_429_agrees_with_the_problem_it_reports(xero, admin, problem, emptied):
    admin.faults(p_429=1, rate_limit_problem=problem)
    refused = breach(xero)
    assert refused.rate_limit == problem and refused.headers["Retry-After"] == "1"
    full = {"X-MinLimit-Remaining": "60", "X-DayLimit-Remaining": "5000", "X-AppMinLimit-Remaining": "10000"}
    expected = {name: "0" if name == emptied else value for name, value in full.items()}
    assert {name: refused.headers[name] for name in full} == expected

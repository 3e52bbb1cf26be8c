import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=4), st.integers(), max_size=2),
)
money_like = st.one_of(
    st.decimals(min_value=-1000, max_value=100000, places=4).map(float), st.just("12.50"), junk
)

line_items = st.fixed_dictionaries(
    {},
    optional={
        "Description": st.one_of(st.text(max_size=20), junk),
        "Quantity": money_like,
        "UnitAmount": money_like,
        "LineAmount": money_like,
        "DiscountRate": money_like,
        "AccountCode": st.one_of(st.sampled_from(["200", "260", "280", "999", "090", ""]), junk),
        "TaxType": st.one_of(st.sampled_from(["OUTPUT", "INPUT", "BASEXCLUDED", "NOPE"]), junk),
        "LineItemID": st.one_of(st.uuids().map(str), junk),
    },
)

invoices = st.fixed_dictionaries(
    {},
    optional={
        "Type": st.one_of(st.sampled_from(["ACCREC", "ACCPAY", "ACCRECCREDIT", "accrec", "BOGUS"]), junk),
        "Contact": st.one_of(
            st.fixed_dictionaries(
                {},
                optional={
                    "ContactID": st.one_of(st.uuids().map(str), junk),
                    "Name": st.one_of(st.text(max_size=15), junk),
                    "ContactNumber": st.one_of(st.text(max_size=8), junk),
                },
            ),
            junk,
        ),
        "LineItems": st.one_of(st.lists(line_items, max_size=3), junk),
        "Date": st.one_of(
            st.sampled_from(
                [
                    "2026-03-11",
                    "/Date(1773187200000)/",
                    "/Date(1773187200000+0000)/",
                    "11/03/2026",
                    "2026-13-45",
                ]
            ),
            junk,
        ),
        "DueDate": st.one_of(st.sampled_from(["2026-03-25", "/Date(1774396800000)/"]), junk),
        "LineAmountTypes": st.one_of(st.sampled_from(["Exclusive", "Inclusive", "NoTax", "Weird"]), junk),
        "Status": st.one_of(
            st.sampled_from(["DRAFT", "SUBMITTED", "AUTHORISED", "PAID", "VOIDED", "ARCHIVED"]), junk
        ),
        "InvoiceNumber": st.one_of(st.sampled_from(["INV-0001", "RAND-1"]), st.text(max_size=10), junk),
        "InvoiceID": st.one_of(st.uuids().map(str), junk),
        "CurrencyCode": st.one_of(st.sampled_from(["AUD", "NZD", ""]), junk),
    },
)

bodies = st.one_of(
    st.fixed_dictionaries({"Invoices": st.lists(invoices, max_size=3)}).map(json.dumps),
    invoices.map(json.dumps),
    st.one_of(junk.map(json.dumps), st.text(max_size=30)),
)


@pytest.fixture(scope="module")
def credentials(admin):
    tenant_id = admin.new_organisation("Fuzzed Pty Ltd")
    return tenant_id, admin.token(tenant_id)["access_token"]


@pytest.mark.deliberately_invalid_requests
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    body=bodies,
    method=st.sampled_from(["PUT", "POST"]),
    summarize=st.sampled_from(["", "?summarizeErrors=false"]),
)
def test_random_invoice_payloads_never_cause_a_500_or_a_non_json_400(
    sandbox, credentials, body, method, summarize
):
    tenant_id, token = credentials
    response = httpx.request(
        method,
        f"{sandbox.base_url}/api.xro/2.0/Invoices{summarize}",
        content=body.encode(),
        headers={
            "Authorization": f"Bearer {token}",
            "xero-tenant-id": tenant_id,
            "Content-Type": "application/json",
        },
    )
    assert response.status_code in (200, 400), response.text
    parsed = json.loads(response.content)
    if response.status_code == 400:
        assert parsed["Type"] in ("ValidationException", "PostDataInvalidException")

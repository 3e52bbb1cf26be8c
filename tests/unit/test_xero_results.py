"""Xero's JSON, read in one place (integrations/xero/results.py): each answer the sync engine uses becomes a
typed result, Xero's `/Date(…)/` dates included."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from myapprentice_app.integrations.xero import results
from myapprentice_app.integrations.xero.errors import Rejected


def test_a_payment_made_in_xero_reads_as_its_invoice_amount_and_day():
    payment = results.payment({
        "PaymentID": "b1a2c3d4-0000-4000-8000-000000000001", "Status": "AUTHORISED", "Amount": Decimal("120.50"),
        "Date": "/Date(1764460800000+0000)/", "Reference": "", "Invoice": {"InvoiceID": "inv-1"}})

    assert payment.ok and payment.authorised and not payment.deleted
    assert payment.xero_id == "b1a2c3d4-0000-4000-8000-000000000001" and payment.invoice_id == "inv-1"
    assert payment.amount == Decimal("120.50") and payment.paid_on == dt.date(2025, 11, 30)
    assert payment.reference is None


def test_a_date_that_is_not_xeros_ms_json_form_reads_as_none():
    assert results.ms_date("2025-11-30") is None and results.ms_date(None) is None
    assert results.ms_date("/Date(1764460800000-0500)/") == dt.date(2025, 11, 30)


def test_an_account_and_a_tax_rate_read_with_xeros_defaults():
    account = results.account({"AccountID": "acc-1", "Code": "200", "Name": "Sales", "Type": "REVENUE",
                               "Class": "REVENUE", "TaxType": "OUTPUT", "EnablePaymentsToAccount": False})
    rate = results.tax_rate({"TaxType": "OUTPUT", "DisplayTaxRate": 10.0, "CanApplyToRevenue": True})
    expense_only = results.tax_rate({"TaxType": "INPUT", "Name": "GST on Expenses", "EffectiveRate": 10,
                                     "CanApplyToRevenue": False, "Status": "ACTIVE"})

    assert (account.code, account.account_class, account.status, account.enable_payments) == (
        "200", "REVENUE", "ACTIVE", False)
    assert (rate.name, rate.rate, rate.status, rate.for_revenue) == ("OUTPUT", Decimal("10.0000"), "ACTIVE", True)
    assert expense_only.for_revenue is False


def test_only_organisations_among_the_connections_are_ones_a_business_can_use():
    practice = results.tenant({"id": "c-1", "tenantId": "t-1", "tenantType": "PRACTICE", "tenantName": "Accountants"})
    organisation = results.tenant({"id": "c-2", "tenantId": "t-2", "tenantName": "Bright Spark"})

    assert not practice.organisation
    assert organisation.organisation and organisation.name == "Bright Spark" and organisation.connection_id == "c-2"


def test_a_refused_request_gives_its_validation_messages_or_its_one_message():
    with_elements = Rejected({"Elements": [{"ValidationErrors": [{"Message": "Account code '999' is not valid."}]}]},
                             "{...}")
    plain = Rejected({"Message": "A validation exception occurred"}, "{...}")

    assert with_elements.messages == ["Account code '999' is not valid."]
    assert plain.messages == ["A validation exception occurred"]

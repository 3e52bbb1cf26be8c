"""Sensible defaults (issue 12, point 8): once connected, the Xero tab suggests settings from the organisation's
chart, which count only once a person saves them; a tax rate mapped to a Xero type of another rate is warned."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlmodel import select

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.sync_errors import Fix
from myapprentice_app.models import Invoice, TaxRate, XeroSettings
from myapprentice_app.services import xero_connection, xero_settings, xero_sync
from myapprentice_app.services.errors import ActionRefused, ValidationFailed

from .conftest import consent, make_invoices

FIELDS = ("labour_account", "materials_account", "other_account", "payment_account", "stripe_account", "push_as",
          "contact_policy")


@pytest.fixture
def just_connected(session, owner, admin, tenant):
    """The owner has connected (the worker loaded the chart) and has set nothing yet."""
    for name, rate in (("GST 10%", "10"), ("GST free", "0")):
        session.add(TaxRate(business_id=owner.business_id, name=name, rate=Decimal(rate)))
    session.commit()
    back = consent(admin, xero_connection.start_connect(session, owner), [tenant])
    assert xero_connection.finish_connect(session, owner, state=back["state"], code=back["code"], error=None) \
        == "connected"
    return owner


def test_on_connect_the_settings_suggest_the_sales_bank_and_stripe_accounts_of_the_chart(session, just_connected):
    view = xero_settings.settings_view(session, just_connected)

    assert view.suggested == {"labour_account": "200", "materials_account": "200", "other_account": "260",
                              "payment_account": "090", "stripe_account": "092"}
    assert all(view.values[name] == "" for name in view.suggested)  # suggestions, nothing saved yet


def test_each_tax_rate_is_offered_the_sales_tax_type_with_the_same_rate(session, just_connected):
    view = xero_settings.settings_view(session, just_connected)

    suggested = {m.name: m.suggested for m in view.tax_mappings}
    assert suggested == {"GST 10% (10%)": "OUTPUT", "GST free (0%)": "EXEMPTOUTPUT"}
    assert "GST on Income (OUTPUT) · 10%" in [choice.label for choice in view.tax_types]


def test_suggestions_count_once_a_person_saves_them_and_are_then_no_longer_suggestions(session, just_connected):
    view = xero_settings.settings_view(session, just_connected)
    connected_with = session.get(XeroSettings, just_connected.business_id)
    assert all(getattr(connected_with, name) is None for name in view.suggested)  # connecting saved none of them

    values = {name: view.values[name] or view.suggested.get(name, "") for name in FIELDS}
    xero_settings.save_settings(session, just_connected, values,
                                {m.rate_id: m.suggested for m in view.tax_mappings})

    settings = session.get(XeroSettings, just_connected.business_id)
    assert (settings.labour_account, settings.payment_account, settings.stripe_account) == ("200", "090", "092")
    again = xero_settings.settings_view(session, just_connected)
    assert again.suggested == {} and all(m.suggested == "" for m in again.tax_mappings)
    rates = {rate.name: rate.xero_tax_type for rate in session.exec(select(TaxRate))}
    assert rates == {"GST 10%": "OUTPUT", "GST free": "EXEMPTOUTPUT"}


def test_mapping_a_tax_rate_to_a_type_of_another_rate_is_refused_with_a_warning_until_confirmed(
        session, just_connected):
    gst = session.exec(select(TaxRate).where(TaxRate.name == "GST 10%")).one()

    with pytest.raises(ValidationFailed) as warned:
        xero_settings.save_settings(session, just_connected, {}, {gst.id: "EXEMPTOUTPUT"})

    assert warned.value.errors[f"tax_{gst.id}"] == "GST 10% is 10%, but Xero's GST Free Income (EXEMPTOUTPUT) is 0%."
    assert "different rate" in warned.value.errors["accept_other_rates"]
    session.expire_all()
    assert session.get(TaxRate, gst.id).xero_tax_type is None

    xero_settings.save_settings(session, just_connected, {}, {gst.id: "EXEMPTOUTPUT"}, accept_other_rates=True)
    session.expire_all()
    assert session.get(TaxRate, gst.id).xero_tax_type == "EXEMPTOUTPUT"


def test_the_map_the_tax_rate_fix_refuses_a_type_of_another_rate_and_says_where_to_confirm(session, connected):
    rate = session.exec(select(TaxRate)).one()
    rate.xero_tax_type = None
    session.commit()
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1)
    xero_sync.push_invoice(session, connected, invoice_id)

    with pytest.raises(ActionRefused, match="GST 10% is 10%, but Xero's BAS Excluded .* is 0%.*Business Settings"):
        xero_sync.fix(session, connected, invoice_id, Fix.MAP_TAX_RATE, f"{rate.id}:BASEXCLUDED",
                      shown=session.get(Invoice, invoice_id).sync_stamp)

    session.expire_all()
    assert session.get(TaxRate, rate.id).xero_tax_type is None
    assert session.get(Invoice, invoice_id).sync_status == SyncStatus.ERROR

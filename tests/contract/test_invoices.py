import datetime as dt
import json
from decimal import Decimal

import httpx
import pytest
from xero_python.accounting import Contact
from xero_python.exceptions import AccountingBadRequestException, NotFoundException

from .builders import batch, invoice, line, messages_of


def first_contact(xero) -> str:
    return xero.accounting.get_contacts(xero.tenant_id).contacts[0].contact_id


def refused(xero, *invoices, **kwargs) -> AccountingBadRequestException:
    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.create_invoices(xero.tenant_id, batch(*invoices), **kwargs)
    return caught.value


def all_messages(error: AccountingBadRequestException) -> list[str]:
    return [m["Message"] for element in error.error_data["Elements"] for m in element["ValidationErrors"]]


def test_a_created_invoice_comes_back_with_xeros_exclusive_totals(xero):
    created = xero.accounting.create_invoices(
        xero.tenant_id,
        batch(invoice(first_contact(xero), line("20.50", "2"), line("9.99", "3"))),
        summarize_errors=False,
    ).invoices[0]
    assert created.status_attribute_string == "OK"
    assert (created.sub_total, created.total_tax, created.total) == (
        Decimal("70.97"),
        Decimal("7.10"),
        Decimal("78.07"),
    )
    assert [item.tax_amount for item in created.line_items] == [Decimal("4.10"), Decimal("3.00")]
    assert created.amount_due == Decimal("78.07")
    assert created.invoice_number.startswith("INV-")


def test_inclusive_lines_carry_tax_inside_the_line_amount(xero):
    created = xero.accounting.create_invoices(
        xero.tenant_id,
        batch(invoice(first_contact(xero), line("20.00"), line("33.33"), amounts="Inclusive")),
        summarize_errors=False,
    ).invoices[0]
    assert [item.tax_amount for item in created.line_items] == [Decimal("1.82"), Decimal("3.03")]
    assert (created.sub_total, created.total_tax, created.total) == (
        Decimal("48.48"),
        Decimal("4.85"),
        Decimal("53.33"),
    )


def test_notax_invoices_have_no_tax(xero):
    created = xero.accounting.create_invoices(
        xero.tenant_id,
        batch(invoice(first_contact(xero), line("19.999", "3"), amounts="NoTax")),
        unitdp=4,
        summarize_errors=False,
    ).invoices[0]
    assert created.line_items[0].unit_amount == Decimal("19.999")
    assert (created.sub_total, created.total_tax, created.total) == (
        Decimal("60.00"),
        Decimal("0.00"),
        Decimal("60.00"),
    )


def test_unit_amounts_are_rounded_to_two_places_without_unitdp(xero):
    created = xero.accounting.create_invoices(
        xero.tenant_id,
        batch(invoice(first_contact(xero), line("19.999", "3"), amounts="NoTax")),
        summarize_errors=False,
    ).invoices[0]
    assert created.line_items[0].unit_amount == Decimal("20.00")
    assert created.total == Decimal("60.00")


def test_an_invoice_without_a_contact_is_refused_with_xeros_message(xero):
    error = refused(xero, invoice(None))
    assert error.reason == "A Contact must be specified for this type of transaction"
    assert error.error_data["Type"] == "ValidationException"


def test_a_new_contact_name_on_an_invoice_creates_the_contact(xero, admin):
    xero.accounting.create_invoices(
        xero.tenant_id, batch(invoice(None, contact=Contact(name="Brand New Client")))
    )
    assert "Brand New Client" in [contact["Name"] for contact in admin.stored(xero.tenant_id, "contacts")]


def test_duplicate_invoice_number_is_refused_with_xeros_message(xero):
    error = refused(xero, invoice(first_contact(xero), number="INV-0001"))
    assert error.reason == "Invoice # must be unique."


def test_an_unknown_account_code_is_refused_with_xeros_message(xero):
    error = refused(xero, invoice(first_contact(xero), line(account_code="999")))
    assert error.reason == "Account code '999' is not a valid code for this document."


def test_an_archived_account_is_refused_with_xeros_message(xero):
    error = refused(xero, invoice(first_contact(xero), line(account_code="280")))
    assert error.reason == (
        "Account code '280' has been archived, or has been deleted. "
        "Each line item must reference a valid account."
    )


def test_an_unknown_tax_type_is_refused_with_xeros_message(xero):
    error = refused(xero, invoice(first_contact(xero), line(tax_type="GST on Income")))
    assert error.reason == (
        "The TaxType code GST on Income does not exist or cannot be used for this type of transaction."
    )


def test_a_tax_type_the_account_cannot_use_is_refused_with_xeros_message(xero):
    error = refused(xero, invoice(first_contact(xero), line(account_code="200", tax_type="INPUT")))
    assert error.reason == "The TaxType code 'INPUT' cannot be used with account code '200'."


def test_every_problem_of_an_element_is_reported(xero):
    error = refused(xero, invoice(None, line(account_code="999", tax_type="NOPE")))
    assert set(all_messages(error)) >= {
        "A Contact must be specified for this type of transaction",
        "Account code '999' is not a valid code for this document.",
        "The TaxType code NOPE does not exist or cannot be used for this type of transaction.",
    }


def test_changing_a_voided_invoice_is_refused_with_xeros_message(xero):
    created = xero.accounting.create_invoices(xero.tenant_id, batch(invoice(first_contact(xero)))).invoices[0]
    xero.accounting.update_invoice(xero.tenant_id, created.invoice_id, batch(invoice(None, status="VOIDED")))
    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.update_invoice(
            xero.tenant_id, created.invoice_id, batch(invoice(None, status="AUTHORISED"))
        )
    assert caught.value.reason == "Invoice not of valid status for modification"


def test_an_authorised_invoice_cannot_go_back_to_draft(xero):
    created = xero.accounting.create_invoices(xero.tenant_id, batch(invoice(first_contact(xero)))).invoices[0]
    with pytest.raises(AccountingBadRequestException) as caught:
        xero.accounting.update_invoice(
            xero.tenant_id, created.invoice_id, batch(invoice(None, status="DRAFT"))
        )
    assert caught.value.reason == "Invoice not of valid status for modification"


def test_batches_are_not_transactional_and_errors_are_summarised_by_default(xero, admin):
    contact_id = first_contact(xero)
    error = refused(
        xero,
        invoice(contact_id, number="BATCH-1"),
        invoice(contact_id, number="INV-0001"),
        invoice(contact_id, number="BATCH-3"),
    )
    assert [element["InvoiceNumber"] for element in error.error_data["Elements"]] == ["INV-0001"]
    stored = {stored["InvoiceNumber"] for stored in admin.stored(xero.tenant_id, "invoices")}
    assert {"BATCH-1", "BATCH-3"} <= stored


def test_summarize_errors_false_reports_every_element_in_order(xero):
    contact_id = first_contact(xero)
    result = xero.accounting.create_invoices(
        xero.tenant_id,
        batch(invoice(contact_id, number="SUM-1"), invoice(contact_id, number="INV-0001")),
        summarize_errors=False,
    )
    ok, failed = result.invoices
    assert (ok.status_attribute_string, ok.has_errors) == ("OK", False)
    assert (failed.status_attribute_string, failed.has_errors) == ("ERROR", True)
    assert failed.invoice_id == "00000000-0000-0000-0000-000000000000"
    assert messages_of(failed) == ["Invoice # must be unique."]


def test_post_updates_an_existing_invoice_found_by_number(xero, admin):
    contact_id = first_contact(xero)
    xero.accounting.create_invoices(
        xero.tenant_id, batch(invoice(contact_id, number="UPS-1", status="DRAFT"))
    )
    updated = xero.accounting.update_or_create_invoices(
        xero.tenant_id, batch(invoice(contact_id, line("250.00"), number="UPS-1")), summarize_errors=False
    ).invoices[0]
    assert (updated.status, updated.total) == ("AUTHORISED", Decimal("275.00"))
    assert [i["InvoiceNumber"] for i in admin.stored(xero.tenant_id, "invoices")].count("UPS-1") == 1


def test_invoice_lists_filter_order_and_page_like_xero(xero):
    contact_id = first_contact(xero)
    numbers = [f"LIST-{n}" for n in range(1, 6)]
    created = xero.accounting.create_invoices(
        xero.tenant_id, batch(*(invoice(contact_id, number=number) for number in numbers))
    ).invoices
    accounting, tenant = xero.accounting, xero.tenant_id
    by_number = accounting.get_invoices(tenant, invoice_numbers=["LIST-2", "LIST-4"]).invoices
    assert sorted(i.invoice_number for i in by_number) == ["LIST-2", "LIST-4"]
    by_id = accounting.get_invoices(tenant, i_ds=[created[0].invoice_id]).invoices
    assert [i.invoice_number for i in by_id] == ["LIST-1"]
    assert by_id[0].line_items == []
    by_where = accounting.get_invoices(
        tenant, where='Status=="AUTHORISED" AND InvoiceNumber.StartsWith("LIST-")', order="InvoiceNumber DESC"
    ).invoices
    assert [i.invoice_number for i in by_where] == list(reversed(numbers))
    by_contact = accounting.get_invoices(tenant, where=f'Contact.ContactID==guid("{contact_id}")').invoices
    assert len(by_contact) == 6
    page = accounting.get_invoices(
        tenant, statuses=["AUTHORISED"], page=2, page_size=4, order="InvoiceNumber"
    )
    assert page.pagination.item_count == 6 and page.pagination.page_count == 2
    assert [i.invoice_number for i in page.invoices] == ["LIST-4", "LIST-5"]
    assert page.invoices[0].line_items
    future = accounting.get_invoices(
        tenant, if_modified_since=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)
    )
    assert future.invoices == []
    past = accounting.get_invoices(tenant, if_modified_since=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1))
    assert len(past.invoices) == 6


def test_one_invoice_is_found_by_id_and_unknown_ones_are_404(xero):
    found = xero.accounting.get_invoices(xero.tenant_id, invoice_numbers=["INV-0001"]).invoices[0]
    assert (
        xero.accounting.get_invoice(xero.tenant_id, found.invoice_id).invoices[0].invoice_number == "INV-0001"
    )
    with pytest.raises(NotFoundException) as caught:
        xero.accounting.get_invoice(xero.tenant_id, "00000000-0000-0000-0000-00000000abcd")
    assert caught.value.body == b"The resource you're looking for cannot be found"


def test_online_invoice_urls_exist_for_approved_invoices_only(xero):
    contact_id = first_contact(xero)
    approved, draft = xero.accounting.create_invoices(
        xero.tenant_id, batch(invoice(contact_id), invoice(contact_id, status="DRAFT"))
    ).invoices
    online = xero.accounting.get_online_invoice(xero.tenant_id, approved.invoice_id).online_invoices[0]
    assert online.online_invoice_url.endswith(approved.invoice_id)
    with pytest.raises(AccountingBadRequestException):
        xero.accounting.get_online_invoice(xero.tenant_id, draft.invoice_id)


@pytest.mark.deliberately_invalid_requests
def test_malformed_json_gets_xeros_post_data_invalid_body(sandbox, admin, tenant_id):
    token = admin.token(tenant_id)["access_token"]
    response = httpx.put(
        f"{sandbox.base_url}/api.xro/2.0/Invoices",
        content=b'{"Invoices": [',
        headers={
            "Authorization": f"Bearer {token}",
            "xero-tenant-id": tenant_id,
            "Content-Type": "application/json",
        },
    )
    assert response.status_code == 400
    body = json.loads(response.content)
    assert (body["ErrorNumber"], body["Type"]) == (14, "PostDataInvalidException")

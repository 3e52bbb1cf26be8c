"""IsCustomer/IsSupplier are read-only: Xero sets them when a receivable (payable) invoice is raised."""

from __future__ import annotations

from xero_python.accounting import Contact, Contacts

from .builders import batch, invoice, line


def roles(xero, contact_id: str) -> tuple[bool, bool]:
    found = xero.accounting.get_contact(xero.tenant_id, contact_id).contacts[0]
    return found.is_customer, found.is_supplier


def test_flags_sent_on_create_or_update_are_ignored(xero):
    created = xero.accounting.create_contacts(
        xero.tenant_id, Contacts(contacts=[Contact(name="Flag Setter", is_customer=True, is_supplier=True)])
    ).contacts[0]
    assert (created.is_customer, created.is_supplier) == (False, False)
    xero.accounting.update_contact(
        xero.tenant_id, created.contact_id, Contacts(contacts=[Contact(name="Flag Setter", is_customer=True)])
    )
    assert roles(xero, created.contact_id) == (False, False)


def test_a_receivable_makes_a_customer_and_a_payable_a_supplier(xero):
    contact_id = xero.accounting.create_contacts(
        xero.tenant_id, Contacts(contacts=[Contact(name="Both Ways Pty")])
    ).contacts[0].contact_id
    xero.accounting.create_invoices(xero.tenant_id, batch(invoice(contact_id, line("50.00"))))
    assert roles(xero, contact_id) == (True, False)
    bill = invoice(contact_id, line("20.00", account_code="429", tax_type="INPUT"))
    bill.type = "ACCPAY"
    bill.invoice_number = "SUP-991"
    xero.accounting.create_invoices(xero.tenant_id, batch(bill))
    assert roles(xero, contact_id) == (True, True)
    customers = xero.accounting.get_contacts(xero.tenant_id, where="IsCustomer==true").contacts
    assert contact_id in {c.contact_id for c in customers}


def test_an_invoice_for_a_new_contact_by_name_creates_a_customer(xero):
    by_name = invoice(None, line("75.00"), contact=Contact(name="Walk-in Customer Co"))
    created = xero.accounting.create_invoices(xero.tenant_id, batch(by_name)).invoices[0]
    assert roles(xero, created.contact.contact_id) == (True, False)

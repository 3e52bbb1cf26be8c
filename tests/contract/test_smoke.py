def test_the_sdk_reads_the_seeded_invoice_and_organisation(xero):
    invoices = xero.accounting.get_invoices(xero.tenant_id, page=1)
    assert [invoice.invoice_number for invoice in invoices.invoices] == ["INV-0001"]
    organisation = xero.accounting.get_organisations(xero.tenant_id).organisations[0]
    assert organisation.name == "Sparky Test Co"
    accounts = xero.accounting.get_accounts(xero.tenant_id).accounts
    assert {"090", "200", "260", "615"} <= {account.code for account in accounts}
    rates = xero.accounting.get_tax_rates(xero.tenant_id).tax_rates
    assert "OUTPUT" in {rate.tax_type for rate in rates}
    contacts = xero.accounting.get_contacts(xero.tenant_id, include_archived=True).contacts
    assert len(contacts) == 4
    connections = xero.identity.get_connections()
    assert [connection.tenant_id for connection in connections] == [xero.tenant_id]

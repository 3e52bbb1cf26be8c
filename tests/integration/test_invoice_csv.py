"""The per-invoice CSV carries what the accountant's Xero import needs, including the mapped accounts."""

from __future__ import annotations

import csv
import io

from myapprentice_app.domain.roles import Role
from myapprentice_app.models.xero import XeroSettings
from myapprentice_app.services import invoice_export, invoices
from myapprentice_app.services.invoices import LineDraft
from tests.integration.invoicing_helpers import client, draft, gst


def test_each_line_carries_the_account_mapped_to_its_category_and_its_xero_tax_type(session, make_actor) -> None:
    finance = make_actor(Role.FINANCE)
    rate = gst(session, finance)
    invoice_draft = draft(client(session, finance), rate)
    invoice_draft.lines.append(LineDraft("RCBOs", "4", "42.50", "materials", rate.id))
    invoice = invoices.create_invoice(session, finance, invoice_draft)
    session.add(XeroSettings(business_id=finance.business_id, labour_account="200", materials_account="260"))
    session.commit()

    exported = invoice_export.invoice_csv(session, finance, invoice.id)

    rows = list(csv.DictReader(io.StringIO(exported.text)))
    assert [(r["Description"], r["AccountCode"], r["TaxType"]) for r in rows] == [
        ("Switchboard upgrade", "200", "OUTPUT"),
        ("RCBOs", "260", "OUTPUT"),
    ]
    assert rows[0]["InvoiceNumber"] == invoice.number and rows[0]["ContactName"] == "Harbourside Cafe"
    assert exported.filename == f"invoice-{invoice.number}.csv"


def test_without_xero_mappings_the_account_column_is_left_for_the_accountant(session, make_actor) -> None:
    owner = make_actor(Role.OWNER)
    invoice = invoices.create_invoice(session, owner, draft(client(session, owner), gst(session, owner)))
    rows = list(csv.DictReader(io.StringIO(invoice_export.invoice_csv(session, owner, invoice.id).text)))
    assert rows[0]["AccountCode"] == ""

"""Per-invoice CSV export for the accountant: Xero's sales-invoice import columns."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from myapprentice_app.domain import csv_export
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models import Client, LineItem
from myapprentice_app.models.xero import XeroSettings
from myapprentice_app.services import audit, invoices
from myapprentice_app.services.lines import plain_number
from myapprentice_app.services.principal import Principal


@dataclass(frozen=True)
class CsvFile:
    filename: str
    text: str


def invoice_csv(session: Session, actor: Principal, invoice_id: int) -> CsvFile:
    actor.require(Permission.EXPORT_INVOICE_CSV)
    invoice = invoices.get_invoice(session, actor, invoice_id)
    client = session.get(Client, invoice.client_id)
    assert client is not None
    rates = invoices.tax_rates(session, invoice.business_id)
    xero_settings = session.get(XeroSettings, invoice.business_id)
    items = session.exec(
        select(LineItem).where(LineItem.invoice_id == invoice.id).order_by(col(LineItem.position))
    )
    head = {
        "ContactName": client.name,
        "EmailAddress": client.email or "",
        "POAddressLine1": client.address_line1 or "",
        "POAddressLine2": client.address_line2 or "",
        "POCity": client.city or "",
        "PORegion": client.region or "",
        "POPostalCode": client.postcode or "",
        "POCountry": client.country or "",
        "InvoiceNumber": invoice.number,
        "Reference": invoice.reference or "",
        "InvoiceDate": f"{invoice.issue_date:%d/%m/%Y}",
        "DueDate": f"{invoice.due_date:%d/%m/%Y}",
        "Currency": invoice.currency,
    }
    rows = []
    for item in items:
        rate = rates.get(item.tax_rate_id) if item.tax_rate_id is not None else None
        rows.append(
            {
                **head,
                "Description": item.description,
                "Quantity": plain_number(item.quantity),
                "UnitAmount": plain_number(item.unit_amount, places=2),
                "TaxType": (rate.xero_tax_type or "") if rate else "",
                "AccountCode": (xero_settings.account_for(item.category) or "") if xero_settings else "",
            }
        )
    audit.record(session, actor, invoice.business_id, "invoice.csv_exported", target=invoice.number)
    session.commit()
    safe_number = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in invoice.number)
    return CsvFile(filename=f"invoice-{safe_number}.csv", text=csv_export.render(rows))

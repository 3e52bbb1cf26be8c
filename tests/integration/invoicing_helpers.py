"""Set-up for the invoicing tests: a client, GST and a ready invoice draft, made through services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlmodel import Session

from myapprentice_app.models import TaxRate
from myapprentice_app.services import clients
from myapprentice_app.services.clients import ClientForm
from myapprentice_app.services.invoices import InvoiceDraft, LineDraft
from myapprentice_app.services.principal import Principal

TODAY = dt.date.today()


def gst(session: Session, actor: Principal) -> TaxRate:
    rate = TaxRate(
        business_id=actor.business_id,
        name="GST 10%",
        rate=Decimal(10),
        xero_tax_type="OUTPUT",
        is_default=True,
    )
    session.add(rate)
    session.commit()
    return rate


def client(session: Session, actor: Principal, name: str = "Harbourside Cafe") -> int:
    made = clients.create_client(
        session,
        actor,
        ClientForm(
            name=name,
            email="accounts@harbourside.test",
            address_line1="12 Wharf St",
            city="Sydney",
            region="NSW",
            postcode="2000",
            country="Australia",
        ),
    )
    assert made.id is not None
    return made.id


def draft(client_id: int, rate: TaxRate, *lines: tuple[str, str, str]) -> InvoiceDraft:
    lines = lines or (("Switchboard upgrade", "6", "95.00"),)
    return InvoiceDraft(
        client_id=client_id,
        issue_date=TODAY,
        due_date=TODAY + dt.timedelta(days=14),
        lines=[LineDraft(d, q, p, "labour", rate.id) for d, q, p in lines],
    )

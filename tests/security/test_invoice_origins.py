"""An invoice raised from a quote or job names the business's own: the invoice form sends back the ids it loaded,
and a person in two businesses may have switched to the other since."""

from __future__ import annotations

import dataclasses

import pytest
from sqlmodel import Session

from myapprentice_app.services import invoices
from myapprentice_app.services.errors import NotFound
from myapprentice_app.services.invoices import InvoiceDraft
from myapprentice_app.services.lines import LineDraft
from tests.security.conftest import TODAY, World, changed_tables, snapshot


@pytest.mark.parametrize("origin", ["quote", "job"])
def test_an_invoice_cannot_be_raised_from_another_businesss_quote_or_job(session: Session, world: World,
                                                                         rival: World, origin: str) -> None:
    draft = InvoiceDraft(client_id=world.client_id, issue_date=TODAY, due_date=TODAY,
                         lines=[LineDraft("Switchboard", "1", "90.00", "labour", world.rate_id)])
    stolen = dataclasses.replace(draft, **({"quote_id": rival.quote_id} if origin == "quote"
                                           else {"job_id": rival.job_id}))
    before = snapshot()

    with pytest.raises(NotFound, match=f"That {origin}"):
        invoices.create_invoice(session, world.owner, stolen)
    assert changed_tables(before, snapshot()) == []
    assert invoices.create_invoice(session, world.owner, dataclasses.replace(
        draft, **({"quote_id": world.quote_id} if origin == "quote" else {"job_id": world.job_id}))).id

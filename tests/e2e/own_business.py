"""A business of a test's own, connected to a sandbox organisation of its own: for browser tests that push, send
all or invoice quotes, so what they change is never what another test reads of the demo's Bright Spark."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session

from myapprentice_app.db import get_engine
from myapprentice_app.demo import DEMO_PASSWORD
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import Business, Client, Membership, TaxRate
from myapprentice_app.services import auth, invoices, work
from myapprentice_app.services.invoices import InvoiceDraft
from myapprentice_app.services.lines import LineDraft
from myapprentice_app.services.principal import Principal
from myapprentice_app.services.work import JobForm, QuoteForm
from tests.e2e.conftest import AppServer, connect_xero
from tests.support.xero_sandbox import SandboxAdmin


@dataclass
class OwnBusiness:
    name: str
    business_id: int
    client_id: int
    gst_id: int
    gst_free_id: int
    tenant_id: str
    database_url: str
    slug: str
    owner_user_id: int

    def email(self, role: Role) -> str:
        """The sign-in of the business's member with this role (every one has the demo password)."""
        return f"{role.value}@{self.slug}.test"

    def _owner(self) -> Principal:
        return Principal(user_id=self.owner_user_id, business_id=self.business_id, role=Role.OWNER, name="test",
                         email="test", business_name=self.name, mfa_enabled=False, recent_mfa=False)

    def invoice(self, amount: str = "100", *, rate: str = "gst", status: str = "authorised") -> tuple[int, str]:
        """A new invoice for one line (GST, or GST free); returns (id, number)."""
        rate_id = self.gst_id if rate == "gst" else self.gst_free_id
        today = dt.date.today()
        with Session(get_engine(self.database_url)) as session:
            draft = InvoiceDraft(client_id=self.client_id, issue_date=today, due_date=today + dt.timedelta(days=14),
                                 lines=[LineDraft("Switchboard work", "1", amount, "labour", rate_id)])
            invoice = invoices.create_invoice(session, self._owner(), draft)
            if status == "authorised":
                invoices.authorise_invoice(session, self._owner(), invoice.id or 0)
            return invoice.id or 0, invoice.number

    def accepted_quote(self, title: str) -> tuple[int, str]:
        with Session(get_engine(self.database_url)) as session:
            quote = work.save_quote(session, self._owner(), None, QuoteForm(
                client_id=self.client_id, title=title, status="accepted",
                lines=[LineDraft("Rewire kitchen", "8", "95", "labour", self.gst_id)]))
            return quote.id or 0, quote.number

    def completed_job(self, title: str) -> int:
        with Session(get_engine(self.database_url)) as session:
            job = work.save_job(session, self._owner(), None, JobForm(
                client_id=self.client_id, title=title, status="completed",
                lines=[LineDraft("Pool pump circuit", "2", "100", "labour", self.gst_id)]))
            return job.id or 0

    def unmap_gst_free(self) -> None:
        """GST free has no Xero tax type any more: an invoice using it stops at pre-flight (Error)."""
        self._map_gst_free(None)

    def map_gst_free(self) -> None:
        self._map_gst_free("EXEMPTOUTPUT")

    def _map_gst_free(self, tax_type: str | None) -> None:
        with Session(get_engine(self.database_url)) as session:
            rate = session.get(TaxRate, self.gst_free_id)
            assert rate is not None
            rate.xero_tax_type = tax_type
            session.add(rate)
            session.commit()


def own_business(app_server: AppServer, admin: SandboxAdmin, label: str, *, connected: bool = True) -> OwnBusiness:
    """A new business named after `label`, with a member of every role, a client, GST and GST free, and (unless
    `connected` is False) Xero connected to a new sandbox organisation."""
    slug = f"{label.lower().replace(' ', '')}{os.urandom(3).hex()}"
    name = f"{label} {slug[-6:]}"
    with Session(get_engine(app_server.database_url)) as session:
        # Its own numbers: a sandbox organisation starts with an INV-0001 of its own.
        business = Business(name=name, email=f"accounts@{slug}.test", invoice_prefix="PG-")
        session.add(business)
        session.flush()
        gst = TaxRate(business_id=business.id or 0, name="GST 10%", rate=Decimal("10"), is_default=True)
        gst_free = TaxRate(business_id=business.id or 0, name="GST free", rate=Decimal("0"))
        client = Client(business_id=business.id or 0, name="Harbourside Cafe", email="accounts@harbourside.test")
        session.add_all([gst, gst_free, client])
        members = {}
        for role in Role:
            members[role] = auth.create_user(session, email=f"{role.value}@{slug}.test",
                                             name=f"{role.label} of {label}", password=DEMO_PASSWORD)
            session.add(Membership(user_id=members[role].id, business_id=business.id, role=role.value))
        session.commit()
        made = OwnBusiness(name=name, business_id=business.id or 0, client_id=client.id or 0, gst_id=gst.id or 0,
                           gst_free_id=gst_free.id or 0, tenant_id="", database_url=app_server.database_url,
                           slug=slug, owner_user_id=members[Role.OWNER].id or 0)
    if connected:
        made.tenant_id = admin.new_organisation(name)
        connect_xero(app_server, admin, made.tenant_id, name)
    return made


"""Demo data for the offline demo and the browser tests. Idempotent: a second run adds nothing."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from sqlmodel import Session, select

from myapprentice_app.domain.roles import Role
from myapprentice_app.models import Business, Client, Job, LineItem, Membership, Quote, TaxRate
from myapprentice_app.services import auth
from myapprentice_app.services import invoices as invoice_service
from myapprentice_app.services.invoices import InvoiceDraft, LineDraft
from myapprentice_app.services.principal import Principal

DEMO_PASSWORD = "demo-password-1"


@dataclass(frozen=True)
class DemoLogin:
    email: str
    name: str
    role: Role
    business: str


TEAM_BUSINESS = "Bright Spark Electrical"
SOLO_BUSINESS = "Solo Plumbing"
DEMO_LOGINS = [
    DemoLogin("owner@brightspark.test", "Bella Boss", Role.OWNER, TEAM_BUSINESS),
    DemoLogin("admin@brightspark.test", "Adam Admin", Role.ADMIN, TEAM_BUSINESS),
    DemoLogin("finance@brightspark.test", "Fiona Books", Role.FINANCE, TEAM_BUSINESS),
    DemoLogin("supervisor@brightspark.test", "Sam Foreman", Role.SUPERVISOR, TEAM_BUSINESS),
    DemoLogin("tradie@brightspark.test", "Tom Sparks", Role.TRADIE, TEAM_BUSINESS),
    DemoLogin("sole@soloplumbing.test", "Sophie Pipes", Role.SOLE_TRADER, SOLO_BUSINESS),
]

CLIENTS = [
    ("Harbourside Cafe", "accounts@harbourside.test", "12 Wharf St", "Sydney", "NSW", "2000"),
    ("Greenfield Builders", "payables@greenfield.test", "4/88 Industrial Rd", "Penrith", "NSW", "2750"),
    ("Mrs J. Nguyen", "jnguyen@example.test", "7 Banksia Ave", "Parramatta", "NSW", "2150"),
    ("Coastal Property Group", "ap@coastalpg.test", "Level 3, 1 Beach Rd", "Manly", "NSW", "2095"),
    ("St Mary's Primary School", "office@stmarys.test", "1 Church St", "Ryde", "NSW", "2112"),
    ("Bondi Fitness Studio", "hello@bondifit.test", "220 Campbell Pde", "Bondi", "NSW", "2026"),
]
WORK = [
    ("Switchboard upgrade", "labour", "Replace switchboard with RCBO board", 6, "95.00"),
    ("Downlight install", "materials", "LED downlights, tri-colour", 12, "38.50"),
    ("Safety inspection", "labour", "Electrical safety inspection and report", 2, "120.00"),
    ("Ceiling fan", "materials", "DC ceiling fan with light", 2, "289.00"),
    ("Call-out", "other", "After-hours call-out fee", 1, "150.00"),
    ("Power points", "labour", "Install double GPOs", 4, "85.00"),
]


def seed(session: Session) -> bool:
    """Create the demo businesses once; returns False when they were already there."""
    if session.exec(select(Business).where(Business.name == TEAM_BUSINESS)).first():
        return False
    team = _business(session, TEAM_BUSINESS, "accounts@brightspark.test")
    solo = _business(session, SOLO_BUSINESS, "sophie@soloplumbing.test")
    users = {}
    for login in DEMO_LOGINS:
        user = auth.create_user(session, email=login.email, name=login.name, password=DEMO_PASSWORD)
        business = team if login.business == TEAM_BUSINESS else solo
        session.add(Membership(user_id=user.id, business_id=business.id, role=login.role.value))  # type: ignore[arg-type]
        users[login.role] = user
    session.commit()
    rng = random.Random(42)
    _fill(session, team, _principal(users[Role.OWNER].id, team, Role.OWNER), rng, invoice_count=56,
          tradie_id=users[Role.TRADIE].id)
    _fill(session, solo, _principal(users[Role.SOLE_TRADER].id, solo, Role.SOLE_TRADER), rng, invoice_count=8,
          tradie_id=users[Role.SOLE_TRADER].id)
    return True


def _business(session: Session, name: str, email: str) -> Business:
    business = Business(name=name, email=email, abn="51 824 753 556", phone="02 9000 0000")
    session.add(business)
    session.flush()
    session.add(TaxRate(business_id=business.id, name="GST 10%", rate=Decimal("10"), is_default=True))  # type: ignore[arg-type]
    session.add(TaxRate(business_id=business.id, name="GST free", rate=Decimal("0")))  # type: ignore[arg-type]
    return business


def _principal(user_id: int | None, business: Business, role: Role) -> Principal:
    return Principal(user_id=user_id or 0, business_id=business.id or 0, role=role, name="seed", email="seed",
                     business_name=business.name, mfa_enabled=False, recent_mfa=False)


def _fill(session: Session, business: Business, owner: Principal, rng: random.Random, invoice_count: int,
          tradie_id: int | None) -> None:
    gst = session.exec(select(TaxRate).where(TaxRate.business_id == business.id, TaxRate.is_default)).one()
    clients = []
    for name, email, street, city, region, postcode in CLIENTS:
        client = Client(business_id=business.id, name=name, email=email, address_line1=street, city=city,  # type: ignore[arg-type]
                        region=region, postcode=postcode, country="Australia")
        session.add(client)
        clients.append(client)
    session.flush()
    today = dt.date.today()
    for index, (title, category, description, quantity, price) in enumerate(WORK):
        completed = index % 2 == 0
        job = Job(business_id=business.id, client_id=clients[index].id, title=title,  # type: ignore[arg-type]
                  status="completed" if completed else "scheduled", assigned_user_id=tradie_id,
                  site_address=clients[index].address_line1)
        session.add(job)
        session.flush()
        session.add(LineItem(job_id=job.id, description=description, quantity=Decimal(quantity),
                             unit_amount=Decimal(price), category=category, tax_rate_id=gst.id))
        quote = Quote(business_id=business.id, client_id=clients[index].id, job_id=job.id,  # type: ignore[arg-type]
                      number=f"Q-{index + 1:04d}", title=title,
                      status=["accepted", "sent", "draft"][index % 3])
        session.add(quote)
        session.flush()
        session.add(LineItem(quote_id=quote.id, description=description, quantity=Decimal(quantity),
                             unit_amount=Decimal(price), category=category, tax_rate_id=gst.id))
    session.commit()
    outcomes = ["draft", "authorised", "sent", "part_paid", "paid", "voided"]
    for index in range(invoice_count):
        issued = today - dt.timedelta(days=rng.randint(0, 75))
        picks = rng.sample(WORK, rng.randint(1, 3))
        draft = InvoiceDraft(
            client_id=clients[index % len(clients)].id, issue_date=issued, due_date=issued + dt.timedelta(days=14),
            reference=f"Job {1000 + index}",
            lines=[LineDraft(description=d, quantity=str(q), unit_amount=p, category=c, tax_rate_id=gst.id)
                   for _, c, d, q, p in picks],
        )
        invoice = invoice_service.create_invoice(session, owner, draft)
        outcome = outcomes[index % len(outcomes)]
        if outcome == "draft":
            continue
        if outcome == "voided":
            invoice_service.void_invoice(session, owner, invoice.id)  # type: ignore[arg-type]
            continue
        if outcome == "sent":
            invoice_service.mark_sent(session, owner, invoice.id)  # type: ignore[arg-type]
            continue
        invoice_service.authorise_invoice(session, owner, invoice.id)  # type: ignore[arg-type]
        if outcome in ("part_paid", "paid"):
            amount = invoice.total if outcome == "paid" else (invoice.total / 2).quantize(Decimal("0.01"))
            invoice_service.record_payment(session, owner, invoice.id, amount=amount,  # type: ignore[arg-type]
                                           paid_on=min(today, issued + dt.timedelta(days=7)), method="bank_transfer",
                                           reference="Demo payment")

"""Two people changing the same thing at the same moment, on SQLite and on PostgreSQL: the second change waits for
the first and is checked against it. Each starts while another change of the same business, quote or job is
being written (its row held by another transaction)."""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlmodel import Session, SQLModel, col, select

from myapprentice_app.db import get_engine, locked
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import (
    Business,
    Client,
    EmailMessage,
    Invitation,
    Invoice,
    LineItem,
    Membership,
    Quote,
    User,
    XeroSettings,
)
from myapprentice_app.services import audit, auth, clients, invoice_delivery, invoices, team, work, xero_settings
from myapprentice_app.services.clients import ClientForm
from myapprentice_app.services.errors import ActionRefused, ValidationFailed
from myapprentice_app.services.invoices import InvoiceDraft
from myapprentice_app.services.principal import Principal
from myapprentice_app.services.work import QuoteForm
from tests.conftest import PASSWORD
from tests.integration.invoicing_helpers import TODAY, client, draft, gst
from tests.support.concurrently import in_own_session, while_held


def second_owner(business_id: int, email: str) -> Principal:
    with Session(get_engine(), expire_on_commit=False) as session:
        user = auth.create_user(session, email=email, name="Second Owner", password=PASSWORD)
        session.add(Membership(user_id=user.id or 0, business_id=business_id, role=Role.OWNER.value))
        session.commit()
        principal = auth.resolve(session, auth.log_in(session, email=email, password=PASSWORD).token)
        assert principal is not None
        return principal


def test_two_owners_demoting_each_other_at_the_same_moment_leave_one_owner(
        make_owner: Callable[[str], Principal]) -> None:
    first = make_owner("first@owners.test")
    second = second_owner(first.business_id, "second@owners.test")

    outcomes = while_held(
        lambda session: locked(session, Business, first.business_id),
        in_own_session(lambda session: team.change_role(session, first, second.user_id, Role.ADMIN.value)),
        in_own_session(lambda session: team.change_role(session, second, first.user_id, Role.ADMIN.value)))

    refused = [outcome for outcome in outcomes if isinstance(outcome, ActionRefused)]
    assert [str(reason) for reason in refused] == ["A business needs at least one Business Owner."], outcomes
    with Session(get_engine()) as session:
        roles = session.exec(select(Membership.role).where(Membership.business_id == first.business_id)).all()
    assert sorted(roles) == ["admin", "owner"]


@dataclasses.dataclass
class Quoted:
    owner: Principal
    quote: Quote
    form: QuoteForm
    invoice: InvoiceDraft  # an invoice from the quote


@pytest.fixture
def quoted(make_owner: Callable[[str], Principal]) -> Quoted:
    owner = make_owner("owner@quotes.test")
    with Session(get_engine(), expire_on_commit=False) as session:
        ready = draft(client(session, owner), gst(session, owner))
        form = QuoteForm(client_id=ready.client_id, title="Rewire", lines=ready.lines)
        quote = work.save_quote(session, owner, None, form)
        return Quoted(owner, quote, form, dataclasses.replace(ready, quote_id=quote.id))


def test_a_quote_saved_from_two_tabs_at_the_same_moment_keeps_one_set_of_lines(quoted: Quoted) -> None:
    def save(session: Session) -> Quote:
        return work.save_quote(session, quoted.owner, quoted.quote.id, quoted.form)

    outcomes = while_held(lambda session: locked(session, Quote, quoted.quote.id), in_own_session(save),
                          in_own_session(save))

    assert all(isinstance(outcome, Quote) for outcome in outcomes), outcomes
    with Session(get_engine()) as session:
        lines = session.exec(select(LineItem).where(LineItem.quote_id == quoted.quote.id)).all()
    assert len(lines) == len(quoted.form.lines)


def test_an_invoice_from_a_quote_started_in_two_tabs_at_the_same_moment_is_made_once_unless_confirmed(
        quoted: Quoted) -> None:
    def create(session: Session) -> Invoice:
        return invoices.create_invoice(session, quoted.owner, quoted.invoice)

    outcomes = while_held(lambda session: locked(session, Quote, quoted.quote.id), in_own_session(create),
                          in_own_session(create))

    refused = [outcome for outcome in outcomes if isinstance(outcome, ActionRefused)]
    assert len(refused) == 1 and "already has invoice" in str(refused[0]), outcomes
    with Session(get_engine()) as session:
        assert len(session.exec(select(Invoice).where(col(Invoice.quote_id) == quoted.quote.id)).all()) == 1


def test_an_invoice_emailed_from_two_tabs_at_the_same_moment_gets_one_pay_link(quoted: Quoted) -> None:
    with Session(get_engine(), expire_on_commit=False) as session:
        invoice = invoices.create_invoice(session, quoted.owner, quoted.invoice)
        invoices.authorise_invoice(session, quoted.owner, invoice.id or 0)

    def draft_email(session: Session) -> str:
        return invoice_delivery.draft_email(session, quoted.owner, invoice.id or 0).body

    bodies = while_held(lambda session: locked(session, Invoice, invoice.id), in_own_session(draft_email),
                        in_own_session(draft_email))

    with Session(get_engine()) as session:
        link = invoice_delivery.pay_link(session.get(Invoice, invoice.id))  # type: ignore[arg-type]
    assert link and all(link in body for body in bodies), bodies


def test_an_invitation_accepted_twice_at_the_same_moment_makes_one_account_and_tells_the_second_it_is_used(
        make_owner: Callable[[str], Principal]) -> None:
    owner = make_owner("owner@invites.test")
    with Session(get_engine(), expire_on_commit=False) as session:
        invitation = team.invite(session, owner, email_address="nina@invites.test", name="Nina", role="finance")
        body = session.exec(select(EmailMessage.body)).one()
    token = next(word for word in body.split() if "/invite/" in word).rsplit("/", 1)[1]

    def accept(session: Session) -> str:  # the form sent twice: a double click
        return team.accept_with_new_account(session, invite_token=token, password="a-long-password")

    outcomes = while_held(lambda session: locked(session, Invitation, invitation.id), in_own_session(accept),
                          in_own_session(accept))

    refused = [outcome for outcome in outcomes if isinstance(outcome, Exception)]
    assert [str(reason) for reason in refused] == [team.INVITATION_GONE], outcomes
    with Session(get_engine()) as session:
        assert len(session.exec(select(User).where(User.email == "nina@invites.test")).all()) == 1


def another_tab_adding(business_id: int, row: SQLModel) -> Callable[[Session], None]:
    """Another tab's new row of the business (an invoice, a quote, a client, its Xero settings), written under the
    business's lock as the services write it, and not committed yet."""
    def hold(session: Session) -> None:
        locked(session, Business, business_id)
        session.add(row)
        session.flush()
    return hold


def test_invoices_created_at_the_same_moment_get_numbers_of_their_own(quoted: Quoted) -> None:
    fresh = dataclasses.replace(quoted.invoice, quote_id=None)

    def create(session: Session) -> Invoice:
        return invoices.create_invoice(session, quoted.owner, fresh)

    invoice = Invoice(business_id=quoted.owner.business_id, client_id=fresh.client_id or 0, number="INV-0001",
                      issue_date=TODAY, due_date=TODAY)
    outcomes = while_held(another_tab_adding(quoted.owner.business_id, invoice),
                          in_own_session(create), in_own_session(create))

    assert all(isinstance(outcome, Invoice) for outcome in outcomes), outcomes
    with Session(get_engine()) as session:
        numbers = session.exec(select(Invoice.number).where(Invoice.business_id == quoted.owner.business_id)).all()
    assert sorted(numbers) == ["INV-0001", "INV-0002", "INV-0003"]


def test_quotes_created_at_the_same_moment_get_numbers_of_their_own(quoted: Quoted) -> None:
    def create(session: Session) -> Quote:
        return work.save_quote(session, quoted.owner, None, quoted.form)

    quote = Quote(business_id=quoted.owner.business_id, client_id=quoted.form.client_id or 0, number="Q-0002",
                  title="Rewire")
    outcomes = while_held(another_tab_adding(quoted.owner.business_id, quote),
                          in_own_session(create), in_own_session(create))

    assert all(isinstance(outcome, Quote) for outcome in outcomes), outcomes
    with Session(get_engine()) as session:
        numbers = session.exec(select(Quote.number).where(Quote.business_id == quoted.owner.business_id)).all()
    assert sorted(numbers) == ["Q-0001", "Q-0002", "Q-0003", "Q-0004"]


def test_the_xero_tab_first_saved_from_two_tabs_at_the_same_moment_is_saved_by_both(
        make_owner: Callable[[str], Principal]) -> None:
    owner = make_owner("owner@settings.test")

    def save(session: Session) -> None:
        xero_settings.save_settings(session, owner, {"push_as": "authorised", "contact_policy": "create"}, {})

    outcomes = while_held(another_tab_adding(owner.business_id, XeroSettings(business_id=owner.business_id,
                                                                             push_as="draft")),
                          in_own_session(save), in_own_session(save))

    assert outcomes == [None, None], outcomes
    with Session(get_engine()) as session:
        assert session.get(XeroSettings, owner.business_id).push_as == "authorised"  # type: ignore[union-attr]


def test_a_client_added_from_two_tabs_at_the_same_moment_is_added_once(make_owner: Callable[[str], Principal]) -> None:
    owner = make_owner("owner@clients.test")

    def add(session: Session) -> Client:
        return clients.create_client(session, owner, ClientForm(name="harbourside cafe"))

    outcomes = while_held(another_tab_adding(owner.business_id, Client(business_id=owner.business_id,
                                                                       name="Harbourside Cafe")),
                          in_own_session(add), in_own_session(add))

    assert [str(outcome) for outcome in outcomes] == [str(ValidationFailed(
        {"name": "You already have a client with this name."}))] * 2, outcomes
    with Session(get_engine()) as session:
        assert session.exec(select(Client.name).where(Client.business_id == owner.business_id)).all() == [
            "Harbourside Cafe"]


def test_an_invoice_made_from_a_quote_while_the_quote_is_being_saved_waits_for_the_save(quoted: Quoted) -> None:
    """The save holds its quote and then writes its audit row (a row of the business); the new invoice holds its
    business (for its number) and then waits for the quote. On PostgreSQL both locks once blocked each other."""
    with ThreadPoolExecutor(max_workers=1) as other_tab, Session(get_engine()) as saving:
        locked(saving, Quote, quoted.quote.id)
        invoicing = other_tab.submit(in_own_session(lambda session: invoices.create_invoice(
            session, quoted.owner, quoted.invoice)))
        time.sleep(0.5)  # the invoice has its business and waits for the quote
        audit.record(saving, quoted.owner, quoted.owner.business_id, "quote.edited", target=quoted.quote.number)
        saving.commit()

        assert invoicing.result(timeout=30).number == "INV-0001"

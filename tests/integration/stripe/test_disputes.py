"""stripe-notes §5 row 11: a card payment disputed after it reached Xero. The dispute is recorded, shown on the
invoice to whoever runs the Stripe account (Owner, Office Admin, Sole Trader) and listed for review, and
written in the invoice's History and Notes in Xero; the payment stays until the dispute is lost, which takes
it back (deleted in Xero, the invoice owed again)."""

from __future__ import annotations

from sqlmodel import select

from myapprentice_app.domain.roles import Role
from myapprentice_app.jobs import tasks
from myapprentice_app.models import Payment, StripeDispute
from myapprentice_app.selectors.invoice_detail import invoice_detail
from myapprentice_app.services import stripe_connection
from tests.integration.xero.test_history_notes import notes_in_xero
from tests.support.waiting import wait_until

from .conftest import checkout_id, invoice_reaches, sent_invoice
from .test_refunds_in_xero import sync_until_the_reversal_settles

DISPUTE_CARD = "4000000000000259"  # Stripe's test card: pays, then is disputed as fraudulent


def dispute_notices(session, actor, invoice) -> list[str]:  # type: ignore[no-untyped-def]
    """The invoice's card notices but the one saying Stripe's fee waits for its account (none is chosen here)."""
    notices = invoice_detail(session, actor, invoice.id).card_notices
    return [notice for notice in notices if "Stripe's fee" not in notice]


def disputed_in_xero(session, actor, stripe_admin, admin, tenant):  # type: ignore[no-untyped-def]
    invoice = sent_invoice(session, actor)
    stripe_admin.pay(checkout_id(session, invoice), card=DISPUTE_CARD)
    invoice_reaches(session, invoice.id, "paid")
    wait_until(lambda: dispute_notices(session, actor, invoice), seconds=10, waiting_for="the dispute to be recorded")
    [in_xero] = wait_until(lambda: admin.stored(tenant, "payments"), seconds=10, waiting_for="the Xero payment")
    return invoice, in_xero


def xero_notes_saying(admin, sandbox_url, tenant, invoice, words: str) -> list[str]:  # type: ignore[no-untyped-def]
    def found() -> list[str]:
        tasks.recover()
        session_notes = notes_in_xero(admin, sandbox_url, tenant, invoice.xero_invoice_id)
        return [note for note in session_notes if words in note]
    return wait_until(found, seconds=30, waiting_for=f"a note in Xero saying {words!r}")


def test_a_disputed_payment_is_shown_on_the_invoice_listed_for_review_and_noted_in_xero(
        session, stripe_connected, stripe_admin, admin, tenant, sandbox_url):
    invoice, in_xero = disputed_in_xero(session, stripe_connected, stripe_admin, admin, tenant)

    [notice] = dispute_notices(session, stripe_connected, invoice)
    assert f"Invoice {invoice.number}: the card payment ($" in notice
    assert "disputed by the cardholder's bank (fraudulent)" in notice
    assert "respond in your Stripe Dashboard by" in notice
    review = stripe_connection.stripe_view(session, stripe_connected).problems
    assert any(problem.endswith(notice) for problem in review)
    session.refresh(invoice)
    [note] = xero_notes_saying(admin, sandbox_url, tenant, invoice, "Card payment disputed")
    assert "(fraudulent, " in note and "needs response" in note
    [still] = admin.stored(tenant, "payments")
    assert still["PaymentID"] == in_xero["PaymentID"] and still["Status"] == "AUTHORISED"
    session.expire_all()
    assert session.get(type(invoice), invoice.id).status == "paid"


def test_only_the_roles_that_run_stripe_see_the_dispute_on_the_invoice(session, stripe_connected, stripe_admin,
                                                                       admin, tenant, make_actor):
    invoice, _ = disputed_in_xero(session, stripe_connected, stripe_admin, admin, tenant)

    assert dispute_notices(session, make_actor(Role.ADMIN), invoice)
    assert dispute_notices(session, make_actor(Role.FINANCE), invoice) == []
    assert invoice_detail(session, make_actor(Role.SUPERVISOR), invoice.id).card_notices == []


def test_a_lost_dispute_takes_the_payment_back_in_the_app_and_in_xero(session, stripe_connected, stripe_admin,
                                                                      client_of, admin, tenant, sandbox_url):
    invoice, in_xero = disputed_in_xero(session, stripe_connected, stripe_admin, admin, tenant)
    account = stripe_connection.account_of(session, stripe_connected.business_id).account_id
    [dispute] = session.exec(select(StripeDispute)).all()

    client_of().v1.disputes.close(dispute.id, options={"stripe_account": account})  # the business accepts it

    owed = invoice_reaches(session, invoice.id, "sent")
    assert owed.amount_paid == 0 and owed.amount_due == owed.total
    [notice] = dispute_notices(session, stripe_connected, invoice)
    assert "was lost" in notice and "owed again" in notice
    sync_until_the_reversal_settles(session)
    [deleted] = admin.stored(tenant, "payments")
    assert deleted["PaymentID"] == in_xero["PaymentID"] and deleted["Status"] == "DELETED"
    assert xero_notes_saying(admin, sandbox_url, tenant, owed, "lost: the payment was taken back")


def test_a_dispute_delivered_before_the_payment_still_finds_it(session, stripe_connected, stripe_admin):
    stripe_admin.post("config", {"hold_deliveries": True})
    invoice = sent_invoice(session, stripe_connected, pushed=False)
    stripe_admin.pay(checkout_id(session, invoice), card=DISPUTE_CARD)

    stripe_admin.post("deliveries/release", {"reverse": True})  # charge.dispute.* first

    invoice_reaches(session, invoice.id, "paid")
    wait_until(lambda: dispute_notices(session, stripe_connected, invoice), seconds=10,
               waiting_for="the dispute to be recorded")
    session.expire_all()
    assert len(session.exec(select(Payment)).all()) == 1 and len(session.exec(select(StripeDispute)).all()) == 1

"""A card payment refunded after it reached Xero: the Xero payment is deleted (the invoice is owed there again),
the rest of a part refund is posted afresh, and a reconciled payment says what to do in Xero."""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import select

from myapprentice_app.jobs import tasks
from myapprentice_app.models import Payment
from myapprentice_app.services import stripe_connection
from myapprentice_app.sync.stripe_xero import RECONCILED_FIX
from tests.support.waiting import wait_until

from .conftest import checkout_id, invoice_reaches, sent_invoice


def paid_in_xero(session, actor, stripe_admin, admin, tenant):  # type: ignore[no-untyped-def]
    invoice = sent_invoice(session, actor)
    stripe_admin.pay(checkout_id(session, invoice))
    invoice_reaches(session, invoice.id, "paid")
    [in_xero] = wait_until(lambda: admin.stored(tenant, "payments"), seconds=10, waiting_for="the Xero payment")
    return invoice, in_xero


def refund(session, actor, stripe_admin, client_of, amount: int | None = None) -> None:  # type: ignore[no-untyped-def]
    account = stripe_connection.account_of(session, actor.business_id).account_id
    [intent] = stripe_admin.objects("payment_intent")
    params = {"payment_intent": intent["id"], **({"amount": amount} if amount else {})}
    client_of().v1.refunds.create(params=params, options={"stripe_account": account})


def sync_until_the_reversal_settles(session) -> None:  # type: ignore[no-untyped-def]
    """Run sync cycles until the refunded payment's Xero reversal is done: a cycle that finds Xero busy (or
    the webhook's own cycle holding the organisation's calls) leaves it to the next, as the engine intends."""
    def settled() -> bool:
        tasks.recover()
        session.expire_all()
        return not any(payment.xero_reversal_due for payment in session.exec(select(Payment)))

    wait_until(settled, seconds=30, waiting_for="a sync cycle to reverse the refunded payment in Xero")


def test_a_full_refund_deletes_the_payment_in_xero_and_the_invoice_is_owed_again(
        session, stripe_connected, stripe_admin, client_of, admin, tenant):
    invoice, in_xero = paid_in_xero(session, stripe_connected, stripe_admin, admin, tenant)

    refund(session, stripe_connected, stripe_admin, client_of)
    invoice_reaches(session, invoice.id, "sent")
    sync_until_the_reversal_settles(session)

    [deleted] = admin.stored(tenant, "payments")
    assert deleted["PaymentID"] == in_xero["PaymentID"] and deleted["Status"] == "DELETED"
    session.refresh(invoice)
    [xero_invoice] = [i for i in admin.stored(tenant, "invoices") if i["InvoiceID"] == invoice.xero_invoice_id]
    assert xero_invoice["Status"] == "AUTHORISED" and Decimal(str(xero_invoice["AmountDue"])) == invoice.total


def test_a_part_refund_replaces_the_xero_payment_with_what_is_still_paid(
        session, stripe_connected, stripe_admin, client_of, admin, tenant):
    invoice, _ = paid_in_xero(session, stripe_connected, stripe_admin, admin, tenant)

    refund(session, stripe_connected, stripe_admin, client_of, amount=5000)
    invoice_reaches(session, invoice.id, "part_paid")
    sync_until_the_reversal_settles(session)

    def live_amounts() -> list[Decimal]:
        tasks.recover()  # the part still paid is posted again by a later cycle
        return [Decimal(str(p["Amount"])) for p in admin.stored(tenant, "payments") if p["Status"] != "DELETED"]

    assert wait_until(live_amounts, seconds=30, waiting_for="the part still paid in Xero") == [invoice.total - 50]


def test_a_reconciled_payment_is_not_deleted_and_says_how_to_unreconcile_it(
        session, stripe_connected, stripe_admin, client_of, admin, tenant):
    invoice, in_xero = paid_in_xero(session, stripe_connected, stripe_admin, admin, tenant)
    admin.post(f"organisations/{tenant}/payments/{in_xero['PaymentID']}/reconcile")

    refund(session, stripe_connected, stripe_admin, client_of)
    invoice_reaches(session, invoice.id, "sent")
    sync_until_the_reversal_settles(session)

    payment = session.exec(select(Payment)).one()
    assert payment.sync_status == "error" and payment.sync_error_message == RECONCILED_FIX
    assert [p["Status"] for p in admin.stored(tenant, "payments")] == ["AUTHORISED"]


def test_the_invoice_page_shows_the_refund_beside_the_card_payment(session, stripe_connected, stripe_admin,
                                                                   client_of, admin, tenant):
    from myapprentice_app.selectors.invoice_detail import invoice_detail
    invoice, _ = paid_in_xero(session, stripe_connected, stripe_admin, admin, tenant)

    refund(session, stripe_connected, stripe_admin, client_of, amount=5000)
    invoice_reaches(session, invoice.id, "part_paid")

    [shown] = invoice_detail(session, stripe_connected, invoice.id).payments
    assert shown.method == "Card (Stripe) · refunded $50.00"

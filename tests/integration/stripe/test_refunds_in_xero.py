"""A card payment refunded after it reached Xero: refunded in full at once, the Xero payment is deleted (the
invoice is owed there again; a reconciled payment says what to do in Xero); refunded in part, the client is
credited: a credit note refunded from the Stripe account, the payment and Stripe's fee staying as they are."""

from __future__ import annotations

import time
from decimal import Decimal

from sqlmodel import select

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.integrations.xero import tokens
from myapprentice_app.integrations.xero.client import XeroClient
from myapprentice_app.jobs import tasks
from myapprentice_app.models import Invoice, Payment, XeroConnection, XeroSettings
from myapprentice_app.services import stripe_connection, xero_sync
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
        # Synced too: a refund landing while the payment is on its way finds no Xero payment to undo, and the
        # reversal falls due only when Xero's answer is recorded.
        return all(payment.sync_status in (SyncStatus.SYNCED, SyncStatus.ERROR) and not payment.xero_reversal_due
                   for payment in session.exec(select(Payment)))

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


def refunded_credit_notes(admin, tenant: str, count: int) -> list[dict]:  # type: ignore[no-untyped-def]
    def paid_out() -> list[dict] | None:
        tasks.recover()  # a cycle that finds Xero busy leaves the credit note to the next
        notes = [n for n in admin.get(f"organisations/{tenant}/creditnotes")["CreditNotes"] if n["Status"] == "PAID"]
        return notes if len(notes) == count else None
    return wait_until(paid_out, seconds=30, waiting_for=f"{count} credit note(s) refunded in Xero")


def test_a_part_refund_is_a_credit_note_refunded_from_the_stripe_account_and_the_payment_stays(
        session, stripe_connected, stripe_admin, client_of, admin, tenant):
    invoice, in_xero = paid_in_xero(session, stripe_connected, stripe_admin, admin, tenant)

    refund(session, stripe_connected, stripe_admin, client_of, amount=5000)

    [note] = refunded_credit_notes(admin, tenant, 1)
    assert note["Type"] == "ACCRECCREDIT" and Decimal(str(note["Total"])) == 50
    assert note["Contact"]["ContactID"] == in_xero["Invoice"]["Contact"]["ContactID"]
    assert note["Reference"].startswith(f"Card refund for invoice {invoice.number} (pi_")
    assert note["LineAmountTypes"] == "Inclusive" and Decimal(str(note["TotalTax"])) == Decimal("4.55")  # GST 1/11
    paid_out = [p for p in admin.stored(tenant, "payments") if p["PaymentType"] == "ARCREDITPAYMENT"]
    stripe_account = session.get(XeroSettings, stripe_connected.business_id).stripe_account
    assert [(Decimal(str(p["Amount"])), p["Account"]["Code"]) for p in paid_out] == [(50, stripe_account)]
    [card] = [p for p in admin.stored(tenant, "payments") if p["PaymentType"] == "ACCRECPAYMENT"]
    assert card["PaymentID"] == in_xero["PaymentID"] and card["Status"] == "AUTHORISED"
    assert Decimal(str(card["Amount"])) == invoice.total
    session.refresh(invoice)
    assert invoice.status == "paid"


def test_two_part_refunds_are_two_credit_notes_and_the_fee_stays(
        session, stripe_connected, stripe_admin, client_of, admin, tenant):
    settings = session.get(XeroSettings, stripe_connected.business_id)
    settings.stripe_account, settings.stripe_fee_account = "092", "429"
    session.commit()
    paid_in_xero(session, stripe_connected, stripe_admin, admin, tenant)

    refund(session, stripe_connected, stripe_admin, client_of, amount=2000)
    refunded_credit_notes(admin, tenant, 1)
    refund(session, stripe_connected, stripe_admin, client_of, amount=3000)

    notes = refunded_credit_notes(admin, tenant, 2)
    assert sorted(Decimal(str(n["Total"])) for n in notes) == [20, 30]
    [fee] = admin.get(f"organisations/{tenant}/banktransactions")["BankTransactions"]
    assert fee["Type"] == "SPEND" and fee["Status"] == "AUTHORISED" and fee["BankAccount"]["Code"] == "092"


def refunded_after_reconciling_in_xero(session, actor, stripe_admin, client_of, admin, tenant):  # type: ignore[no-untyped-def]
    """A card payment reconciled in Xero, then refunded in full here: Xero refuses to delete it."""
    invoice, in_xero = paid_in_xero(session, actor, stripe_admin, admin, tenant)
    admin.post(f"organisations/{tenant}/payments/{in_xero['PaymentID']}/reconcile")
    refund(session, actor, stripe_admin, client_of)
    invoice_reaches(session, invoice.id, "sent")
    sync_until_the_reversal_settles(session)
    return invoice, in_xero


def test_a_reconciled_payment_is_not_deleted_and_says_how_to_unreconcile_it(
        session, stripe_connected, stripe_admin, client_of, admin, tenant):
    refunded_after_reconciling_in_xero(session, stripe_connected, stripe_admin, client_of, admin, tenant)

    payment = session.exec(select(Payment)).one()
    assert payment.sync_status == "error" and payment.sync_error_message == RECONCILED_FIX
    assert [p["Status"] for p in admin.stored(tenant, "payments")] == ["AUTHORISED"]


def test_the_invoice_page_shows_the_refund_beside_the_card_payment(session, stripe_connected, stripe_admin,
                                                                   client_of, admin, tenant):
    from myapprentice_app.selectors.invoice_detail import invoice_detail
    invoice, _ = paid_in_xero(session, stripe_connected, stripe_admin, admin, tenant)

    refund(session, stripe_connected, stripe_admin, client_of, amount=5000)
    wait_until(lambda: session.refresh(invoice) or invoice_detail(session, stripe_connected, invoice.id).payments[0]
               .method.endswith("refunded $50.00"), seconds=10, waiting_for="the refund to be recorded")

    [shown] = invoice_detail(session, stripe_connected, invoice.id).payments
    assert shown.method == "Card (Stripe) · refunded $50.00" and shown.amount == f"${invoice.total:,.2f}"


def test_a_part_refund_xero_cannot_take_is_shown_to_the_owner_on_the_invoice(
        session, stripe_connected, stripe_admin, client_of, admin, tenant):
    from myapprentice_app.selectors.invoice_detail import invoice_detail
    invoice, _ = paid_in_xero(session, stripe_connected, stripe_admin, admin, tenant)
    settings = session.get(XeroSettings, stripe_connected.business_id)
    settings.stripe_account = None  # unset after the payment went: the refund has no account to come from
    session.commit()

    refund(session, stripe_connected, stripe_admin, client_of, amount=5000)

    def refund_notices() -> list[str]:  # (Stripe's fee waits for its account too, with a notice of its own)
        tasks.recover()
        return [notice for notice in invoice_detail(session, stripe_connected, invoice.id).card_notices
                if "card refund" in notice]
    [notice] = wait_until(refund_notices, seconds=30, waiting_for="the refund's problem on the invoice")
    assert notice == (f"Invoice {invoice.number}: a card refund of $50.00 is not in Xero. Card refund not sent to "
                      "Xero: choose the Stripe payment account in Business Settings → Xero.")
    assert admin.get(f"organisations/{tenant}/creditnotes")["CreditNotes"] == []


def test_a_full_refund_landing_while_the_payment_is_on_its_way_to_xero_deletes_it_there_once_it_arrives(
        session, stripe_connected, stripe_admin, client_of, admin, tenant):
    invoice = sent_invoice(session, stripe_connected)
    admin.faults(latency_ms=2000)  # Xero takes its time over the payment
    stripe_admin.pay(checkout_id(session, invoice))
    wait_until(lambda: session.expire_all() or session.exec(select(Payment)).first(), seconds=10,
               waiting_for="the card payment to be recorded (and its Xero cycle to start)")
    time.sleep(0.5)

    refund(session, stripe_connected, stripe_admin, client_of)  # while Xero is still answering
    invoice_reaches(session, invoice.id, "sent")
    wait_until(lambda: session.expire_all() or session.exec(select(Payment.xero_payment_id)).one(), seconds=15,
               waiting_for="Xero's answer to be written down")
    admin.faults(latency_ms=0)
    sync_until_the_reversal_settles(session)

    assert [p["Status"] for p in admin.stored(tenant, "payments")] == ["DELETED"]
    [xero_invoice] = [i for i in admin.stored(tenant, "invoices") if i["InvoiceID"] == invoice.xero_invoice_id]
    assert Decimal(str(xero_invoice["AmountDue"])) == invoice.total


def test_a_refunded_payment_xero_would_not_let_us_delete_is_settled_once_the_accountant_deletes_it_there(
        session, stripe_connected, stripe_admin, client_of, admin, tenant):
    invoice, in_xero = refunded_after_reconciling_in_xero(session, stripe_connected, stripe_admin, client_of, admin,
                                                          tenant)
    admin.post(f"organisations/{tenant}/payments/{in_xero['PaymentID']}/reconcile", {"reconciled": False})
    connection = session.exec(select(XeroConnection)).one()
    XeroClient(connection.tenant_id, lambda: tokens.valid_token(stripe_connected.business_id)).delete_payment(
        in_xero["PaymentID"])  # the accountant follows the fix: unreconciles it, and deletes it

    xero_sync.sync_all(session, stripe_connected)

    session.expire_all()
    payment = session.exec(select(Payment)).one()
    assert (payment.sync_status, payment.sync_error_message) == (
        "synced", "Refunded by card: the payment was deleted in Xero.")
    assert session.get(Invoice, invoice.id).xero_drift is None


def test_a_part_refunded_card_payment_the_accountant_deletes_in_xero_is_flagged_and_never_sent_again(
        session, stripe_connected, stripe_admin, client_of, admin, tenant):
    invoice, in_xero = paid_in_xero(session, stripe_connected, stripe_admin, admin, tenant)
    refund(session, stripe_connected, stripe_admin, client_of, amount=5000)  # a credit note; the payment stays
    refunded_credit_notes(admin, tenant, 1)
    connection = session.exec(select(XeroConnection)).one()
    XeroClient(connection.tenant_id, lambda: tokens.valid_token(stripe_connected.business_id)).delete_payment(
        in_xero["PaymentID"])

    xero_sync.sync_all(session, stripe_connected)
    tasks.recover()
    tasks.recover()

    session.expire_all()
    assert session.exec(select(Payment)).one().sync_error_message == "Deleted in Xero; still recorded here."
    cards = [p["Status"] for p in admin.stored(tenant, "payments") if p["PaymentType"] == "ACCRECPAYMENT"]
    assert cards == ["DELETED"]  # what the accountant deleted is not made again

"""Stripe's fee and a part refund's credit note reach Xero exactly once when Xero fails a call on the way: the
sync cycle tries again by itself (a 500: nothing was made; a lost answer: made, and sent again under the same
Idempotency-Key, Xero answers with what it made), instead of leaving the work to a later cycle. A full refund's
deletion whose answer is lost is looked up before deleting again (Xero refuses to delete a payment twice)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
from sqlmodel import select

from myapprentice_app.jobs import tasks
from myapprentice_app.models import Payment, StripeCredit, StripePayment, XeroBudget, XeroSettings
from myapprentice_app.sync.stripe_credits import NO_STRIPE_ACCOUNT
from myapprentice_app.sync.stripe_xero import NO_FEE_ACCOUNT
from tests.support.waiting import wait_until

from .conftest import invoice_reaches
from .test_refunds_in_xero import paid_in_xero, refund, sync_until_the_reversal_settles


def a_seed_failing_only_the_first_call(probability: float) -> int:
    """A seed for the sandbox's fault dice (one roll per call) under which the first call fails and the next
    three don't."""
    for seed in range(10_000):
        dice = random.Random(seed)
        if dice.random() < probability and all(dice.random() >= probability for _ in range(3)):
            return seed
    raise AssertionError("no such seed")


def webhooks_delivered(stripe_admin) -> None:  # type: ignore[no-untyped-def]
    """Every webhook Stripe sent has been answered: the cycles they started are over, none runs beside ours."""
    wait_until(lambda: all(d["state"] in ("succeeded", "failed") for d in stripe_admin.deliveries()), seconds=10,
               waiting_for="Stripe's webhooks to be delivered")


def a_fee_due(session, actor, stripe_admin, admin, tenant) -> StripePayment:  # type: ignore[no-untyped-def]
    """A card payment in Xero whose fee waited for its account, and the owner has just chosen it."""
    settings = session.get(XeroSettings, actor.business_id)
    settings.stripe_account, settings.stripe_fee_account = "092", None  # the fee waits for its account
    session.commit()
    paid_in_xero(session, actor, stripe_admin, admin, tenant)
    card = wait_until(lambda: session.expire_all() or session.exec(select(StripePayment).where(
        StripePayment.fee_sync_message == NO_FEE_ACCOUNT)).first(), seconds=10, waiting_for="the fee to wait")
    assert card.fee > 0 and card.xero_fee_transaction_id is None
    webhooks_delivered(stripe_admin)
    settings.stripe_fee_account, card.fee_sync_message = "429", None  # the owner chooses the fee account
    session.commit()
    return card


def test_stripes_fee_reaches_xero_once_in_the_same_cycle_after_a_500(
        session, stripe_connected, stripe_admin, admin, tenant):
    card = a_fee_due(session, stripe_connected, stripe_admin, admin, tenant)

    admin.faults(p_500=0.5, seed=a_seed_failing_only_the_first_call(0.5))
    tasks.recover()  # one sync cycle

    [fee] = admin.get(f"organisations/{tenant}/banktransactions")["BankTransactions"]
    assert fee["Type"] == "SPEND" and fee["Status"] == "AUTHORISED"
    session.refresh(card)
    assert card.xero_fee_transaction_id == fee["BankTransactionID"] and card.fee_sync_message is None


@pytest.mark.parametrize("fault", [{"p_drop_after_commit": 1.0}, {"answer_elements": "drop_last"}],
                         ids=["answers_lost", "answers_without_the_element"])
def test_a_part_refund_reaches_xero_once_in_the_same_cycle_when_xeros_answers_are_lost_or_empty(
        session, stripe_connected, stripe_admin, client_of, admin, tenant, fault):
    invoice, _ = paid_in_xero(session, stripe_connected, stripe_admin, admin, tenant)
    settings = session.get(XeroSettings, stripe_connected.business_id)
    account, settings.stripe_account = settings.stripe_account, None  # the refund waits for its account
    session.commit()
    refund(session, stripe_connected, stripe_admin, client_of, amount=5000)
    credit = wait_until(lambda: session.expire_all() or session.exec(select(StripeCredit).where(
        StripeCredit.sync_message == NO_STRIPE_ACCOUNT)).first(), seconds=10, waiting_for="the refund to wait")
    webhooks_delivered(stripe_admin)
    settings.stripe_account, credit.sync_message = account, None  # the owner chooses it again
    session.commit()

    admin.faults(**fault)  # Xero makes every write, and its answer never arrives (or arrives empty)
    tasks.recover()  # one sync cycle

    [note] = admin.get(f"organisations/{tenant}/creditnotes")["CreditNotes"]
    assert note["Status"] == "PAID" and Decimal(str(note["Total"])) == 50
    [paid_out] = [p for p in admin.stored(tenant, "payments") if p["PaymentType"] == "ARCREDITPAYMENT"]
    session.refresh(credit)
    assert credit.xero_credit_note_id == note["CreditNoteID"] and credit.xero_refund_id == paid_out["PaymentID"]
    assert credit.sync_message is None


def test_a_full_refund_whose_deletion_answer_is_lost_still_shows_the_payment_deleted_in_xero(
        session, stripe_connected, stripe_admin, client_of, admin, tenant):
    invoice, in_xero = paid_in_xero(session, stripe_connected, stripe_admin, admin, tenant)
    webhooks_delivered(stripe_admin)

    admin.faults(p_drop_after_commit=1.0)  # Xero deletes the payment, and its answer never arrives
    refund(session, stripe_connected, stripe_admin, client_of)
    invoice_reaches(session, invoice.id, "sent")
    sync_until_the_reversal_settles(session)

    [deleted] = admin.stored(tenant, "payments")
    assert deleted["PaymentID"] == in_xero["PaymentID"] and deleted["Status"] == "DELETED"
    payment = session.exec(select(Payment)).one()
    assert (payment.sync_status, payment.sync_error_message) == (
        "synced", "Refunded by card: the payment was deleted in Xero.")


def test_stripes_fee_whose_answer_comes_back_empty_is_found_by_its_reference_and_made_once(
        session, stripe_connected, stripe_admin, admin, tenant):
    card = a_fee_due(session, stripe_connected, stripe_admin, admin, tenant)

    admin.faults(answer_elements="drop_last")  # Xero makes the transaction; its answer arrives without it
    tasks.recover()
    admin.faults(answer_elements="as_sent")
    admin.post("clock", {"advance_seconds": 400})  # Xero has forgotten the key by the next cycle
    tasks.recover()

    [fee] = admin.get(f"organisations/{tenant}/banktransactions")["BankTransactions"]
    session.refresh(card)
    assert card.xero_fee_transaction_id == fee["BankTransactionID"] and card.fee_sync_message is None


def test_stripes_fee_whose_answer_stays_lost_to_the_end_of_a_cycle_is_found_in_xero_not_made_again_later(
        session, stripe_connected, stripe_admin, admin, tenant):
    card = a_fee_due(session, stripe_connected, stripe_admin, admin, tenant)

    # Xero makes the transaction and its answer is lost; then the day's quota is spent, so the cycle ends
    # without ever learning what Xero did.
    admin.faults(p_drop_after_commit=1.0, rate_limits="real", day_limit=1)
    tasks.recover()
    [made] = admin.get(f"organisations/{tenant}/banktransactions")["BankTransactions"]
    session.refresh(card)
    assert card.xero_fee_transaction_id is None

    admin.faults(p_drop_after_commit=0.0, rate_limits="off")  # Xero's next day
    budget = session.get(XeroBudget, tenant)
    budget.blocked_until, budget.blocked_problem, budget.day_remaining = 0.0, None, None
    session.commit()
    admin.post("clock", {"advance_seconds": 400})  # by now Xero has forgotten the Idempotency-Key
    tasks.recover()

    [fee] = admin.get(f"organisations/{tenant}/banktransactions")["BankTransactions"]
    session.refresh(card)
    assert fee["BankTransactionID"] == made["BankTransactionID"] == card.xero_fee_transaction_id
    assert card.fee_sync_message is None

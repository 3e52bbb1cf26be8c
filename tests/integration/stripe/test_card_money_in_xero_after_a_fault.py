"""Stripe's fee and a part refund's credit note reach Xero exactly once when Xero fails a call on the way: the
sync cycle tries again by itself (a 500: nothing was made; a lost answer: made, and sent again under the same
Idempotency-Key, Xero answers with what it made), instead of leaving the work to a later cycle. A full refund's
deletion whose answer is lost is looked up before deleting again (Xero refuses to delete a payment twice)."""

from __future__ import annotations

import random
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from myapprentice_app.db import utcnow
from myapprentice_app.jobs import tasks
from myapprentice_app.models import Payment, StripeCredit, StripePayment, SyncRun, XeroBudget, XeroSettings
from myapprentice_app.selectors.invoice_detail import invoice_detail
from myapprentice_app.services import xero_settings
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
    choose_in_xero_settings(session, actor, stripe_fee_account="429")
    session.refresh(card)
    return card


def choose_in_xero_settings(session, actor, **accounts: str) -> None:  # type: ignore[no-untyped-def]
    """The owner chooses accounts on the Xero tab and saves it."""
    values = xero_settings.settings_view(session, actor).values | accounts
    xero_settings.save_settings(session, actor, values, {})


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
    choose_in_xero_settings(session, stripe_connected, stripe_account=account)

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

    xeros_next_day(session, admin, tenant)
    admin.post("clock", {"advance_seconds": 400})  # by now Xero has forgotten the Idempotency-Key
    tasks.recover()

    [fee] = admin.get(f"organisations/{tenant}/banktransactions")["BankTransactions"]
    session.refresh(card)
    assert fee["BankTransactionID"] == made["BankTransactionID"] == card.xero_fee_transaction_id
    assert card.fee_sync_message is None


def xeros_next_day(session, admin, tenant) -> None:  # type: ignore[no-untyped-def]
    """Xero's day has reset: its quota is whole again, and the organisation's budget here no longer waits for it."""
    admin.faults(rate_limits="off", p_drop_after_commit=0.0, p_late_commit=0.0)
    budget = session.get(XeroBudget, tenant)
    budget.blocked_until, budget.blocked_problem, budget.day_remaining = 0.0, None, None
    session.commit()


def test_stripes_fee_xero_made_is_not_made_again_when_keeping_xeros_answer_fails(
        session, stripe_connected, stripe_admin, admin, tenant):
    card = a_fee_due(session, stripe_connected, stripe_admin, admin, tenant)
    session.execute(sa.text(  # the database refuses to keep the fee's transaction id (a full disk, say)
        "CREATE TRIGGER fee_not_kept BEFORE UPDATE OF xero_fee_transaction_id ON stripepayment "
        "WHEN NEW.xero_fee_transaction_id IS NOT NULL BEGIN SELECT RAISE(ABORT, 'disk full'); END"))
    session.commit()
    tasks.recover()
    [made] = admin.get(f"organisations/{tenant}/banktransactions")["BankTransactions"]

    session.execute(sa.text("DROP TRIGGER fee_not_kept"))
    session.execute(sa.update(SyncRun).where(col(SyncRun.state) == "waiting").values(next_try_at=utcnow()))
    session.commit()  # the run's wait after the error is over
    admin.post("clock", {"advance_seconds": 400})  # and Xero has forgotten the Idempotency-Key
    tasks.recover()

    [fee] = admin.get(f"organisations/{tenant}/banktransactions")["BankTransactions"]
    session.refresh(card)
    assert fee["BankTransactionID"] == made["BankTransactionID"] == card.xero_fee_transaction_id


def test_a_fee_sent_again_with_another_account_while_xero_still_makes_the_first_is_neither_refused_nor_made_twice(
        session, stripe_connected, stripe_admin, admin, tenant):
    card = a_fee_due(session, stripe_connected, stripe_admin, admin, tenant)
    # Xero takes the fee and answers it only seconds later; meanwhile the day's quota is spent.
    admin.faults(p_late_commit=1.0, late_commit_ms=8000, rate_limits="real", day_limit=1)
    tasks.recover()
    xeros_next_day(session, admin, tenant)
    choose_in_xero_settings(session, stripe_connected, stripe_fee_account="400")  # the owner changes the account
    tasks.recover()  # Xero has nothing to find yet, and refuses the fee's key for a request with another body

    assert invoice_detail(session, stripe_connected, card.invoice_id).card_notices == []  # no "Xero refused"
    wait_until(lambda: admin.get(f"organisations/{tenant}/banktransactions")["BankTransactions"], seconds=20,
               waiting_for="Xero to finish the first fee")
    admin.post("clock", {"advance_seconds": 400})  # Xero has forgotten the key
    tasks.recover()

    [fee] = admin.get(f"organisations/{tenant}/banktransactions")["BankTransactions"]
    session.refresh(card)
    assert card.xero_fee_transaction_id == fee["BankTransactionID"] and card.fee_sync_message is None
    assert fee["LineItems"][0]["AccountCode"] == "429"  # what Xero made, under the account chosen then

"""Issue points 6 and 7: payments reach Xero against the chosen account; Sync All pulls what changed there."""

from __future__ import annotations

import datetime as dt
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from myapprentice_app.db import get_engine
from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.sync_states import ConnectionStatus, RunKind, RunState
from myapprentice_app.integrations.xero import tokens
from myapprentice_app.integrations.xero.client import XeroClient
from myapprentice_app.integrations.xero.mapping import payment_model
from myapprentice_app.jobs import tasks
from myapprentice_app.models import (
    AuditEvent,
    Invoice,
    Payment,
    StripeAccount,
    SyncRun,
    XeroConnection,
    XeroSettings,
)
from myapprentice_app.services import invoice_delivery, invoices, stripe_payments, xero_sync
from myapprentice_app.sync import runs
from myapprentice_app.sync.payments import reference_for
from tests.support.stripe_sandbox import card_payment
from tests.support.waiting import wait_until

from .conftest import make_invoices


def pushed(session, actor, count: int = 1) -> list[Invoice]:
    ids = make_invoices(session, actor.business_id, count, clients=1)
    for invoice_id in ids:
        xero_sync.push_invoice(session, actor, invoice_id)
    session.expire_all()
    return [session.get(Invoice, invoice_id) for invoice_id in ids]


def test_a_part_payment_recorded_in_the_app_is_created_in_xero_on_the_next_cycle(session, connected, admin, tenant):
    [invoice] = pushed(session, connected)
    invoices.record_payment(session, connected, invoice.id, amount="100.00", paid_on=dt.date.today(),
                            method="bank_transfer", reference="EFT 42")

    tasks.recover()  # the periodic cycle

    session.expire_all()
    payment = session.exec(select(Payment)).one()
    assert payment.sync_status == SyncStatus.SYNCED and payment.xero_payment_id
    [in_xero] = admin.stored(tenant, "payments")
    assert Decimal(str(in_xero["Amount"])) == Decimal("100.00") and in_xero["Account"]["Code"] == "090"
    assert in_xero["Invoice"]["InvoiceID"] == invoice.xero_invoice_id


def test_a_payment_on_an_invoice_changed_since_its_push_takes_the_invoice_to_xero_again_and_goes_after_it(
        session, connected, admin, tenant):
    [invoice] = pushed(session, connected)
    draft = invoice_delivery.draft_email(session, connected, invoice.id)
    invoice_delivery.send_to_client(session, connected, invoice.id, draft)  # changed here since Xero had it
    invoices.record_payment(session, connected, invoice.id, amount="100.00", paid_on=dt.date.today(),
                            method="bank_transfer", reference="EFT 43")

    tasks.recover()  # the periodic cycle, with nobody pressing Push

    session.expire_all()
    invoice, payment = session.get(Invoice, invoice.id), session.exec(select(Payment)).one()
    assert invoice.sync_status == SyncStatus.SYNCED and invoice.synced_version == invoice.version
    assert payment.sync_status == SyncStatus.SYNCED and payment.sync_error_message is None
    [in_xero] = admin.stored(tenant, "payments")
    assert in_xero["PaymentID"] == payment.xero_payment_id
    assert in_xero["Invoice"]["InvoiceID"] == invoice.xero_invoice_id
    [sent] = [x for x in admin.stored(tenant, "invoices") if x["InvoiceID"] == invoice.xero_invoice_id]
    assert sent["SentToContact"] is True
    assert "automatic: a payment waits for it in Xero" in session.exec(select(AuditEvent.detail).where(
        AuditEvent.action == "xero.push", AuditEvent.target == invoice.number)).all()


def test_a_payment_waiting_on_a_changed_invoice_leaves_it_alone_while_xero_needs_reconnecting(
        session, connected, admin, tenant):
    [invoice] = pushed(session, connected)
    invoice_delivery.send_to_client(session, connected, invoice.id,
                                    invoice_delivery.draft_email(session, connected, invoice.id))
    invoices.record_payment(session, connected, invoice.id, amount="100.00", paid_on=dt.date.today(),
                            method="bank_transfer")
    session.exec(select(XeroConnection)).one().status = ConnectionStatus.NEEDS_RECONNECT
    session.commit()

    xero_sync.payments_run(session, connected.business_id)  # as a Stripe webhook asks for it

    session.expire_all()
    assert session.get(Invoice, invoice.id).sync_status == SyncStatus.NOT_SYNCED  # not Pending, nor Error


def test_without_a_payment_account_the_payment_stays_unsynced_and_names_the_setting(session, connected, admin, tenant):
    [invoice] = pushed(session, connected)
    session.get(XeroSettings, connected.business_id).payment_account = None
    session.commit()
    invoices.record_payment(session, connected, invoice.id, amount=str(invoice.total), paid_on=dt.date.today(),
                            method="cash")

    tasks.recover()

    session.expire_all()
    payment = session.exec(select(Payment)).one()
    assert payment.sync_status == SyncStatus.NOT_SYNCED
    assert payment.sync_error_message == ("Not sent to Xero: choose the Payment account for manual payments in "
                                          "Business Settings → Xero.")
    assert admin.stored(tenant, "payments") == []


def test_sync_all_brings_in_payments_made_in_xero_and_flags_invoices_voided_there(session, connected, admin):
    paid_there, voided_there = pushed(session, connected, 2)
    from xero_python.accounting import Invoice as XeroInvoice
    from xero_python.accounting import Invoices

    from myapprentice_app.integrations.xero import tokens
    from myapprentice_app.integrations.xero.client import XeroClient
    from myapprentice_app.integrations.xero.mapping import payment_model
    from myapprentice_app.models import XeroConnection

    connection = session.exec(select(XeroConnection)).one()
    xero = XeroClient(connection.tenant_id, lambda: tokens.valid_token(connected.business_id))
    xero.create_payments([payment_model(paid_there.xero_invoice_id, "090", dt.date.today(), Decimal("50.00"),
                                        "paid in Xero")], "test-payment-1")
    xero.accounting.update_invoice(connection.tenant_id, voided_there.xero_invoice_id,
                                   Invoices(invoices=[XeroInvoice(status="VOIDED")]))

    xero_sync.sync_all(session, connected)

    session.expire_all()
    paid_there = session.get(Invoice, paid_there.id)
    assert paid_there.amount_paid == Decimal("50.00") and paid_there.status == "part_paid"
    [payment] = session.exec(select(Payment).where(Payment.invoice_id == paid_there.id)).all()
    assert payment.source == "xero" and payment.sync_status == SyncStatus.SYNCED
    assert "Voided in Xero" in session.get(Invoice, voided_there.id).xero_drift


def test_a_payment_reaches_xero_once_when_two_runs_of_the_business_sync_payments_at_the_same_moment(
        session, connected, admin, tenant):
    [invoice] = pushed(session, connected)
    invoices.record_payment(session, connected, invoice.id, amount="100.00", paid_on=dt.date.today(),
                            method="bank_transfer")
    both = [SyncRun(business_id=connected.business_id, kind=kind, state=RunState.QUEUED)
            for kind in (RunKind.PAYMENTS, RunKind.SYNC_ALL)]  # e.g. a card webhook's and a person's Sync All
    session.add_all(both)
    session.commit()
    admin.faults(latency_ms=300)  # each call takes long enough for the other run to look meanwhile

    with ThreadPoolExecutor(max_workers=2) as workers:  # two threads of a worker, or two workers
        assert all(workers.map(runs.execute, [run.id for run in both]))

    assert len(admin.stored(tenant, "payments")) == 1
    session.expire_all()
    payment = session.exec(select(Payment)).one()
    assert payment.sync_status == SyncStatus.SYNCED and payment.xero_payment_id


@pytest.mark.parametrize("xero", ["refuses with 429s", "is down"])
def test_a_payment_xero_did_not_take_is_sent_once_on_a_later_cycle(session, connected, admin, tenant, xero):
    [invoice] = pushed(session, connected)
    invoices.record_payment(session, connected, invoice.id, amount="100.00", paid_on=dt.date.today(),
                            method="bank_transfer")
    admin.faults(**({"p_429": 1.0} if xero == "refuses with 429s" else {"p_503": 1.0}))

    tasks.recover()

    assert admin.stored(tenant, "payments") == []
    admin.faults(p_429=0, p_503=0)
    for waiting in session.exec(select(SyncRun).where(SyncRun.state == RunState.WAITING)):
        waiting.next_try_at = dt.datetime.now(dt.UTC)  # its next try has come (30 s on)
    session.commit()
    wait_until(lambda: synced(session), seconds=60, waiting_for="a later cycle to send the payment",
               every=0.5)
    assert len(admin.stored(tenant, "payments")) == 1


def synced(session) -> bool:  # type: ignore[no-untyped-def]
    tasks.recover()
    session.expire_all()
    return session.exec(select(Payment)).one().sync_status == SyncStatus.SYNCED


@pytest.mark.usefixtures("app_on_postgres")  # before `session`, which then opens on PostgreSQL
def test_on_postgresql_a_full_card_refund_landing_while_xero_takes_the_payment_is_reversed_there(
        session, connected, admin, tenant):
    assert session.get_bind().dialect.name == "postgresql"
    [invoice] = pushed(session, connected)
    account = StripeAccount(business_id=connected.business_id, account_id="acct_refund", status="connected")
    session.add(account)
    session.commit()
    stripe_payments.settle(session, account, card_payment(invoice.id, "pi_refunded", 10000))
    session.commit()
    run = SyncRun(business_id=connected.business_id, kind=RunKind.PAYMENTS, state=RunState.QUEUED)
    session.add(run)
    session.commit()
    admin.faults(latency_ms=1500)  # Xero takes its time to answer

    sending = threading.Thread(target=runs.execute, args=(run.id,))
    sending.start()
    wait_until(claimed, seconds=10, waiting_for="the payment to leave for Xero", every=0.02)
    with Session(get_engine()) as webhook:  # the whole payment is refunded while Xero answers
        stripe_payments.settle(webhook, account, card_payment(invoice.id, "pi_refunded", 10000, refunded=10000))
        time.sleep(2.5)  # Xero's answer arrives meanwhile
        webhook.commit()
    sending.join(timeout=30)
    admin.faults(latency_ms=0)

    wait_until(lambda: reversed_in_xero(admin, tenant), seconds=30,
               waiting_for="the payment Xero took to be deleted there")


def claimed() -> bool:
    with Session(get_engine()) as session:
        return session.exec(select(Payment)).one().sync_status == SyncStatus.PENDING


def reversed_in_xero(admin, tenant) -> bool:  # type: ignore[no-untyped-def]
    tasks.recover()
    return [payment["Status"] for payment in admin.stored(tenant, "payments")] == ["DELETED"]


def test_sync_all_does_not_count_again_a_payment_of_ours_whose_answer_from_xero_is_not_recorded_yet(
        session, connected, admin):
    [invoice] = pushed(session, connected)
    ours = invoices.record_payment(session, connected, invoice.id, amount="100.00", paid_on=dt.date.today(),
                                   method="bank_transfer")
    ours.sync_status = SyncStatus.PENDING  # another run is sending it: Xero has it, its answer is on the way
    session.commit()
    connection = session.exec(select(XeroConnection)).one()
    xero = XeroClient(connection.tenant_id, lambda: tokens.valid_token(connected.business_id))
    xero.create_payments([payment_model(invoice.xero_invoice_id, "090", dt.date.today(), Decimal("100.00"),
                                        reference_for(ours))], "test-payment-ours")

    xero_sync.sync_all(session, connected)

    session.expire_all()
    assert session.get(Invoice, invoice.id).amount_paid == Decimal("100.00")
    assert len(session.exec(select(Payment)).all()) == 1


def test_voiding_here_an_invoice_paid_in_xero_says_why_xero_refuses_and_what_to_do(session, connected, admin):
    [invoice] = pushed(session, connected)
    connection = session.exec(select(XeroConnection)).one()
    xero = XeroClient(connection.tenant_id, lambda: tokens.valid_token(connected.business_id))
    xero.create_payments([payment_model(invoice.xero_invoice_id, "090", dt.date.today(), Decimal("50.00"),
                                        "paid in Xero")], "test-payment-void")

    invoices.void_invoice(session, connected, invoice.id)
    xero_sync.push_invoice(session, connected, invoice.id)

    session.expire_all()
    refused = session.get(Invoice, invoice.id)
    assert refused.sync_status == SyncStatus.ERROR
    assert refused.sync_error_message.startswith("Xero can't void this invoice: it has payments or credit notes")


def paid_in_xero_directly(session, actor, invoice: Invoice, amount: str) -> tuple[XeroClient, str]:
    connection = session.exec(select(XeroConnection)).one()
    xero = XeroClient(connection.tenant_id, lambda: tokens.valid_token(actor.business_id))
    [made] = xero.create_payments([payment_model(invoice.xero_invoice_id, "090", dt.date.today(), Decimal(amount),
                                                 "paid in Xero")], f"test-{invoice.id}").payments()
    return xero, made.xero_id or ""


def test_sync_all_removes_a_payment_made_in_xero_once_it_is_deleted_there_and_the_invoice_is_owed_again(
        session, connected):
    [invoice] = pushed(session, connected)
    xero, payment_id = paid_in_xero_directly(session, connected, invoice, "50.00")
    xero_sync.sync_all(session, connected)
    session.refresh(invoice)
    assert invoice.amount_paid == Decimal("50.00")

    xero.delete_payment(payment_id)
    xero_sync.sync_all(session, connected)

    session.expire_all()
    invoice = session.get(Invoice, invoice.id)
    assert invoice.amount_paid == 0 and invoice.status == "authorised"
    assert session.exec(select(Payment)).all() == []


def test_sync_all_flags_a_payment_recorded_here_that_was_deleted_in_xero_and_never_sends_it_again(
        session, connected, admin, tenant):
    [invoice] = pushed(session, connected)
    invoices.record_payment(session, connected, invoice.id, amount="100.00", paid_on=dt.date.today(),
                            method="bank_transfer")
    tasks.recover()
    session.expire_all()
    payment = session.exec(select(Payment)).one()
    connection = session.exec(select(XeroConnection)).one()
    XeroClient(connection.tenant_id, lambda: tokens.valid_token(connected.business_id)).delete_payment(
        payment.xero_payment_id)

    xero_sync.sync_all(session, connected)
    xero_sync.sync_all(session, connected)
    tasks.recover()

    session.expire_all()
    invoice = session.get(Invoice, invoice.id)
    assert invoice.xero_drift.startswith("Xero no longer has the payment of $100.00 recorded here")
    assert invoice.amount_paid == Decimal("100.00")  # the record here stays
    assert session.get(Payment, payment.id).sync_error_message == "Deleted in Xero; still recorded here."
    assert [p["Status"] for p in admin.stored(tenant, "payments")] == ["DELETED"]  # not sent again

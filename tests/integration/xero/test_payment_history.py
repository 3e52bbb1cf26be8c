"""What the invoice shows about its payments (issue 10, point 8): each payment's sync is in the invoice's sync
history, and a payment held back for want of a payment account says which setting and who can choose it."""

from __future__ import annotations

import datetime as dt

from sqlmodel import select

from myapprentice_app.domain.roles import Role
from myapprentice_app.jobs import tasks
from myapprentice_app.models import Invoice, SyncRun, XeroSettings
from myapprentice_app.selectors.invoice_detail import invoice_detail
from myapprentice_app.selectors.sync import xero_panel
from myapprentice_app.services import invoices, xero_settings, xero_sync
from myapprentice_app.services.xero_settings import SETTING_FIELDS

from .conftest import make_invoices

TODAY = dt.date.today()


def synced_invoice(session, actor) -> Invoice:
    [invoice_id] = make_invoices(session, actor.business_id, 1, clients=1)
    xero_sync.push_invoice(session, actor, invoice_id)
    session.expire_all()
    return session.get(Invoice, invoice_id)


def payment_history(session, actor, invoice_id: int) -> list[tuple[str, str]]:
    return [(row.outcome, row.sent) for row in xero_panel(session, actor, invoice_id).history
            if row.action == "payment"]


def test_a_payment_created_in_xero_appears_in_the_invoices_sync_history(session, connected):
    invoice = synced_invoice(session, connected)
    invoices.record_payment(session, connected, invoice.id, amount="100.00", paid_on=TODAY, method="bank_transfer")

    tasks.recover()  # the periodic payment cycle

    assert payment_history(session, connected, invoice.id) == [
        ("synced", f"Payment of $100.00 on {TODAY:%d %b %Y}: created in Xero")]
    [row] = [row for row in xero_panel(session, connected, invoice.id).history if row.action == "payment"]
    assert '"PaymentID"' in row.answer and row.key  # Xero's answer and the request's Idempotency-Key


def test_a_payment_xero_refuses_appears_in_the_history_with_xeros_reason(session, connected, admin, tenant):
    invoice = synced_invoice(session, connected)
    session.get(XeroSettings, connected.business_id).payment_account = "200"  # a sales account, since changed
    session.commit()
    invoices.record_payment(session, connected, invoice.id, amount="50.00", paid_on=TODAY, method="cash")

    tasks.recover()

    [(outcome, sent)] = payment_history(session, connected, invoice.id)
    assert outcome == "error" and sent.startswith(f"Payment of $50.00 on {TODAY:%d %b %Y}: Xero refused this payment")
    assert admin.stored(tenant, "payments") == []
    [row] = invoice_detail(session, connected, invoice.id).payments
    assert row.sync_label == "Error" and row.sync_message.startswith("Xero refused this payment")


def test_a_refused_payment_is_not_sent_again_every_cycle_but_goes_once_the_xero_settings_are_saved(
        session, connected, admin, tenant):
    invoice = synced_invoice(session, connected)
    settings = session.get(XeroSettings, connected.business_id)
    settings.payment_account = "200"  # a sales account, since changed
    session.commit()
    invoices.record_payment(session, connected, invoice.id, amount="50.00", paid_on=TODAY, method="cash")
    tasks.recover()
    tasks.recover()  # a second cycle: nothing has changed, so nothing is sent again
    assert [outcome for outcome, _ in payment_history(session, connected, invoice.id)] == ["error"]

    values = {name: getattr(settings, name) or "" for name in SETTING_FIELDS}
    xero_settings.save_settings(session, connected, {**values, "payment_account": "090"}, {})
    tasks.recover()

    history = [outcome for outcome, _ in payment_history(session, connected, invoice.id)]
    assert history == ["synced", "error"]  # newest first
    [in_xero] = admin.stored(tenant, "payments")
    assert in_xero["Account"]["Code"] == "090"


def test_without_a_payment_account_the_row_names_the_setting_and_who_can_choose_it(session, connected, make_actor):
    invoice = synced_invoice(session, connected)
    session.get(XeroSettings, connected.business_id).payment_account = None
    session.commit()
    invoices.record_payment(session, connected, invoice.id, amount="80.00", paid_on=TODAY, method="cash")

    tasks.recover()
    tasks.recover()  # a second cycle finds the same: the history says it once

    finance, supervisor = make_actor(Role.FINANCE), make_actor(Role.SUPERVISOR)
    [row] = invoice_detail(session, finance, invoice.id).payments
    assert (row.sync_label, row.sync_message) == (
        "Not synced", "Not sent to Xero: choose the Payment account for manual payments in Business Settings → Xero.")
    [row] = invoice_detail(session, supervisor, invoice.id).payments
    assert row.sync_message == ("Not sent to Xero: the Payment account for manual payments isn't chosen. Ask your "
                                "Business Owner, Office Admin or Finance to choose it in Business Settings → Xero.")
    assert payment_history(session, supervisor, invoice.id) == [
        ("error", f"Payment of $80.00 on {TODAY:%d %b %Y}: Not sent to Xero: choose the Payment account for manual "
                  "payments in Business Settings → Xero.")]


def test_the_message_shows_before_any_cycle_has_run(session, connected):
    invoice = synced_invoice(session, connected)
    session.get(XeroSettings, connected.business_id).payment_account = None
    session.commit()

    invoices.record_payment(session, connected, invoice.id, amount="80.00", paid_on=TODAY, method="cash")

    [row] = invoice_detail(session, connected, invoice.id).payments
    assert "choose the Payment account for manual payments" in row.sync_message


def test_a_payment_refused_or_held_back_starts_no_payments_run_every_minute(session, connected):
    invoice = synced_invoice(session, connected)
    session.get(XeroSettings, connected.business_id).payment_account = "200"  # Xero refuses payments to it
    session.commit()
    invoices.record_payment(session, connected, invoice.id, amount="10.00", paid_on=TODAY, method="cash")
    [held_back] = make_invoices(session, connected.business_id, 1, clients=1, prefix="NOT-YET-")  # not in Xero
    invoices.record_payment(session, connected, held_back, amount="10.00", paid_on=TODAY, method="cash")
    tasks.recover()  # one refused, the other held back until its invoice is in Xero

    for _ in range(3):
        tasks.recover()

    runs = session.exec(select(SyncRun).where(SyncRun.kind == "payments")).all()
    assert len(runs) == 1

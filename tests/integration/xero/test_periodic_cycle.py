"""The minute-ly payment cycle is queued by every worker's scheduler; across workers it runs once a minute."""

from __future__ import annotations

import datetime as dt
import time

from sqlmodel import select

from myapprentice_app.domain.sync_states import RunKind
from myapprentice_app.jobs import tasks
from myapprentice_app.models import SyncRun, XeroSettings
from myapprentice_app.services import invoices

from .test_payments_and_sync_all import pushed


def test_the_payment_cycle_queued_by_two_workers_in_one_minute_runs_once(session, connected):
    [invoice] = pushed(session, connected)
    session.get(XeroSettings, connected.business_id).payment_account = None  # so every cycle finds work left
    session.commit()
    invoices.record_payment(session, connected, invoice.id, amount=str(invoice.total), paid_on=dt.date.today(),
                            method="cash")
    while time.time() % 60 > 58:  # both within one minute, as two schedulers queue it at the minute's start
        time.sleep(0.2)

    tasks.recover_and_sync_payments()  # queued by one worker's scheduler
    tasks.recover_and_sync_payments()  # and by the other's

    session.expire_all()
    cycles = session.exec(select(SyncRun).where(SyncRun.kind == RunKind.PAYMENTS)).all()
    assert len(cycles) == 1, "one payment cycle this minute, not one per worker"

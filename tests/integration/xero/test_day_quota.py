"""Issue #13.4: the day's quota is visible (the board and the Xero tab) and respected: a Send all bigger than
what is left today takes what fits and leaves the rest queued for after Xero's reset, with Xero's Starter quota
of 1,000 calls a day."""

from __future__ import annotations

import datetime as dt

from sqlmodel import func, select

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.xero_limits import day_quota_line
from myapprentice_app.jobs import tasks
from myapprentice_app.models import Invoice, SyncRun, XeroBudget
from myapprentice_app.selectors.board import live_board
from myapprentice_app.services import xero_connection, xero_sync

from .conftest import make_invoices, worker_busy

STARTER_DAY_LIMIT = 1000


def statuses(session, business_id: int) -> dict[str, int]:
    session.expire_all()
    rows = session.exec(select(Invoice.sync_status, func.count()).where(Invoice.business_id == business_id)
                        .group_by(Invoice.sync_status)).all()
    return {status: count for status, count in rows}


def day_left(admin, tenant: str) -> int:
    """Xero's own count of the organisation's calls left today, read with a call of its own (the last)."""
    headers = {"Authorization": f"Bearer {admin.token(tenant)['access_token']}", "xero-tenant-id": tenant}
    return int(admin.http.get("/api.xro/2.0/Organisation", headers=headers).headers["X-DayLimit-Remaining"])


def spend_the_day_down_to(admin, tenant: str, calls_left: int) -> None:
    """Another app connected to the organisation uses its quota: reads until Xero says `calls_left` remain."""
    headers = {"Authorization": f"Bearer {admin.token(tenant)['access_token']}", "xero-tenant-id": tenant}
    while True:
        reply = admin.http.get("/api.xro/2.0/Organisation", headers=headers)
        assert reply.status_code == 200, reply.text
        if int(reply.headers["X-DayLimit-Remaining"]) <= calls_left:
            break
        if reply.headers["X-MinLimit-Remaining"] == "0":
            admin.post("clock", {"advance_seconds": 60})  # the next minute of Xero's clock
    admin.post("clock", {"advance_seconds": 60})  # a fresh minute for the app's own calls


def test_a_send_all_bigger_than_todays_quota_sends_what_fits_and_queues_the_rest_for_after_xeros_reset(
        session, connected, admin, tenant):
    admin.faults(unique_numbers=False, rate_limits="real", day_limit=STARTER_DAY_LIMIT)
    make_invoices(session, connected.business_id, 50, clients=2, prefix="DQA-")
    xero_sync.send_all(session, connected)
    seen = xero_connection.connection_view(session, connected).day_quota
    assert seen == day_quota_line(day_left(admin, tenant) + 1)  # as Xero said before this look at it

    spend_the_day_down_to(admin, tenant, 4)
    make_invoices(session, connected.business_id, 300, clients=3, prefix="DQB-")
    run_id, _ = xero_sync.send_all(session, connected)

    counts = statuses(session, connected.business_id)
    sent_today = counts[SyncStatus.SYNCED] - 50
    assert 0 < sent_today < 300 and counts.get(SyncStatus.ERROR, 0) == 0
    assert counts[SyncStatus.PENDING] == 300 - sent_today
    run = session.get(SyncRun, run_id)
    session.refresh(run)
    assert run.state == "waiting" and run.next_try_at > dt.datetime.now(dt.UTC) + dt.timedelta(hours=23)
    board = live_board(session, connected)
    assert board.quota_day == "0"
    assert board.quota_note == (f"Today's Xero quota took {sent_today} of the 300 invoices; the other "
                                f"{300 - sent_today} go after Xero's reset — next try at {run.next_try_at:%H:%M} UTC.")
    assert xero_connection.connection_view(session, connected).day_quota.startswith("Xero calls left today: 0 ")

    admin.post("clock", {"advance_seconds": 86_400})  # Xero's day is over...
    run.next_try_at = dt.datetime.now(dt.UTC)  # ...and ours: the wait Xero named has passed
    session.get(XeroBudget, tenant).blocked_until = 0.0
    session.commit()
    tasks.recover()

    assert statuses(session, connected.business_id) == {SyncStatus.SYNCED: 350}
    assert {number: len(found) for number, found in admin.invoices_numbered(tenant).items()
            if number.startswith("DQB-")} == {f"DQB-{n:05d}": 1 for n in range(1, 301)}



def test_while_a_send_all_waits_its_turn_the_board_says_how_many_of_its_invoices_todays_quota_fits(
        session, connected, admin, tenant):
    admin.faults(unique_numbers=False, rate_limits="real", day_limit=STARTER_DAY_LIMIT)
    first = make_invoices(session, connected.business_id, 1, clients=1, prefix="DQC-")[0]
    xero_sync.push_invoice(session, connected, first)  # the app's first calls of the day
    spend_the_day_down_to(admin, tenant, 9)
    second = make_invoices(session, connected.business_id, 1, clients=1, prefix="DQD-")[0]
    xero_sync.push_invoice(session, connected, second)  # Xero's answers tell the app what is left
    left = day_left(admin, tenant) + 1
    make_invoices(session, connected.business_id, 300, clients=3, prefix="DQE-")

    with worker_busy():
        xero_sync.send_all(session, connected)
        board = live_board(session, connected)

    assert 1 < left < 7
    assert board.quota_day == str(left)
    assert board.quota_note == (f"Today's Xero quota ({left} calls) fits about {(left - 1) * 50} of the 300 "
                                f"invoices; the rest go after Xero's reset.")


def test_a_day_old_word_from_xero_on_todays_quota_is_not_shown_as_today(session, connected, admin, tenant):
    admin.faults(rate_limits="real", day_limit=STARTER_DAY_LIMIT)
    [invoice_id] = make_invoices(session, connected.business_id, 1, clients=1, prefix="DQD-")
    xero_sync.push_invoice(session, connected, invoice_id)
    assert xero_connection.connection_view(session, connected).day_quota.startswith("Xero calls left today: ")

    session.expire_all()
    budget = session.get(XeroBudget, tenant)
    budget.day_remaining_at -= 86_400  # a day later, with no call since: Xero's day has reset
    session.commit()

    assert xero_connection.connection_view(session, connected).day_quota == ""

"""The sync board's read side and Retry failed (issue 12, point 6), against the Xero sandbox."""

from __future__ import annotations

import pytest
from sqlmodel import select

from myapprentice_app.domain.invoice_status import SyncStatus
from myapprentice_app.domain.roles import Role
from myapprentice_app.models import Invoice, SyncRunItem, XeroBudget, XeroConnection
from myapprentice_app.selectors.board import live_board, run_history, run_outcome
from myapprentice_app.services import sync_retry, xero_sync
from myapprentice_app.services.errors import ActionRefused, NotFound

from .conftest import make_invoices, worker_busy


def _writes(admin) -> int:
    return admin.calls("PUT /Invoices") + admin.calls("POST /Invoices")


def test_a_business_that_never_synced_has_an_empty_board_and_no_history(session, connected):
    board = live_board(session, connected)
    assert board.run_id == 0 and not board.active and board.summary == ""
    assert run_history(session, connected) == []


def test_a_queued_send_all_shows_every_invoice_pending_and_no_quota_xero_has_not_given(session, connected):
    ids = make_invoices(session, connected.business_id, 3, clients=1)
    tenant = session.exec(select(XeroConnection.tenant_id)).one()
    budget = session.get(XeroBudget, tenant)
    if budget is not None:
        budget.minute_remaining = budget.day_remaining = None  # as before Xero's first answer
    session.commit()
    with worker_busy():
        xero_sync.send_all(session, connected)
        board = live_board(session, connected)
        assert board.active and board.kind == "Send all" and board.state == "queued"
        assert (board.total, board.done, board.pending, board.percent) == (3, 0, 3, 0)
        assert [chip.invoice_id for chip in board.chips] == ids
        assert {chip.outcome for chip in board.chips} == {"pending"}
        assert board.quota_minute == board.quota_day == "" and board.eta == ""
        assert board.started_by == connected.name
        session.commit()  # the worker runs when the block ends


def test_a_finished_send_all_collapses_to_one_line_with_its_totals_and_xeros_quota(session, connected, admin):
    ids = make_invoices(session, connected.business_id, 3, clients=1)
    session.get(Invoice, ids[1]).number = "INV-0001"  # the sandbox's own first invoice has this number
    session.commit()

    xero_sync.send_all(session, connected)

    board = live_board(session, connected)
    assert not board.active and board.state == "done" and board.percent == 100
    assert (board.synced, board.failed, board.pending) == (2, 1, 0)
    assert board.summary == "Last Send all: 2 synced, 1 error — just now"
    assert {chip.number: chip.outcome for chip in board.chips}["INV-0001"] == "error"
    tenant = session.exec(select(XeroConnection.tenant_id)).one()
    budget = session.get(XeroBudget, tenant)
    assert budget is not None and budget.minute_remaining is not None  # Xero's headers said so
    assert board.quota_minute == str(budget.minute_remaining) and board.quota_day == str(budget.day_remaining)


def test_retry_failed_pushes_again_only_the_invoices_left_in_error(session, connected, admin, tenant):
    ids = make_invoices(session, connected.business_id, 4, clients=1)
    session.get(Invoice, ids[2]).number = "INV-0001"
    session.commit()
    first, _ = xero_sync.send_all(session, connected)
    session.expire_all()
    session.get(Invoice, ids[2]).number = "MA-09999"  # fixed by hand, still in Error until pushed
    session.commit()
    before = _writes(admin)

    retry, count = sync_retry.retry_failed(session, connected, first)

    session.expire_all()
    assert count == 1
    assert session.exec(select(SyncRunItem.invoice_id).where(SyncRunItem.run_id == retry)).all() == [ids[2]]
    assert session.get(Invoice, ids[2]).sync_status == SyncStatus.SYNCED
    assert _writes(admin) == before + 1
    assert "MA-09999" in {invoice["InvoiceNumber"] for invoice in admin.stored(tenant, "invoices")}
    with pytest.raises(ActionRefused, match="No invoice of that run is in Error"):
        sync_retry.retry_failed(session, connected, first)


def test_retry_failed_refuses_another_businesss_run(session, connected, make_actor):
    make_invoices(session, connected.business_id, 1, clients=1)
    run, _ = xero_sync.send_all(session, connected)
    from myapprentice_app.models import Business, Membership
    from myapprentice_app.services import auth

    other = Business(name="Other Co")
    session.add(other)
    session.commit()
    user = auth.create_user(session, email="owner@other.test", name="Other Owner", password="correct-horse-battery")
    session.add(Membership(user_id=user.id or 0, business_id=other.id or 0, role=Role.OWNER.value))
    session.commit()
    stranger = auth.resolve(session, auth.log_in(session, email="owner@other.test",
                                                 password="correct-horse-battery").token)
    assert stranger is not None
    with pytest.raises(NotFound):
        sync_retry.retry_failed(session, stranger, run)
    with pytest.raises(NotFound):
        run_outcome(session, stranger, run)


def test_run_history_lists_past_runs_newest_first_each_opening_its_outcome(session, connected):
    ids = make_invoices(session, connected.business_id, 2, clients=1)
    send_all, _ = xero_sync.send_all(session, connected)
    xero_sync.sync_all(session, connected)

    history = run_history(session, connected)

    assert [row.kind for row in history] == ["Sync All", "Send all"]
    assert history[1].who == connected.name and history[1].totals == "2 synced, 0 errors"
    assert history[1].took.endswith(" s") and history[1].when
    outcome = run_outcome(session, connected, send_all)
    assert outcome.title.startswith("Send all · ")
    assert [(chip.invoice_id, chip.outcome) for chip in outcome.chips] == [(ids[0], "synced"), (ids[1], "synced")]

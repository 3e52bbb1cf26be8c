"""Two payment cycles of one business asked for at the same moment (a Stripe webhook and the periodic cycle, say),
on SQLite and on PostgreSQL: the second waits for the first and finds its run, so the business gets one run."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlmodel import Session, func, select

import myapprentice_app.jobs.tasks  # noqa: F401 (registers the run task a payment cycle queues)
from myapprentice_app.db import get_engine, locked
from myapprentice_app.domain.sync_states import RunKind
from myapprentice_app.jobs.huey_app import huey
from myapprentice_app.models import Business, SyncRun
from myapprentice_app.services import xero_sync
from myapprentice_app.services.principal import Principal
from tests.support.concurrently import in_own_session, while_held


@pytest.fixture(autouse=True)
def queued_tasks_run_at_once() -> Iterator[None]:
    huey.immediate = True
    yield
    huey.immediate = False


def test_two_payment_cycles_asked_for_at_once_make_one_run(make_owner: Callable[[str], Principal]) -> None:
    business_id = make_owner("owner@cycles.test").business_id

    def first_cycle(session: Session) -> None:  # as payments_run does, its run not committed yet
        locked(session, Business, business_id)
        session.add(SyncRun(business_id=business_id, kind=RunKind.PAYMENTS))
        session.flush()

    [second] = while_held(first_cycle, in_own_session(lambda session: xero_sync.payments_run(session, business_id)))

    assert second is None  # it found the first cycle's run
    with Session(get_engine()) as session:
        assert session.exec(select(func.count()).select_from(SyncRun)).one() == 1

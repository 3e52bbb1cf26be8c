"""The per-organisation RateBudget: five slots and sixty calls a minute shared by every worker, and a 429 that
holds everyone up; nobody waits past what they can afford."""

from __future__ import annotations

import time

import pytest

from myapprentice_app.domain.xero_limits import CONCURRENT, MINUTE_LIMIT
from myapprentice_app.sync.budget import RateBudget, WaitForXero

TENANT = "budget-test-organisation"


def test_a_sixth_call_at_once_waits_for_a_slot_and_gets_one_when_a_call_ends(session):
    budget = RateBudget(TENANT)
    slots = [budget.take(longest_wait=1) for _ in range(CONCURRENT)]
    assert len({slot.number for slot in slots}) == CONCURRENT

    with pytest.raises(WaitForXero) as busy:
        RateBudget(TENANT).take(longest_wait=0.2)
    assert busy.value.problem == "concurrent"

    budget.give_back(slots.pop(), day_remaining=4990, minute_remaining=55)
    slots.append(RateBudget(TENANT).take(longest_wait=1))
    assert len({slot.number for slot in slots}) == CONCURRENT
    for slot in slots:
        budget.give_back(slot)


def test_the_sixty_first_call_of_a_minute_is_told_to_come_back_when_the_window_ends(session):
    budget = RateBudget(TENANT)
    for _ in range(MINUTE_LIMIT):
        budget.give_back(budget.take(longest_wait=1))

    with pytest.raises(WaitForXero) as spent:
        budget.take(longest_wait=1)
    assert spent.value.problem == "minute"
    assert 1 < spent.value.until - time.time() <= 61
    assert budget.calls_left_this_minute() == 0


def test_a_429_for_the_day_holds_every_worker_until_its_retry_after(session):
    RateBudget(TENANT).refused(retry_after=3600, problem="day")

    with pytest.raises(WaitForXero) as held:
        RateBudget(TENANT).take(longest_wait=5)
    assert held.value.problem == "day"
    assert 3500 < held.value.until - time.time() <= 3600

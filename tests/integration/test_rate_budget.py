"""The per-organisation call budget: five slots shared by every sender of every worker."""

from __future__ import annotations

import threading

from myapprentice_app.sync import budget

TENANT = "budget-test-organisation"


def test_senders_waiting_for_their_first_request_leave_the_slots_to_the_call_they_wait_on(session):
    # Five senders are started while the contacts are still being made; the contact call (and any retry of
    # it) must still find a slot, or the senders would wait for it forever.
    waiting, release = threading.Barrier(budget.CONCURRENT + 1), threading.Event()

    def sender() -> None:
        with budget.keep_slot(TENANT):
            waiting.wait(timeout=10)
            release.wait(timeout=30)

    senders = [threading.Thread(target=sender) for _ in range(budget.CONCURRENT)]
    for thread in senders:
        thread.start()
    waiting.wait(timeout=10)
    calls_made: list[int] = []

    def contact_call_and_its_retry() -> None:
        for _ in range(2):
            with budget.call_slot(TENANT):
                calls_made.append(1)

    contacts = threading.Thread(target=contact_call_and_its_retry, daemon=True)
    contacts.start()
    contacts.join(timeout=10)
    made_while_senders_waited = len(calls_made)
    release.set()
    for thread in senders:
        thread.join(timeout=10)
    assert not any(thread.is_alive() for thread in senders), "a sender never gave its slot back"

    assert made_while_senders_waited == 2

"""The sandbox counts a call's latency from its arrival, even while it is busy answering another call.

Checked by order on the sandbox's own clock, not by a window of wall-clock time: the first call's work
blocks the sandbox's loop until every call has been stamped, which only a server that notes arrivals
while its app works can do.
"""

from __future__ import annotations

import threading
import time

import httpx

from myapprentice_app.sandbox.xero.arrival import ARRIVED, ArrivalClock
from tests.support.waiting import served_in_a_thread

CALLS = 3


def test_calls_arriving_while_the_sandbox_works_on_another_are_stamped_before_that_work_ends():
    arrivals: list[float] = []
    first_work_ended: list[float] = []
    others_stamped_meanwhile: list[bool] = []
    every_call_stamped = threading.Event()
    stamped = 0

    async def busy_app(scope, receive, send):  # works out each answer the way the sandbox does: in one go
        if scope["type"] != "http":
            return
        arrivals.append(scope[ARRIVED])
        if len(arrivals) == 1:  # blocks its loop, as the sandbox's handlers do, until the others are stamped
            others_stamped_meanwhile.append(every_call_stamped.wait(timeout=10))
            first_work_ended.append(time.monotonic())
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    clock = ArrivalClock(busy_app)

    async def counting_stamps(scope, receive, send):  # on the server's loop, around the clock
        noted = False

        async def receive_once_stamped():  # the clock stamps a call before it reads the call's body
            nonlocal noted, stamped
            if not noted and ARRIVED in scope:
                noted, stamped = True, stamped + 1
                if stamped == CALLS:
                    every_call_stamped.set()
            return await receive()

        await clock(scope, receive_once_stamped, send)

    answers: list[int] = []
    with served_in_a_thread(counting_stamps, name="the arrival clock", lifespan="off") as base_url:
        calls = [threading.Thread(target=lambda: answers.append(httpx.get(base_url, timeout=30).status_code))
                 for _ in range(CALLS)]
        for call in calls:
            call.start()
        for call in calls:
            call.join(timeout=30)

    assert answers == [200] * CALLS
    assert others_stamped_meanwhile == [True], "the other calls were not read while the sandbox worked on the first"
    assert max(arrivals) < first_work_ended[0], "a call was stamped when the sandbox got to it, not on arrival"

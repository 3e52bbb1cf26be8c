"""The sandbox counts a call's latency from its arrival, even while it is busy answering another call."""

from __future__ import annotations

import threading
import time

import httpx
import uvicorn

from myapprentice_app.sandbox.xero.arrival import ARRIVED, ArrivalClock
from tests.support.app_process import free_port

WORK_SECONDS = 0.1


def test_calls_arriving_while_the_sandbox_works_on_another_are_stamped_when_they_arrive():
    arrivals: list[float] = []

    async def busy_app(scope, receive, send):  # works out each answer the way the sandbox does: in one go
        if scope["type"] != "http":
            return
        arrivals.append(scope[ARRIVED])
        time.sleep(WORK_SECONDS)  # blocks its loop, as the sandbox's handlers do
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(ArrivalClock(busy_app), host="127.0.0.1", port=port,
                                           log_level="warning", lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.01)
    try:
        answers: list[int] = []
        calls = [threading.Thread(target=lambda: answers.append(
            httpx.get(f"http://127.0.0.1:{port}/", timeout=5).status_code)) for _ in range(3)]
        for call in calls:
            call.start()
        for call in calls:
            call.join()
    finally:
        server.should_exit = True

    assert answers == [200, 200, 200]
    # Answered one after another (0.1 s each), but all three were stamped on arrival, together.
    assert max(arrivals) - min(arrivals) < WORK_SECONDS / 2

"""Serve the sandbox so that a call's latency counts from the moment it arrives.

The sandbox is one process. While it works out one answer (a batch of 50 invoices takes a few ms), calls
that arrive meanwhile would sit unseen in the socket, and each would take latency_ms plus that wait: five
concurrent calls would finish tens of ms apart although Xero serves them side by side. So uvicorn's loop
only moves bytes and notes each arrival (`ARRIVED`), and the app runs on a loop of its own in one thread:
every line of sandbox code still runs on that one thread, as before, and needs no locks.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Awaitable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ARRIVED = "sandbox.arrived"  # scope key: time.monotonic() when the request reached the server


class ArrivalClock:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()
        threading.Thread(target=self.loop.run_forever, name="sandbox-app", daemon=True).start()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        scope[ARRIVED] = time.monotonic()
        server = asyncio.get_running_loop()
        # Each hand-over between the loops costs a wake-up of the other thread, so the request body is read
        # here before the app runs, and a response's start goes over together with its (first) body.
        ahead = [await _whole_body(receive)] if scope["type"] == "http" else []
        held: list[Message] = []

        async def app_receive() -> Message:
            return ahead.pop() if ahead else await _on(server, receive())

        async def app_send(message: Message) -> None:
            held.append(message)
            if message["type"] != "http.response.start":
                await _on(server, _send_all(send, held[:]))
                held.clear()

        await _on(self.loop, self.app(scope, app_receive, app_send))


async def _whole_body(receive: Receive) -> Message:
    message = await receive()
    if message["type"] != "http.request":
        return message
    body = bytearray(message.get("body", b""))
    while message.get("more_body"):
        message = await receive()
        if message["type"] != "http.request":
            return message  # the client went away mid-body: the app sees that
        body += message.get("body", b"")
    return {"type": "http.request", "body": bytes(body), "more_body": False}


async def _send_all(send: Send, messages: list[Message]) -> None:
    for message in messages:
        await send(message)


async def _on(loop: asyncio.AbstractEventLoop, work: Awaitable[Any]) -> Any:
    """Run `work` on `loop` (another thread's) and wait for it without blocking the current loop."""
    return await asyncio.wrap_future(asyncio.run_coroutine_threadsafe(_awaited(work), loop))


async def _awaited(work: Awaitable[Any]) -> Any:
    return await work

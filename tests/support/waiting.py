"""Every wait in the tests has a deadline and says what it was waiting for when the deadline passes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import uvicorn

from tests.support.app_process import free_port

T = TypeVar("T")


class WaitedTooLong(AssertionError):
    """A condition a test waited for did not come true in time."""


def wait_until(condition: Callable[[], T], *, seconds: float, waiting_for: str, every: float = 0.05) -> T:
    """Poll `condition` until it returns something truthy, and return that; fail after `seconds`."""
    deadline = time.monotonic() + seconds
    while not (outcome := condition()):
        if time.monotonic() > deadline:
            raise WaitedTooLong(f"waited {seconds:g} s for {waiting_for}")
        time.sleep(every)
    return outcome


@contextmanager
def served_in_a_thread(app: Any, *, name: str, seconds: float = 15, **config: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on a free port in a daemon thread; yields its base URL.

    Fails within `seconds` if the server does not start (or at once if its thread dies while starting).
    """
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           access_log=False, **config))
    thread = threading.Thread(target=server.run, name=f"{name} on {port}", daemon=True)
    thread.start()
    try:
        wait_until(lambda: server.started or not thread.is_alive(), seconds=seconds, every=0.02,
                   waiting_for=f"{name} to start on port {port}")
        if not server.started:
            raise RuntimeError(f"{name} stopped while starting on port {port} (its error is in the log above)")
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=5)

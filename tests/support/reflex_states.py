"""A tab's Reflex state tree, for calling handlers directly the way a (crafted) websocket event would."""

from __future__ import annotations

import asyncio
import contextvars
from concurrent.futures import ThreadPoolExecutor

import reflex as rx
from reflex.istate.data import RouterData

from myapprentice_app.services.auth import SESSION_COOKIE


async def states_for(token: str, path: str, params: dict[str, str] | None = None) -> rx.State:
    """A tab's state tree whose websocket handshake carried this session cookie (as a browser's would).

    `path` is the browser's path with its query; `params` the dynamic route segments (`/invoices/[id]` → id).
    Both come from the browser with every event, so a crafted event chooses them freely.
    """
    root = rx.State(_reflex_internal_init=True)  # type: ignore[call-arg]
    root.router = RouterData.from_router_data({"token": "tab-1", "asPath": path, "pathname": path.split("?")[0],
                                               "query": dict(params or {}),
                                               "headers": {"cookie": f"{SESSION_COOKIE}={token}"}})
    return root


def run(scenario):  # type: ignore[no-untyped-def]
    """Run a coroutine on its own loop: the browser tier's sync Playwright may own this thread's loop."""
    context = contextvars.copy_context()  # Reflex keeps its app registration in a context variable
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(context.run, asyncio.run, scenario).result()

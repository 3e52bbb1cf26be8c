"""A browser tab as the server sees it: Reflex's socket.io protocol over one websocket, without a browser.

Engine.IO v4 frames over a plain websocket (wsproto on asyncio streams): `0{…}` open, `40/_event,{auth}` connect
carrying the hydrate event (as Reflex's state.js sends it), `42/_event,["event", {…}]` both ways, `2`/`3` ping/pong.
Used by the load benchmark (50 such tabs) and the failover scale test.
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, CloseConnection, Ping, RejectConnection, Request, TextMessage

ROOT_STATE = "reflex___state____state"
# The page states are substates of the signed-in person's (ui/state/session.py)
SESSION_STATE = f"{ROOT_STATE}.myapprentice_app___ui___state___session____session_state"
VAR_SUFFIX = "_rx_state_"  # Reflex's suffix on every var name in a delta
NAMESPACE = "/_event,"  # Reflex's Socket.IO namespace, as the prefix of its packets


class SocketClosed(ConnectionError):
    pass


@dataclass
class Tab:
    """One browser tab: its Reflex client token, its session cookie and the state its deltas have built."""

    base_url: str
    cookie: str = ""
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    state: dict[str, dict[str, Any]] = field(default_factory=dict)
    _reader: asyncio.StreamReader | None = None
    _writer: asyncio.StreamWriter | None = None
    _ws: WSConnection | None = None
    _updates: asyncio.Queue = field(default_factory=asyncio.Queue)
    _pump: asyncio.Task | None = None
    path: str = "/"

    async def open(self, path: str, *, until=None, timeout: float = 30) -> float:  # type: ignore[no-untyped-def]
        """Connect the way a page load does (hydrate, then the page's on_load); returns ms until `until(delta)`."""
        self.path = path
        url = urlsplit(self.base_url)
        self._reader, self._writer = await asyncio.open_connection(url.hostname, url.port or 80)
        self._ws = WSConnection(ConnectionType.CLIENT)
        headers = [(b"cookie", self.cookie.encode())] if self.cookie else []
        headers.append((b"origin", self.base_url.encode()))
        self._send(Request(host=url.netloc, target=f"/_event/?EIO=4&transport=websocket&token={self.token}",
                           extra_headers=headers))
        started = time.perf_counter()
        await self._handshake(timeout)
        self._pump = asyncio.create_task(self._read_forever())
        opened = await asyncio.wait_for(self._updates.get(), timeout)
        if opened is None:
            raise SocketClosed("the server closed the socket before the Socket.IO connect")
        auth = {"event": self._event(f"{ROOT_STATE}.hydrate_and_load", {}), "state_schema": None}
        self._send_text("40" + NAMESPACE + json.dumps(auth))
        await self.wait_for(until or (lambda delta: True), timeout)
        return (time.perf_counter() - started) * 1000

    async def emit(self, handler: str, payload: dict[str, Any] | None = None, *, until=None,  # type: ignore[no-untyped-def]
                   timeout: float = 30) -> float:
        """Send one event and wait for the delta that answers it (`until(delta)`, default any); returns ms."""
        started = time.perf_counter()
        self._drain()
        self._send_text("42" + NAMESPACE + json.dumps(["event", self._event(handler, payload or {})]))
        await self.wait_for(until or (lambda delta: True), timeout)
        return (time.perf_counter() - started) * 1000

    async def navigate(self, path: str, *, until=None, timeout: float = 30) -> float:  # type: ignore[no-untyped-def]
        """Client-side navigation: the new route's on_load chain, as React Router's link click sends it."""
        self.path = path
        return await self.emit(f"{ROOT_STATE}.reflex___state____on_load_internal_state.on_load_internal",
                               until=until, timeout=timeout)

    async def wait_for(self, matches, timeout: float) -> dict:  # type: ignore[no-untyped-def]
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"no matching delta within {timeout:.0f}s")
            delta = await asyncio.wait_for(self._updates.get(), remaining)
            if delta is None:
                raise SocketClosed("the server closed the socket")
            if matches(delta):
                return delta

    async def close(self) -> None:
        if self._pump:
            self._pump.cancel()
        if self._writer:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except (ConnectionError, OSError):
                pass
        self._reader = self._writer = self._ws = self._pump = None
        self._updates = asyncio.Queue()

    def var(self, state: str, name: str) -> Any:
        return self.state.get(state, {}).get(name)

    def _event(self, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        pathname = self.path.split("?")[0]
        return {"name": name, "payload": payload, "router_data": {"pathname": pathname, "asPath": self.path}}

    def _drain(self) -> None:
        while not self._updates.empty():
            if self._updates.get_nowait() is None:
                raise SocketClosed("the server closed the socket")

    def _send(self, event) -> None:  # type: ignore[no-untyped-def]
        assert self._ws is not None and self._writer is not None
        self._writer.write(self._ws.send(event))

    def _send_text(self, text: str) -> None:
        if self._ws is None:
            raise SocketClosed("the socket is not open")
        self._send(TextMessage(data=text))

    async def _handshake(self, timeout: float) -> None:
        assert self._reader is not None and self._ws is not None
        while True:
            data = await asyncio.wait_for(self._reader.read(65536), timeout)
            if not data:
                raise SocketClosed("the server closed the connection during the websocket handshake")
            self._ws.receive_data(data)
            for event in self._ws.events():
                if isinstance(event, AcceptConnection):
                    return
                if isinstance(event, RejectConnection):
                    raise SocketClosed(f"websocket refused with HTTP {event.status_code}")

    async def _read_forever(self) -> None:
        assert self._reader is not None and self._ws is not None
        text = ""
        try:
            while True:  # the handshake's read may already hold the first frames: handle them before reading
                for event in self._ws.events():
                    if isinstance(event, Ping):
                        self._send(event.response())
                    elif isinstance(event, CloseConnection):
                        return
                    elif isinstance(event, TextMessage):
                        text += event.data
                        if event.message_finished:
                            self._receive(text)
                            text = ""
                data = await self._reader.read(65536)
                if not data:
                    break
                self._ws.receive_data(data)
        except (ConnectionError, OSError):
            pass
        finally:
            self._updates.put_nowait(None)

    def _receive(self, text: str) -> None:
        if text == "2":  # Engine.IO ping
            self._send_text("3")
        elif text.startswith("0"):  # Engine.IO open
            self._updates.put_nowait({})
        elif text.startswith("42" + NAMESPACE):
            name, *args = json.loads(text[2 + len(NAMESPACE):])
            if name == "event" and args:
                delta = {state: {name.removesuffix(VAR_SUFFIX): value for name, value in values.items()}
                         for state, values in args[0].get("delta", {}).items()}
                for state, values in delta.items():
                    self.state.setdefault(state, {}).update(values)
                self._updates.put_nowait(delta)

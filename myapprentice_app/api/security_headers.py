"""Security headers on every HTTP response: pages, API routes and static files alike.

The Content-Security-Policy of a page allows exactly the inline scripts that page was built with, by hash:
Reflex's prerendered pages carry a few (the theme switch, React Router's context and streaming runtime), the
same for every visitor, and nothing adds one at run time, so scripts get no 'unsafe-inline'. They do get
'unsafe-eval': Reflex delivers a server-sent toast (and any call_script) as JavaScript source that its
state.js evaluates; only our own server, over the same-origin websocket, can send such code. Styles need
'unsafe-inline': Emotion and Radix write style elements and attributes as they render.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import re
from functools import lru_cache
from pathlib import Path

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from myapprentice_app.config import get_settings

INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.S)
PAGE_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-eval'{hashes}; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
OTHER_POLICY = "default-src 'none'; frame-ancestors 'none'"  # JSON, CSV, scripts: nothing to render or run


def common_headers() -> dict[str, str]:
    headers = {
        "X-Frame-Options": "DENY",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }
    if get_settings().app_url.startswith("https://"):
        headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return headers


@lru_cache(maxsize=256)
def page_policy(body: bytes, encoding: str = "") -> str:
    if encoding == "gzip":  # the built pages are served pre-compressed (rxconfig keeps gzip the only format)
        body = gzip.decompress(body)
    hashes = sorted({
        "'sha256-" + base64.b64encode(hashlib.sha256(script).digest()).decode() + "'"
        for script in INLINE_SCRIPT.findall(body)
    })
    return PAGE_POLICY.format(hashes="".join(f" {item}" for item in hashes))


class SecurityHeaders:
    """ASGI middleware; an HTML response is held until its body is complete, to hash its inline scripts."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start: Message | None = None
        body: list[bytes] = []

        async def send_with_headers(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in common_headers().items():
                    headers[name] = value
                if headers.get("content-type", "").startswith("text/html"):
                    start = message
                    return
                if message["status"] != 304:  # a 304's headers update the cached page's: keep its own policy
                    headers.setdefault("Content-Security-Policy", OTHER_POLICY)
                await send(message)
            elif start is not None and message["type"] == "http.response.body":
                body.append(message.get("body", b""))
                if message.get("more_body", False):
                    return
                whole = b"".join(body)
                await send_held(whole)
                await send({"type": "http.response.body", "body": whole})
            elif start is not None and message["type"] == "http.response.pathsend":  # a file the server sends
                await send_held(Path(message["path"]).read_bytes())
                await send(message)
            else:
                await send(message)

        async def send_held(whole: bytes) -> None:
            assert start is not None
            headers = MutableHeaders(scope=start)
            headers["Content-Security-Policy"] = page_policy(whole, headers.get("content-encoding", ""))
            await send(start)

        await self.app(scope, receive, send_with_headers)

"""A page opened at http://127.0.0.1:3000 while the app runs as http://localhost:3000 (`make run`'s default) is
sent to the localhost address. The page's websocket may only come from APP_URL's origin, so at 127.0.0.1 the app
showed nothing but "Cannot connect to server: websocket error".

Only then: a loopback address standing for `localhost` on the same port, for a page (the browser asks for HTML).
A deployment's own name is never redirected, nor an API call, an asset or a proxy that rewrites the Host header.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import Headers
from starlette.responses import RedirectResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from myapprentice_app.config import get_settings

LOOPBACK = ("127.0.0.1", "[::1]")


class LocalAddress:
    """ASGI middleware."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        target = _localhost_page(scope) if scope["type"] == "http" and scope["method"] == "GET" else None
        if target is None:
            await self.app(scope, receive, send)
        else:
            await RedirectResponse(target, status_code=307)(scope, receive, send)


def _localhost_page(scope: Scope) -> str | None:
    app_url = urlsplit(get_settings().app_url)
    headers = Headers(scope=scope)
    host, _, port = headers.get("host", "").rpartition(":")
    if app_url.hostname != "localhost" or host not in LOOPBACK or port != str(app_url.port or 80):
        return None
    if "text/html" not in headers.get("accept", ""):
        return None
    query = scope.get("query_string", b"").decode("latin-1")
    return f"{app_url.scheme}://{app_url.netloc}{scope['path']}" + (f"?{query}" if query else "")

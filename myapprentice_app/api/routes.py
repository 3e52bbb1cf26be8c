"""Plain HTTP routes mounted in front of Reflex (its app is mounted inside this one)."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from myapprentice_app.api import xero


async def health(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


api = Starlette(routes=[
    Route("/api/health", health),
    Route("/api/xero/connect", xero.connect),
    Route("/api/xero/callback", xero.callback),
])

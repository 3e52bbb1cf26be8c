"""Plain HTTP routes mounted in front of Reflex (its app is mounted inside this one)."""

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse
from starlette.routing import Route

from myapprentice_app.api import session, stripe, xero
from myapprentice_app.domain.stored_text import UnstorableText


async def health(_: Request) -> JSONResponse:
    return JSONResponse({"status": "ok"})


async def unstorable(_: Request, refused: Exception) -> PlainTextResponse:
    """A NUL byte or a lone surrogate in a link or a form (`db` refuses it): a 400 saying so, not a 500."""
    return PlainTextResponse(str(refused), status_code=400)


api = Starlette(routes=[
    Route("/api/health", health),
    Route("/api/session/sign-in", session.sign_in, methods=["POST"]),
    Route("/api/session/code", session.second_factor_code, methods=["POST"]),
    Route("/api/session/sign-out", session.sign_out, methods=["POST"]),
    Route("/api/invitations/{invite_token}/accept", session.accept_invitation, methods=["POST"]),
    Route("/api/xero/connect", xero.connect),
    Route("/api/xero/callback", xero.callback),
    Route("/api/stripe/onboarding/refresh", stripe.onboarding_refresh),
    Route("/api/stripe/onboarding/return", stripe.onboarding_return),
    Route("/api/stripe/webhook", stripe.webhook, methods=["POST"]),
    Route("/pay-refresh.js", stripe.refresh_script),
    Route("/pay/{token}", stripe.pay_page),
    Route("/pay/{token}/checkout", stripe.pay_now),
    Route("/pay/{token}/done", stripe.pay_done),
], exception_handlers={UnstorableText: unstorable})

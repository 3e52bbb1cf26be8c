"""Stripe's HTTP side: onboarding return/refresh, the signed webhook, and the public pay page (no login)."""

from __future__ import annotations

import asyncio
import html
import logging
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response

from myapprentice_app.api.integrations_tab import back, back_refused, sign_in_first
from myapprentice_app.db import session_scope
from myapprentice_app.domain.roles import PermissionDenied
from myapprentice_app.integrations.stripe.client import BadSignature, StripeProblem, verify_event
from myapprentice_app.security import notice_signature, signed_notice
from myapprentice_app.services import auth, stripe_connection, stripe_pay, stripe_webhooks
from myapprentice_app.services.auth import SESSION_COOKIE
from myapprentice_app.services.errors import ActionRefused, NotFound
from myapprentice_app.services.stripe_pay import PayView

log = logging.getLogger(__name__)


def onboarding_refresh(request: Request) -> Response:
    """Stripe sends the person here when an onboarding link has expired or was used: make a new one."""
    with session_scope() as session:
        actor = auth.resolve(session, request.cookies.get(SESSION_COOKIE))
        if actor is None:
            return sign_in_first()
        try:
            url = stripe_connection.onboarding_link(session, actor)
        except (ActionRefused, PermissionDenied, StripeProblem) as refused:
            return back_refused("stripe_error", str(refused))
    return RedirectResponse(url, status_code=302)


def onboarding_return(request: Request) -> Response:
    """Back from onboarding: Stripe is asked how the account stands (returning doesn't mean it's finished)."""
    with session_scope() as session:
        actor = auth.resolve(session, request.cookies.get(SESSION_COOKIE))
        if actor is None:
            return sign_in_first()
        try:
            view = stripe_connection.refresh_status(session, actor)
        except (PermissionDenied, StripeProblem) as refused:
            return back_refused("stripe_error", str(refused))
    return back(stripe=view.status)


async def webhook(request: Request) -> Response:
    payload = await request.body()  # the raw bytes Stripe signed: never parsed before verifying
    # The rest waits on the database and, for some events, on Stripe: in a thread, not on the event loop that
    # serves every open tab of this web process.
    return await asyncio.to_thread(_received, payload, request.headers.get("stripe-signature"))


def _received(payload: bytes, signature: str | None) -> Response:
    try:
        event = verify_event(payload, signature)
    except BadSignature:
        return PlainTextResponse("bad signature", status_code=400)
    try:
        with session_scope() as session:
            stripe_webhooks.receive(session, event)
    except StripeProblem as problem:
        log.warning("stripe event %s not processed yet (Stripe will retry): %s", event.id, problem)
        return PlainTextResponse("try again", status_code=503)
    return PlainTextResponse("ok")


# -- the public pay page ---------------------------------------------------------------------------------

def pay_page(request: Request) -> Response:
    token = request.path_params["token"]
    with session_scope() as session:
        try:
            view = stripe_pay.pay_view(session, token)
        except NotFound:
            return _page("Payment link not found", "<p>This payment link isn't valid. Check the link in your "
                                                   "email, or contact the business that sent it.</p>", 404)
    query = request.query_params
    return _page(f"Invoice {view.number}", _summary(view, signed_notice(query.get("error", ""), query.get("sig", ""))))


def pay_now(request: Request) -> Response:
    token = request.path_params["token"]
    with session_scope() as session:
        try:
            url = stripe_pay.start_checkout(session, token)
        except NotFound:
            return RedirectResponse(f"/pay/{quote(token)}", status_code=303)
        except ActionRefused as refused:
            message = str(refused)
            return RedirectResponse(f"/pay/{quote(token)}?error={quote(message)}&sig={notice_signature(message)}",
                                    status_code=303)
    return RedirectResponse(url, status_code=303)


def pay_done(request: Request) -> Response:
    """Stripe's success redirect. It proves nothing: the invoice turns Paid only when the signed webhook says so."""
    token = request.path_params["token"]
    with session_scope() as session:
        try:
            view = stripe_pay.pay_view(session, token)
        except NotFound:
            return _page("Payment link not found", "<p>This payment link isn't valid.</p>", 404)
    note = "" if view.state == "paid" else (
        "<p data-testid='pay-confirming'>Thank you. We're confirming your payment with the card network; this page "
        "shows <strong>Paid</strong> once it's through.</p><script src='/pay-refresh.js'></script>")
    return _page(f"Invoice {view.number}", note + _summary(view, ""))


def _summary(view: PayView, error: str) -> str:
    e = html.escape
    rows = "".join(f"<tr><th>{e(k)}</th><td data-testid='pay-{e(k.lower().replace(' ', '-'))}'>{e(v)}</td></tr>"
                   for k, v in (("Invoice", view.number), ("For", view.client), ("Issued", view.issue_date),
                                ("Due", view.due_date), ("Total", view.total), ("Paid", view.paid),
                                ("Amount due", view.amount_due)))
    status = {"paid": "Paid", "voided": "Voided", "part_paid": "Part paid"}.get(view.state, "")
    parts = [f"<p class='business' data-testid='pay-business'>{e(view.business)}</p>",
             f"<table>{rows}</table>"]
    if status:
        parts.append(f"<p class='status' data-testid='pay-status'>{e(status)}</p>")
    if error:
        parts.append(f"<p class='error' role='alert' data-testid='pay-error'>{e(error)}</p>")
    if view.message:
        parts.append(f"<p data-testid='pay-message'>{e(view.message)}</p>")
    if view.state in ("payable", "part_paid"):
        label = "Pay the remaining " + view.amount_due if view.state == "part_paid" else "Pay now"
        parts.append(f"<p><a class='pay' href='/pay/{quote(view.token)}/checkout' data-testid='pay-now'>"
                     f"{e(label)}</a></p>")
    return "".join(parts)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<meta name='referrer' content='no-referrer'><title>{html.escape(title)}</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:32em;margin:2em auto;padding:0 1em}"
        "th{text-align:left;padding-right:1em}.business{font-size:1.4em;font-weight:bold}"
        ".status{font-size:1.3em;font-weight:bold}.error{color:#b00020}"
        "a.pay{display:inline-block;background:#635bff;color:#fff;padding:.6em 1.4em;border-radius:6px;"
        "text-decoration:none}</style></head>"
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>",
        status_code=status, headers={"Cache-Control": "no-store"})


REFRESH_SCRIPT = "setTimeout(function(){location.reload()},2000);"


def refresh_script(_: Request) -> Response:
    return Response(REFRESH_SCRIPT, media_type="text/javascript", headers={"Cache-Control": "no-store"})

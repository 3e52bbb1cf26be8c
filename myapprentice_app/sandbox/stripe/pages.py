"""The pages a person sees: Stripe's hosted checkout (card form, 3-D Secure step, decline messages) and the
Connect onboarding page an Account Link opens."""

from __future__ import annotations

import html
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from . import accounts, checkout
from .money import ZERO_DECIMAL
from .runtime import Sandbox

STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem;color:#1a1f36}"
    "label{display:block;margin:.6rem 0 .2rem}input{width:100%;padding:.5rem;box-sizing:border-box}"
    "button{margin-top:1rem;padding:.6rem 1rem;width:100%;background:#635bff;color:#fff;border:0;border-radius:4px}"
    ".error{color:#df1b41;font-weight:600}.muted{color:#697386}"
)


def page(title: str, body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
        f"<style>{STYLE}</style></head><body>{body}</body></html>",
        status_code=status,
    )


def shown_amount(amount: int, currency: str) -> str:
    if currency in ZERO_DECIMAL:
        return f"{amount:,} {currency.upper()}"
    return f"{amount / 100:,.2f} {currency.upper()}"


def _sandbox(request: Request) -> Sandbox:
    return request.app.state.sandbox


def _session(sandbox: Sandbox, cs_id: str) -> dict[str, Any] | None:
    session = sandbox.store.find(cs_id)
    return session if session is not None and session.get("object") == "checkout.session" else None


def _business_name(sandbox: Sandbox, session: dict[str, Any]) -> str:
    account = sandbox.store.objects.get(sandbox.store.owner(session["id"]) or "", {})
    profile = account.get("business_profile") or {}
    return profile.get("name") or "Sandbox business"


def _checkout_form(sandbox: Sandbox, session: dict[str, Any], error: str = "", email: str = "") -> HTMLResponse:
    cs_id = session["id"]
    rows = "".join(
        f"<li>{html.escape(item['description'])} × {item['quantity']} — "
        f"{shown_amount(item['unit_amount'] * item['quantity'], item['currency'])}</li>"
        for item in sandbox.store.state["sessions"][cs_id]["line_items"]
    )
    cancel = checkout.redirect_url(session, "cancel_url")
    back = f"<p><a href='{html.escape(cancel)}'>← Back</a></p>" if cancel else ""
    message = f"<p class='error' role='alert'>{html.escape(error)}</p>" if error else ""
    email = email or session.get("customer_email") or ""
    return page(
        f"Pay {_business_name(sandbox, session)}",
        f"{back}<h1>Pay {html.escape(_business_name(sandbox, session))}</h1><ul>{rows}</ul>"
        f"<p><strong>Total {shown_amount(session['amount_total'], session['currency'])}</strong></p>{message}"
        f"<form method='post' action='/c/pay/{cs_id}'>"
        f"<label for='email'>Email</label><input id='email' name='email' type='email' value='{html.escape(email)}'>"
        "<label for='cardnumber'>Card number</label>"
        "<input id='cardnumber' name='cardnumber' inputmode='numeric' placeholder='1234 1234 1234 1234'>"
        "<label for='expiry'>Expiry</label><input id='expiry' name='expiry' placeholder='MM / YY' value='12 / 34'>"
        "<label for='cvc'>CVC</label><input id='cvc' name='cvc' placeholder='CVC' value='123'>"
        "<label for='name'>Cardholder name</label><input id='name' name='name'>"
        "<button type='submit'>Pay</button></form>"
        "<p class='muted'>Stripe sandbox. Test cards: 4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined, "
        "4000 0025 0000 3155 asks for an extra confirmation.</p>",
    )


def _authentication_page(session: dict[str, Any]) -> HTMLResponse:
    cs_id = session["id"]
    return page(
        "Confirm your payment",
        "<h1>Confirm your payment</h1><p>Your bank asks you to confirm this payment of "
        f"{shown_amount(session['amount_total'], session['currency'])} (3-D Secure test page).</p>"
        f"<form method='post' action='/c/pay/{cs_id}/authenticate'>"
        "<button name='action' value='complete' type='submit'>Complete authentication</button>"
        "<button name='action' value='fail' type='submit' style='background:#697386'>Fail authentication</button>"
        "</form>",
    )


def _closed_page(session: dict[str, Any]) -> HTMLResponse:
    if session["status"] == "complete":
        return page("Paid", "<h1>Thanks for your payment</h1><p>This payment is complete.</p>")
    return page("Expired", "<h1>This checkout session has expired</h1><p>Ask the business for a new link.</p>", 410)


def _after(sandbox: Sandbox, session: dict[str, Any], attempt: checkout.Attempt, email: str) -> Response:
    if attempt.status == "succeeded":
        target = checkout.redirect_url(session, "success_url")
        return RedirectResponse(target, 303) if target else _closed_page(session)
    if attempt.status == "requires_action":
        return RedirectResponse(f"/c/pay/{session['id']}", 303)
    if session["status"] != "open":
        return _closed_page(session)
    return _checkout_form(sandbox, session, attempt.message, email)


async def checkout_page(request: Request) -> Response:
    sandbox = _sandbox(request)
    session = _session(sandbox, request.path_params["cs_id"])
    if session is None:
        return page("Not found", "<h1>Something went wrong</h1><p>This checkout page does not exist.</p>", 404)
    if session["status"] == "open" and session["expires_at"] <= sandbox.store.now():
        checkout.expire_session(sandbox, session)
    if session["status"] != "open":
        return _closed_page(session)
    pi = sandbox.store.find(session["payment_intent"]) if session["payment_intent"] else None
    if pi is not None and pi["status"] == "requires_action":
        return _authentication_page(session)
    return _checkout_form(sandbox, session)


async def checkout_submit(request: Request) -> Response:
    sandbox = _sandbox(request)
    session = _session(sandbox, request.path_params["cs_id"])
    if session is None:
        return page("Not found", "<h1>Something went wrong</h1><p>This checkout page does not exist.</p>", 404)
    form = await request.form()
    email = str(form.get("email") or "")
    attempt = checkout.pay(
        sandbox,
        session,
        str(form.get("cardnumber") or ""),
        email or None,
        str(form.get("name") or "") or None,
        str(request.base_url).rstrip("/"),
    )
    return _after(sandbox, session, attempt, email)


async def authentication_submit(request: Request) -> Response:
    sandbox = _sandbox(request)
    session = _session(sandbox, request.path_params["cs_id"])
    if session is None:
        return page("Not found", "<h1>Something went wrong</h1><p>This checkout page does not exist.</p>", 404)
    form = await request.form()
    attempt = checkout.authenticate(
        sandbox, session, form.get("action") == "complete", str(request.base_url).rstrip("/")
    )
    return _after(sandbox, session, attempt, "")


async def onboarding_page(request: Request) -> Response:
    sandbox = _sandbox(request)
    account_id, token = request.path_params["account"], request.path_params["token"]
    link = accounts.usable_link(sandbox, account_id, token)
    if link is None:
        return _expired_link(sandbox, token)
    account = sandbox.store.objects[account_id]
    name = account["business_profile"].get("name") or ""
    return page(
        "Set up payments",
        f"<h1>Set up payments with Stripe</h1><p class='muted'>Stripe sandbox onboarding for {account_id}.</p>"
        f"<form method='post' action='/setup/s/{account_id}/{token}'>"
        f"<label for='business_name'>Business name</label>"
        f"<input id='business_name' name='business_name' value='{html.escape(name)}' required>"
        "<label for='abn'>ABN</label><input id='abn' name='abn' value='51 824 753 556'>"
        "<label for='bsb'>BSB and account number</label><input id='bsb' name='bsb' value='000-000 000123456'>"
        "<button type='submit'>Agree and submit</button></form>",
    )


async def onboarding_submit(request: Request) -> Response:
    sandbox = _sandbox(request)
    account_id, token = request.path_params["account"], request.path_params["token"]
    link = accounts.usable_link(sandbox, account_id, token)
    if link is None:
        return _expired_link(sandbox, token)
    form = await request.form()
    link["used"] = True
    client = request.client.host if request.client else "127.0.0.1"
    accounts.complete_onboarding(sandbox, account_id, str(form.get("business_name") or ""), client)
    return RedirectResponse(link["return_url"], 303)


def _expired_link(sandbox: Sandbox, token: str) -> Response:
    link = sandbox.store.state["links"].get(token)
    if link is not None:
        return RedirectResponse(link["refresh_url"], 303)
    return page("Link expired", "<h1>This link is no longer valid</h1>", 404)

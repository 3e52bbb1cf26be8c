"""Sign-in, second factor, sign-out and invitation acceptance as plain form posts.

These routes are the only places the session cookie is set or cleared, so it can be HttpOnly: page scripts
never see it. Each answers with a redirect, a full page load, so the websocket reconnects carrying the new
cookie. Refusals travel back as short codes, never as text (a crafted link can't put words on our page).
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar
from urllib.parse import urlencode, urlsplit

import anyio
from starlette.requests import Request
from starlette.responses import RedirectResponse

from myapprentice_app.config import get_settings
from myapprentice_app.db import session_scope
from myapprentice_app.domain.navigation import home_for
from myapprentice_app.domain.redirects import safe_next
from myapprentice_app.services import auth, second_factor, team
from myapprentice_app.services.auth import SESSION_COOKIE
from myapprentice_app.services.errors import ActionRefused, ValidationFailed

T = TypeVar("T")

# Checking a password (argon2id) takes 120-300 ms of a core and 64 MiB. It runs on these threads, never on the event
# loop that serves every tab's events; at most one per core at a time (a burst of sign-ins waits its turn here rather
# than starting a thread and its memory per sign-in); and at a lower CPU priority, so that on a busy machine the
# tabs' events go first and the sign-ins wait, instead of every open tab stalling behind a burst of them.
def _lower_priority() -> None:
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)  # Linux: this thread's own nice value
    except OSError:
        pass


PASSWORD_WORK = ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="password",
                                   initializer=_lower_priority)


async def _checking_password(work: Callable[..., T], *args: object) -> T:
    return await asyncio.get_running_loop().run_in_executor(PASSWORD_WORK, work, *args)


async def sign_in(request: Request) -> RedirectResponse:
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    target = str(form.get("next", ""))
    if not _from_this_site(request):
        return _to_login(target, error="origin")
    if not email.strip() or not password:
        return _to_login(target, error="missing", email=email)
    return await _checking_password(_sign_in, email, password, target)


def _sign_in(email: str, password: str, target: str) -> RedirectResponse:
    with session_scope() as session:
        try:
            token = auth.log_in(session, email=email, password=password).token
        except auth.LoginRefused as refused:
            return _to_login(target, error=refused.code, until=refused.until_text, email=email)
        return _signed_in(session, token, target)


async def second_factor_code(request: Request) -> RedirectResponse:
    form = await request.form()
    target = str(form.get("next", ""))
    if not _from_this_site(request):
        return _to_login(target, error="origin")
    return await anyio.to_thread.run_sync(_second_factor_code, request.cookies.get(SESSION_COOKIE, ""),
                                          str(form.get("code", "")), target)


def _second_factor_code(token: str, code: str, target: str) -> RedirectResponse:
    with session_scope() as session:
        try:
            token = second_factor.complete_sign_in(session, token=token, code=code)
        except auth.LoginRefused as refused:
            return _to_login(target, error=refused.code, until=refused.until_text)
        return _signed_in(session, token, target)


async def sign_out(request: Request) -> RedirectResponse:
    if _from_this_site(request):  # a cross-site page can't sign anybody out
        await anyio.to_thread.run_sync(_log_out, request.cookies.get(SESSION_COOKIE))
    response = RedirectResponse("/login", status_code=303)
    _clear_cookie(response)
    # The tab's Reflex token lives in sessionStorage and names server-side state still holding the signed-out
    # person's data: dropping it starts the next person on this browser with a fresh state.
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


def _log_out(token: str | None) -> None:
    with session_scope() as session:
        auth.log_out(session, token)


async def accept_invitation(request: Request) -> RedirectResponse:
    invite_token = str(request.path_params["invite_token"])
    back = f"/invite/{invite_token}"
    form = await request.form()
    password, again = str(form.get("password", "")), str(form.get("password_again", ""))
    if not _from_this_site(request):
        return RedirectResponse(f"{back}?error=origin", status_code=303)
    if password != again:
        return RedirectResponse(f"{back}?error=mismatch", status_code=303)
    return await _checking_password(_accept_invitation, invite_token, password)


def _accept_invitation(invite_token: str, password: str) -> RedirectResponse:
    back = f"/invite/{invite_token}"
    with session_scope() as session:
        try:
            token = team.accept_with_new_account(session, invite_token=invite_token, password=password)
        except ValidationFailed:
            return RedirectResponse(f"{back}?error=short", status_code=303)
        except ActionRefused:
            return RedirectResponse(back, status_code=303)  # the page says why: gone, or sign in first
        return _signed_in(session, token, "")


def _signed_in(session, token: str, target: str) -> RedirectResponse:  # type: ignore[no-untyped-def]
    """Where a session goes next: the code form, the business picker, or the page it asked for."""
    stage = auth.stage(session, token)
    if stage is auth.Stage.NEEDS_CODE:
        response = _to_login(target)
    elif stage is auth.Stage.NEEDS_BUSINESS:
        response = RedirectResponse(f"/choose-business?{urlencode({'next': safe_next(target, '')})}",
                                    status_code=303)
    else:
        principal = auth.resolve(session, token)
        assert principal is not None
        response = RedirectResponse(safe_next(target, home_for(principal.role)), status_code=303)
    _set_cookie(response, token)
    return response


def _to_login(target: str, **params: str) -> RedirectResponse:
    params["email"] = params.get("email", "")[:auth.EMAIL_LENGTH]  # shown again in the form; no longer than one can be
    query = {key: value for key, value in {"next": safe_next(target, ""), **params}.items() if value}
    return RedirectResponse(f"/login?{urlencode(query)}" if query else "/login", status_code=303)


def _from_this_site(request: Request) -> bool:
    """Refuse cross-site form posts (login CSRF would sign a victim into the attacker's account)."""
    claimed = request.headers.get("origin") or request.headers.get("referer") or ""
    ours = urlsplit(get_settings().app_url)
    theirs = urlsplit(claimed)
    return (theirs.scheme, theirs.netloc) == (ours.scheme, ours.netloc)


def _set_cookie(response: RedirectResponse, token: str) -> None:
    # Lax, not Strict: the session must survive the top-level redirect back from Xero's consent page.
    response.set_cookie(SESSION_COOKIE, token, max_age=get_settings().session_hours * 3600, path="/",
                        httponly=True, secure=_secure(), samesite="lax")


def _clear_cookie(response: RedirectResponse) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, secure=_secure(), samesite="lax")


def _secure() -> bool:
    return get_settings().app_url.startswith("https://")

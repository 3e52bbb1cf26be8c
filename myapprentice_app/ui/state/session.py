"""The signed-in person, resolved on the server from the HttpOnly session cookie that the browser sent with the
websocket's handshake (page scripts never see it; the sign-in routes set it).

A tab's state keeps the person it resolved and checks the session against the database again only when something
may have changed it: a commit that changed any session, membership, user or business (principal_changes: a sign-out
in another tab, a removal, a role change), a new cookie (a sign-in or sign-out reconnects the socket), a step-up
still fresh, the session's end, or a last check older than SESSION_RECHECK_SECONDS (changes made outside the
app). So the database is not asked on every click, and a sign-out or revocation still takes effect on the very next
event.
"""

from __future__ import annotations

import asyncio
import time
from http.cookies import CookieError, SimpleCookie
from urllib.parse import quote

import reflex as rx

from myapprentice_app.config import get_settings
from myapprentice_app.db import session_scope
from myapprentice_app.domain.navigation import NavItem, navigation_for
from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.security import token_digest
from myapprentice_app.services import auth, second_factor
from myapprentice_app.services.auth import SESSION_COOKIE
from myapprentice_app.services.principal import Principal
from myapprentice_app.ui import principal_changes
from myapprentice_app.ui.state.board_links import leave_boards_not_allowed

NO_ACCESS = "You don't have access to this page"
principal_changes.watch()


def session_token_of(state: rx.State) -> str:
    """The session token from the cookie header of this tab's websocket handshake.

    The header is captured when the socket connects, so the sign-in routes answer with a full page load.
    """
    try:
        morsel = SimpleCookie(state.router.headers.cookie).get(SESSION_COOKIE)
    except CookieError:
        return ""
    return morsel.value if morsel else ""


class SessionState(rx.State):
    """The signed-in person of a tab. Every page state whose handlers call `authorise` is a substate of this one,
    so Reflex reads it from Redis together with the state an event is for, in the same round trip."""

    access: str = "checking"  # checking | ok | forbidden
    user_name: str = ""
    role_label: str = ""
    business_name: str = ""
    several_businesses: bool = False
    nav: list[NavItem] = []

    _principal_cache: Principal | None = None
    _checked_digest: str = ""  # the SHA-256 of the token it was resolved for, never the token
    _checked_at: float = 0.0  # wall clock: the state may move between web processes
    _checked_changes: int = -1  # principal_changes.current() at that check

    async def _checked_principal(self) -> Principal | None:  # underscore: Reflex makes every public method a handler
        token = session_token_of(self)
        digest = token_digest(token) if token else ""
        changes = await principal_changes.current()
        cached = self._principal_cache
        if (cached is not None and not cached.recent_mfa and digest == self._checked_digest
                and changes == self._checked_changes and time.time() < cached.session_ends_at
                and time.time() - self._checked_at < get_settings().session_recheck_seconds):
            return cached
        principal = await asyncio.to_thread(_resolve, token)
        self._principal_cache, self._checked_digest = principal, digest
        self._checked_at, self._checked_changes = time.time(), changes
        return principal

    def _show_principal(self, principal: Principal) -> None:
        # Only what changed: every var set is sent to the browser again, even with the same value.
        shown = (principal.name, principal.role.label, principal.business_name, principal.several_businesses)
        if shown != (self.user_name, self.role_label, self.business_name, self.several_businesses):
            self.user_name, self.role_label, self.business_name, self.several_businesses = shown
            self.nav = navigation_for(principal.role)


def _resolve(token: str) -> Principal | None:
    with session_scope() as session:
        return auth.resolve(session, token)


async def authorise(state: rx.State, permission: Permission | None, *, page: bool = False):
    """Resolve the actor and check one permission. Returns (principal, None) or (None, event to return).

    Every handler calls this first: page guards hide nothing from a crafted websocket event.
    """
    session_state = await state.get_state(SessionState)
    principal = await session_state._checked_principal()
    leave_boards_not_allowed(state, principal)
    if principal is None:
        session_state.access = "checking"
        target = state.router.url.path or "/"
        if query := state.router.url.query:
            target = f"{target}?{query}"
        return None, rx.redirect(f"/login?next={quote(target, safe='')}")
    session_state._show_principal(principal)
    if permission is not None and not can(principal.role, permission):
        if page:
            session_state.access = "forbidden"
            return None, None
        return None, rx.toast.error("You don't have permission to do that.")
    if page and session_state.access != "ok":
        session_state.access = "ok"
    return principal, None


async def authorise_with_code(state: rx.State, permission: Permission, code: str):
    """authorise, then check a second-factor code (the step-up before connecting or disconnecting a service).

    Returns (the principal, freshly resolved with its step-up, None) or (None, event to return).
    """
    principal, refusal = await authorise(state, permission)
    if principal is None:
        return None, refusal
    try:
        return await asyncio.to_thread(_step_up, session_token_of(state), code), None
    except auth.LoginRefused as refused:
        return None, rx.toast.error(str(refused))


def _step_up(token: str, code: str) -> Principal | None:
    with session_scope() as session:
        second_factor.step_up(session, token=token, code=code)
        return auth.resolve(session, token)

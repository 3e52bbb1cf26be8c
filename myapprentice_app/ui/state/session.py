"""The signed-in person, resolved on the server on every event from the HttpOnly session cookie that the
browser sent with the websocket's handshake (page scripts never see it; the sign-in routes set it)."""

from __future__ import annotations

from http.cookies import CookieError, SimpleCookie
from urllib.parse import quote

import reflex as rx

from myapprentice_app.db import session_scope
from myapprentice_app.domain.navigation import NavItem, navigation_for
from myapprentice_app.domain.roles import Permission, can
from myapprentice_app.services import auth, second_factor
from myapprentice_app.services.auth import SESSION_COOKIE
from myapprentice_app.services.principal import Principal

NO_ACCESS = "You don't have access to this page"


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
    access: str = "checking"  # checking | ok | forbidden
    user_name: str = ""
    role_label: str = ""
    business_name: str = ""
    several_businesses: bool = False
    nav: list[NavItem] = []

    def _principal(self) -> Principal | None:  # underscore: Reflex makes every public method a handler
        with session_scope() as session:
            return auth.resolve(session, session_token_of(self))

    def _show(self, principal: Principal) -> None:
        self.user_name = principal.name
        self.role_label = principal.role.label
        self.business_name = principal.business_name
        self.several_businesses = principal.several_businesses
        self.nav = navigation_for(principal.role)


async def authorise(state: rx.State, permission: Permission | None, *, page: bool = False):
    """Resolve the actor and check one permission. Returns (principal, None) or (None, event to return).

    Every handler calls this first: page guards hide nothing from a crafted websocket event.
    """
    session_state = await state.get_state(SessionState)
    principal = session_state._principal()
    if principal is None:
        session_state.access = "checking"
        target = state.router.url.path or "/"
        if query := state.router.url.query:
            target = f"{target}?{query}"
        return None, rx.redirect(f"/login?next={quote(target, safe='')}")
    session_state._show(principal)
    if permission is not None and not can(principal.role, permission):
        if page:
            session_state.access = "forbidden"
            return None, None
        return None, rx.toast.error("You don't have permission to do that.")
    if page:
        session_state.access = "ok"
    return principal, None


async def authorise_with_code(state: rx.State, permission: Permission, code: str):
    """authorise, then check a second-factor code (the step-up before connecting or disconnecting a service).

    Returns (the principal, freshly resolved with its step-up, None) or (None, event to return).
    """
    principal, refusal = await authorise(state, permission)
    if principal is None:
        return None, refusal
    token = session_token_of(state)
    with session_scope() as session:
        try:
            second_factor.step_up(session, token=token, code=code)
        except auth.LoginRefused as refused:
            return None, rx.toast.error(str(refused))
        return auth.resolve(session, token), None

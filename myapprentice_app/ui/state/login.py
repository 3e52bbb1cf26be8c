"""The sign-in page's state: which step to show, and what the last refusal said.

The forms themselves post to the sign-in routes (api/session.py), which set the HttpOnly cookie; this state
only reads where the session stands and the short refusal code the route sent back.
"""

from __future__ import annotations

from urllib.parse import urlencode

import reflex as rx
from sqlmodel import Session

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.navigation import home_for
from myapprentice_app.domain.redirects import safe_next
from myapprentice_app.services import auth
from myapprentice_app.services.principal import Principal
from myapprentice_app.ui.state.session import session_token_of

MISSING = {"missing": "Enter your email address and password.",
           "origin": "That sign-in didn't come from this page. Try again."}


class LoginState(rx.State):
    step: str = "password"  # password | code
    error: str = ""
    email: str = ""
    next_path: str = ""

    @rx.event
    async def load(self):
        params = self.router.url.query_parameters
        self.next_path = safe_next(str(params.get("next", "")), "")
        code, until = str(params.get("error", "")), str(params.get("until", ""))
        self.error = MISSING.get(code) or auth.refusal_text(code, until)
        self.email = str(params.get("email", ""))[:320]
        stage, principal = await in_session_thread(_stage_of, session_token_of(self))
        if principal is not None:
            return rx.redirect(safe_next(self.next_path, home_for(principal.role)))
        if stage is auth.Stage.NEEDS_BUSINESS:
            return rx.redirect(f"/choose-business?{urlencode({'next': self.next_path})}")
        self.step = "code" if stage is auth.Stage.NEEDS_CODE else "password"


def _stage_of(session: Session, token: str) -> tuple[auth.Stage, Principal | None]:
    """How far the browser's session has got with signing in, and who it is once signed in."""
    stage = auth.stage(session, token)
    return stage, auth.resolve(session, token) if stage is auth.Stage.SIGNED_IN else None

"""Pick the business to work in: after signing in as a member of several, or to switch later."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.navigation import home_for
from myapprentice_app.domain.redirects import safe_next
from myapprentice_app.services import auth
from myapprentice_app.services.auth import BusinessChoice
from myapprentice_app.ui.state.outcomes import parse_id
from myapprentice_app.ui.state.session import session_token_of


class BusinessPickerState(rx.State):
    businesses: list[BusinessChoice] = []
    next_path: str = ""

    @rx.event
    async def load(self):
        self.next_path = safe_next(str(self.router.url.query_parameters.get("next", "")), "")
        self.businesses = await in_session_thread(auth.businesses_for, session_token_of(self))
        if not self.businesses:
            return rx.redirect("/login")

    @rx.event
    async def choose(self, business_id: int):
        try:
            principal = await in_session_thread(auth.choose_business, session_token_of(self),
                                                parse_id(business_id) or 0)
        except auth.LoginRefused as refused:
            return rx.toast.error(str(refused))
        return rx.redirect(safe_next(self.next_path, home_for(principal.role)))

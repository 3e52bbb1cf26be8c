"""The home route's state: sends a signed-in person to their role's first page."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.domain.navigation import home_for
from myapprentice_app.ui.state.session import SessionState, authorise


class HomeState(SessionState):
    @rx.event
    async def load(self):
        principal, refusal = await authorise(self, None)
        if principal is None:
            return refusal
        return rx.redirect(home_for(principal.role))

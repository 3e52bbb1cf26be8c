"""The invitation page's state: what the link offers whoever opened it, and joining as a signed-in account."""

from __future__ import annotations

from urllib.parse import quote, urlencode

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.navigation import home_for
from myapprentice_app.services import team
from myapprentice_app.services.errors import ActionRefused
from myapprentice_app.services.team import InvitationView
from myapprentice_app.ui.state.session import session_token_of

ERRORS = {
    "mismatch": "The two passwords don't match.",
    "short": "Use at least 10 characters.",
    "origin": "That didn't come from this page. Try again.",
}


class InviteState(rx.State):
    invitation: InvitationView = InvitationView()
    error: str = ""
    accept_action: str = ""  # where the new-account form posts
    sign_in_href: str = ""  # sign in, then come back here

    def _invite_token(self) -> str:
        return str(self.router.page.params.get("invite_token", ""))

    @rx.event
    async def load(self):
        self.error = ERRORS.get(str(self.router.url.query_parameters.get("error", "")), "")
        self.accept_action = f"/api/invitations/{quote(self._invite_token(), safe='')}/accept"
        self.sign_in_href = "/login?" + urlencode({"next": f"/invite/{self._invite_token()}"})
        self.invitation = await in_session_thread(team.invitation_view, self._invite_token(), session_token_of(self))

    @rx.event
    async def join(self):
        try:
            principal = await in_session_thread(team.accept_as_signed_in, invite_token=self._invite_token(),
                                                session_token=session_token_of(self))
        except ActionRefused as refused:
            return rx.toast.error(str(refused))
        return rx.redirect(home_for(principal.role))

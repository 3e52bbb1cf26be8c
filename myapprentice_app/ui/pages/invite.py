"""Accept a team invitation: the invitee chooses a password and is signed straight in."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import session_scope
from myapprentice_app.services import auth, team
from myapprentice_app.services.errors import ActionRefused, ValidationFailed
from myapprentice_app.ui.components.layout import field_error
from myapprentice_app.ui.navigation import home_for
from myapprentice_app.ui.state.session import SessionState


class InviteState(rx.State):
    error: str = ""
    password_error: str = ""

    @rx.event
    async def accept(self, form: dict):
        password, again = str(form.get("password", "")), str(form.get("password_again", ""))
        self.error, self.password_error = "", ""
        if password != again:
            self.password_error = "The two passwords don't match."
            return
        token = str(self.router.page.params.get("invite_token", ""))
        with session_scope() as session:
            try:
                email = team.accept_invitation(session, token=token, password=password)
                outcome = auth.log_in(session, email=email, password=password)
            except ValidationFailed as failed:
                self.password_error = failed.errors.get("password", str(failed))
                return
            except (ActionRefused, auth.LoginRefused) as refused:
                self.error = str(refused)
                return
            principal = auth.resolve(session, outcome.token)
        session_state = await self.get_state(SessionState)
        session_state.session_token = outcome.token
        return rx.redirect(home_for(principal.role) if principal else "/login")


def invite_page() -> rx.Component:
    return rx.center(
        rx.card(
            rx.form(
                rx.vstack(
                    rx.heading("Join your team on MyApprentice", size="5"),
                    rx.text("Choose a password of at least 10 characters.", size="2"),
                    rx.cond(InviteState.error != "",
                            rx.callout(InviteState.error, icon="triangle-alert", color_scheme="red",
                                       data_testid="invite-error"),
                            rx.fragment()),
                    rx.input(name="password", type="password", placeholder="Password", width="100%",
                             auto_complete="new-password"),
                    rx.input(name="password_again", type="password", placeholder="Password again", width="100%",
                             auto_complete="new-password"),
                    field_error(InviteState.password_error),
                    rx.button("Set password and sign in", type="submit", width="100%"),
                    width="100%",
                ),
                on_submit=InviteState.accept,
            ),
            width="min(24em, 92vw)",
            size="3",
        ),
        min_height="100vh",
        background=rx.color("gray", 2),
    )

"""Accept a team invitation. Someone new chooses a password; an existing account signs in as itself first."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.services.team import INVITATION_GONE, InvitationStep
from myapprentice_app.ui.components.layout import card_page, field_label, sign_out_button
from myapprentice_app.ui.components.post_form import post_form
from myapprentice_app.ui.state.invite import InviteState

INVITATION = InviteState.invitation


def _new_account() -> rx.Component:
    return post_form(
        rx.vstack(
            rx.text("Choose a password of at least 10 characters.", size="2"),
            field_label("Password", "password"),
            rx.input(id="password", name="password", type="password", placeholder="Password", width="100%",
                     auto_complete="new-password"),
            field_label("Password again", "password_again"),
            rx.input(id="password_again", name="password_again", type="password", placeholder="Password again",
                     width="100%", auto_complete="new-password"),
            rx.cond(InviteState.error != "", rx.text(InviteState.error, color_scheme="red", size="2", role="alert"),
                    rx.fragment()),
            rx.button("Set password and sign in", type="submit", width="100%"),
            width="100%",
        ),
        action=InviteState.accept_action,
    )


def _sign_in_first() -> rx.Component:
    return rx.vstack(
        rx.text(INVITATION.email, " already has a MyApprentice account. Sign in with it to accept.", size="2"),
        rx.link(rx.button("Sign in to accept", width="100%"), href=InviteState.sign_in_href, width="100%"),
        width="100%",
    )


def _wrong_account() -> rx.Component:
    return rx.vstack(
        rx.text("You're signed in as ", INVITATION.signed_in_email, ". This invitation is for ", INVITATION.email,
                ".", size="2"),
        sign_out_button(),
        width="100%",
    )


def _join() -> rx.Component:
    return rx.button("Join ", INVITATION.business_name, on_click=InviteState.join, width="100%", data_testid="join")


def invite_page() -> rx.Component:
    return card_page(
        "Join your team on MyApprentice",
        rx.cond(
            INVITATION.step == InvitationStep.GONE.value,
            rx.callout(INVITATION_GONE, icon="triangle-alert", color_scheme="red", data_testid="invite-error"),
            rx.text(INVITATION.business_name, " invited you as ", INVITATION.role_label, ".", size="2"),
        ),
        rx.match(
            INVITATION.step,
            (InvitationStep.NEW_ACCOUNT.value, _new_account()),
            (InvitationStep.SIGN_IN.value, _sign_in_first()),
            (InvitationStep.WRONG_ACCOUNT.value, _wrong_account()),
            (InvitationStep.JOIN.value, _join()),
            rx.fragment(),
        ),
    )

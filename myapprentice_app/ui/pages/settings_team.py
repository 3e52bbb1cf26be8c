"""Business Settings → Team: invite, change role, remove. Rendered inside the settings page's Team tab."""

from __future__ import annotations

from typing import Any

import reflex as rx

from myapprentice_app.ui.components.forms import choice, text_input
from myapprentice_app.ui.state.team import TeamState


def _member_row(member: Any) -> rx.Component:
    is_me = member.user_id == TeamState.me
    return rx.table.row(
        rx.table.cell(member.name),
        rx.table.cell(member.email),
        rx.table.cell(
            rx.cond(
                is_me,
                rx.text(member.role_label, " (you)"),
                rx.select.root(
                    rx.select.trigger(aria_label=f"Role of {member.email}"),
                    rx.select.content(
                        rx.select.item(member.role_label, value=member.role),
                        rx.foreach(
                            TeamState.roles,
                            lambda o: rx.cond(
                                o.value != member.role, rx.select.item(o.label, value=o.value), rx.fragment()
                            ),
                        ),
                    ),
                    value=member.role,
                    on_change=lambda role: TeamState.change_role(member.user_id, role),
                ),
            )
        ),
        rx.table.cell(
            rx.cond(
                is_me,
                rx.fragment(),
                rx.alert_dialog.root(
                    rx.alert_dialog.trigger(rx.button("Remove", size="1", variant="soft", color_scheme="red")),
                    rx.alert_dialog.content(
                        rx.alert_dialog.title("Remove ", member.name, "?"),
                        rx.alert_dialog.description(
                            "They are signed out straight away and lose access to this business."
                        ),
                        rx.hstack(
                            rx.alert_dialog.cancel(rx.button("Cancel", variant="soft", color_scheme="gray")),
                            rx.alert_dialog.action(
                                rx.button("Remove", color_scheme="red", on_click=TeamState.remove(member.user_id))
                            ),
                            justify="end",
                            padding_top="1em",
                        ),
                    ),
                ),
            )
        ),
        data_testid="team-member",
    )


def _invitation_row(invitation: Any) -> rx.Component:
    return rx.table.row(
        rx.table.cell(invitation.name),
        rx.table.cell(invitation.email),
        rx.table.cell(invitation.role_label),
        rx.table.cell(rx.hstack(
            rx.badge("Invited · link works until ", invitation.expires, color_scheme="amber"),
            rx.button("Cancel invitation", size="1", variant="soft", color_scheme="red",
                      on_click=TeamState.cancel_invitation(invitation.id), data_testid="cancel-invitation"),
            align="center")),
        data_testid="team-invitation",
    )


def _invite_form() -> rx.Component:
    s = TeamState
    return rx.card(
        rx.vstack(
            rx.heading("Invite someone", size="4"),
            rx.grid(
                text_input("Email", "invite_email", s.invite_email, lambda v: s.set_field("invite_email", v), s.errors),
                text_input("Name", "invite_name", s.invite_name, lambda v: s.set_field("invite_name", v), s.errors),
                choice(
                    "Role", "invite_role", s.invite_role, lambda v: s.set_field("invite_role", v), s.errors, s.roles
                ),
                columns=rx.breakpoints(initial="1", md="3"),
                spacing="3",
                width="100%",
            ),
            rx.button(rx.icon("user-plus", size=16), "Send invitation", on_click=s.invite, data_testid="invite"),
            width="100%",
        ),
        width="100%",
    )


def team_tab() -> rx.Component:
    return rx.vstack(
        rx.cond(
            TeamState.loaded,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(h) for h in ("Name", "Email", "Role", "")])),
                rx.table.body(rx.foreach(TeamState.members, _member_row),
                              rx.foreach(TeamState.invitations, _invitation_row)),
                variant="surface",
                width="100%",
            ),
            rx.center(rx.spinner(size="3"), padding="2em"),
        ),
        _invite_form(),
        width="100%",
        spacing="4",
    )

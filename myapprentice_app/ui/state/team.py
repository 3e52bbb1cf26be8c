"""Business Settings → Team: members, roles and invitations."""

from __future__ import annotations

import reflex as rx
from sqlmodel import Session

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models.invoice_views import Option
from myapprentice_app.services import business, team
from myapprentice_app.services.business import TeamMember
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.services.principal import Principal
from myapprentice_app.services.team import PendingInvitation
from myapprentice_app.ui.state.outcomes import CHECK_FIELDS, REFUSED, parse_id, refused
from myapprentice_app.ui.state.session import SessionState, authorise

INVITE_FIELDS = ("invite_email", "invite_name", "invite_role")


class TeamState(SessionState):
    members: list[TeamMember] = []
    invitations: list[PendingInvitation] = []
    roles: list[Option] = []
    me: int = 0
    invite_email: str = ""
    invite_name: str = ""
    invite_role: str = "tradie"
    errors: dict[str, str] = {}
    loaded: bool = False

    @rx.event
    async def load(self):
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS, page=True)  # the tab says no
        if principal is None:
            return refusal
        self.members, self.invitations = await in_session_thread(_members_and_invitations, principal)
        self.roles = [Option(value=role.value, label=role.label) for role in team.assignable_roles(principal)]
        self.me, self.loaded = principal.user_id, True

    @rx.event
    def set_field(self, field: str, value: str):
        if field in INVITE_FIELDS:
            setattr(self, field, str(value)[:320])
            self.errors.pop(field, None)

    @rx.event
    async def invite(self):
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS)
        if principal is None:
            return refusal
        try:
            await in_session_thread(team.invite, principal, email_address=self.invite_email, name=self.invite_name,
                                    role=self.invite_role)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return rx.toast.error(CHECK_FIELDS)
        except REFUSED as reason:
            return refused(reason)
        invited, self.invite_email, self.invite_name, self.errors = self.invite_email, "", "", {}
        await self.load()
        return rx.toast.success(f"Invitation sent to {invited}.")

    @rx.event
    async def change_role(self, user_id: int, role: str):
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS)
        if principal is None:
            return refusal
        try:
            await in_session_thread(team.change_role, principal, parse_id(user_id) or 0, str(role))
        except ValidationFailed as failed:
            return rx.toast.error(next(iter(failed.errors.values())))
        except REFUSED as reason:
            await self.load()
            return refused(reason)
        await self.load()
        return rx.toast.success("Role changed.")

    @rx.event
    async def remove(self, user_id: int):
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS)
        if principal is None:
            return refusal
        try:
            await in_session_thread(team.remove, principal, parse_id(user_id) or 0)
        except REFUSED as reason:
            return refused(reason)
        await self.load()
        return rx.toast.success("Removed from the team.")

    @rx.event
    async def cancel_invitation(self, invitation_id: int):
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS)
        if principal is None:
            return refusal
        try:
            address = await in_session_thread(team.cancel_invitation, principal, parse_id(invitation_id) or 0)
        except REFUSED as reason:
            return refused(reason)
        await self.load()
        return rx.toast.success(f"Invitation to {address} cancelled.")


def _members_and_invitations(session: Session,
                             principal: Principal) -> tuple[list[TeamMember], list[PendingInvitation]]:
    return business.team(session, principal), team.pending_invitations(session, principal)

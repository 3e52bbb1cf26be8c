"""Business Settings' state: the tab shown and the business details form."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.navigation import SETTINGS_TABS, NavItem, settings_tabs_for
from myapprentice_app.domain.roles import Permission
from myapprentice_app.services import business
from myapprentice_app.services.business import BusinessDetails, TeamMember
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.ui.state.outcomes import form_values
from myapprentice_app.ui.state.security import SecurityState
from myapprentice_app.ui.state.session import SessionState, authorise
from myapprentice_app.ui.state.team import TeamState

TAB_PERMISSIONS = {slug: permission for slug, _, permission in SETTINGS_TABS}


class SettingsState(SessionState):
    active_tab: str = ""
    tabs: list[NavItem] = []
    details: BusinessDetails = BusinessDetails()
    members: list[TeamMember] = []
    errors: dict[str, str] = {}

    async def _authorise_tab(self, slug: str):
        permission = TAB_PERMISSIONS.get(slug)
        if permission is None:
            return await authorise(self, Permission.BUSINESS_SETTINGS, page=True)
        return await authorise(self, permission, page=True)

    @rx.event
    async def load(self):
        slug = str(self.router.page.params.get("tab", "business"))
        self.active_tab = slug
        self.errors = {}
        principal, refusal = await self._authorise_tab(slug)
        if principal is None:
            return refusal
        if slug not in TAB_PERMISSIONS:
            (await self.get_state(SessionState)).access = "forbidden"
            return
        self.tabs = settings_tabs_for(principal.role)
        if slug == "business":
            self.details = await in_session_thread(business.business_details, principal)
        elif slug == "team":
            return TeamState.load
        elif slug == "security":
            return SecurityState.load

    @rx.event
    async def save_business(self, form: dict):
        form = form_values(form)
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS)
        if principal is None:
            return refusal
        details = BusinessDetails(**{key: str(form.get(key, "")) for key in BusinessDetails.__dataclass_fields__})
        try:
            await in_session_thread(business.update_business, principal, details)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return rx.toast.error("Check the highlighted fields.")
        self.errors = {}
        self.details = details
        return rx.toast.success("Business details saved.")

"""The audit trail page's state: the business's recorded events, newest first."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models.views import AuditRow
from myapprentice_app.selectors.audit import recent_events
from myapprentice_app.ui.state.session import SessionState, authorise


class AuditState(SessionState):
    events: list[AuditRow] = []

    @rx.event
    async def load(self):
        principal, refusal = await authorise(self, Permission.VIEW_AUDIT, page=True)
        if principal is None:
            return refusal
        self.events = await in_session_thread(recent_events, principal)

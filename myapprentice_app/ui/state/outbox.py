"""The sent-emails page's state."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission
from myapprentice_app.models.invoice_views import OutboxRow
from myapprentice_app.selectors.outbox import outbox
from myapprentice_app.ui.state.session import SessionState, authorise


class OutboxState(SessionState):
    messages: list[OutboxRow] = []
    loaded: bool = False

    @rx.event
    async def load(self):
        self.loaded = False
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES, page=True)
        if principal is None:
            return refusal
        self.messages = await in_session_thread(outbox, principal)
        self.loaded = True

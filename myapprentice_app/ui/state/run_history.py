"""One past run of the sync board opened in this tab: every invoice it took, and how each ended."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission
from myapprentice_app.selectors.board import RunOutcome, run_outcome
from myapprentice_app.services.errors import NotFound
from myapprentice_app.ui.state.outcomes import parse_id
from myapprentice_app.ui.state.session import SessionState, authorise


class RunHistoryState(SessionState):
    outcome: RunOutcome = RunOutcome()
    showing: bool = False

    @rx.event
    async def open_run(self, run_id: int):
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES)
        if principal is None:
            return refusal
        try:
            self.outcome = await in_session_thread(run_outcome, principal, parse_id(run_id) or 0)
        except NotFound as missing:
            return rx.toast.error(str(missing))
        self.showing = True

    @rx.event
    def set_showing(self, value: bool):
        self.showing = bool(value)

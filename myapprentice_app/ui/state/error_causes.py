"""Errors by cause (Invoices page, and the sync board): each cause fixed once for all its invoices."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission, PermissionDenied
from myapprentice_app.domain.sync_errors import Fix
from myapprentice_app.selectors.error_causes import ErrorCauses, error_causes
from myapprentice_app.services import sync_causes
from myapprentice_app.services.errors import ActionRefused
from myapprentice_app.ui.state.board import follow
from myapprentice_app.ui.state.outcomes import form_values
from myapprentice_app.ui.state.session import SessionState, authorise

FIXES = {"pick_account": Fix.PICK_ACCOUNT, "map_tax_rate": Fix.MAP_TAX_RATE, "create_contact": Fix.CREATE_CONTACT,
         "retry": Fix.RETRY}


class ErrorCausesState(SessionState):
    causes: ErrorCauses = ErrorCauses()
    _loaded: bool = False

    @rx.event
    async def load(self):
        principal, refusal = await authorise(self, Permission.VIEW_INVOICES, page=True)  # the page says no
        if principal is None:
            return refusal
        self.causes = await in_session_thread(error_causes, principal)
        self._loaded = True

    @rx.event
    async def refresh(self):
        """After a run or a fix: re-read, when this panel has been shown."""
        if self._loaded:
            return ErrorCausesState.load

    @rx.event
    async def fix(self, form: dict):
        form = form_values(form)
        fix = FIXES.get(str(form.get("fix", "")))
        if fix is None:
            return rx.toast.error("That fix isn't available.")
        principal, refusal = await authorise(self, Permission.RETRY_SYNC if fix == Fix.RETRY
                                             else Permission.RESOLVE_SYNC_ERRORS)
        if principal is None:
            return refusal
        try:
            await in_session_thread(sync_causes.fix_cause, principal, str(form.get("cause", "")), fix,
                                    str(form.get("value", "")))
            self.causes = await in_session_thread(error_causes, principal)
        except (ActionRefused, PermissionDenied) as refused:
            return rx.toast.error(str(refused))
        follow(principal.business_id)  # the board shows the run the fix queued
        return rx.toast.success("Done. Sending those invoices to Xero again.")

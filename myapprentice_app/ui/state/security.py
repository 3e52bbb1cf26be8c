"""Business Settings → Security: turn two-step sign-in on, and change it (each change needs a current code)."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission
from myapprentice_app.services import auth, second_factor
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.ui.state.outcomes import form_values
from myapprentice_app.ui.state.session import SessionState, authorise, session_token_of

MFA_CHANGES = {  # each needs a current code first; the value is what the person is told once it's done
    "replace": "Scan the new QR code with your new phone.",
    "recovery_codes": "New recovery codes made: the old ones no longer work.",
    "turn_off": "Two-step sign-in is off.",
}


class SecurityState(SessionState):
    mfa_enabled: bool = False
    enrolment_qr: str = ""
    enrolment_secret: str = ""
    _pending_secret: str = ""
    recovery_codes: list[str] = []
    mfa_change: str = ""  # replace | recovery_codes | turn_off, while its code prompt is open
    errors: dict[str, str] = {}

    @rx.event
    async def load(self):
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS, page=True)
        if principal is None:
            return refusal
        self.mfa_enabled = principal.mfa_enabled
        self.enrolment_qr, self.enrolment_secret, self._pending_secret = "", "", ""
        self.recovery_codes, self.mfa_change, self.errors = [], "", {}

    @rx.event
    async def begin_mfa(self):
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS)
        if principal is None:
            return refusal
        if principal.mfa_enabled:  # replacing it goes through the code prompt below
            return rx.toast.error("Two-step sign-in is already on.")
        self._show_enrolment(await in_session_thread(second_factor.begin_totp_enrolment, principal))

    def _show_enrolment(self, enrolment: second_factor.TotpEnrolment) -> None:
        self._pending_secret = enrolment.secret
        self.enrolment_secret = enrolment.secret
        self.enrolment_qr = enrolment.qr_svg_data_uri

    @rx.event
    async def confirm_mfa(self, form: dict):
        form = form_values(form)
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS)
        if principal is None:
            return refusal
        if not self._pending_secret:
            return rx.toast.error("Start again: choose Set up two-step sign-in.")
        try:
            codes = await in_session_thread(second_factor.confirm_totp_enrolment, principal,
                                            token=session_token_of(self), secret=self._pending_secret,
                                            code=str(form.get("code", "")))
        except ValidationFailed as failed:
            self.errors = failed.errors
            return
        except auth.LoginRefused as refused:
            self.errors = {"code": str(refused)}
            return
        self.errors, self.enrolment_qr, self._pending_secret = {}, "", ""
        self.mfa_enabled = True
        self.recovery_codes = codes
        return rx.toast.success("Two-step sign-in is on.")

    @rx.event
    async def ask_mfa_change(self, change: str):
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS)
        if principal is None:
            return refusal
        self.errors = {}
        self.mfa_change = change if isinstance(change, str) and change in MFA_CHANGES and principal.mfa_enabled else ""

    @rx.event
    async def cancel_mfa_change(self):
        self.mfa_change, self.errors = "", {}

    @rx.event
    async def confirm_mfa_change(self, form: dict):
        """Changing the second factor needs the second factor: a current code or a recovery code."""
        form = form_values(form)
        principal, refusal = await authorise(self, Permission.BUSINESS_SETTINGS)
        if principal is None:
            return refusal
        token, code, change = session_token_of(self), str(form.get("code", "")), self.mfa_change
        try:
            if change == "replace":
                self._show_enrolment(await in_session_thread(second_factor.begin_totp_enrolment, principal,
                                                             token=token, code=code))
            elif change == "recovery_codes":
                self.recovery_codes = await in_session_thread(second_factor.regenerate_recovery_codes, principal,
                                                              token=token, code=code)
            elif change == "turn_off":
                await in_session_thread(second_factor.turn_off_totp, principal, token=token, code=code)
                self.mfa_enabled = False
            else:
                return
        except auth.LoginRefused as refused:
            self.errors = {"change_code": str(refused)}
            return
        self.mfa_change, self.errors = "", {}
        return rx.toast.success(MFA_CHANGES[change])

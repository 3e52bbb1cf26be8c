"""The client form's state: load, validate and save one client."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.db import in_session_thread
from myapprentice_app.domain.roles import Permission
from myapprentice_app.services import clients
from myapprentice_app.services.clients import ClientForm
from myapprentice_app.services.errors import ValidationFailed
from myapprentice_app.ui.state.outcomes import CHECK_FIELDS, REFUSED, parse_id, refused
from myapprentice_app.ui.state.session import SessionState, authorise

CLIENT_FIELDS = [
    ("Name", "name"),
    ("Email", "email"),
    ("Phone", "phone"),
    ("Address line 1", "address_line1"),
    ("Address line 2", "address_line2"),
    ("City", "city"),
    ("State / region", "region"),
    ("Postcode", "postcode"),
    ("Country", "country"),
]


class ClientFormState(SessionState):
    client_id: int = 0
    form: ClientForm = ClientForm()
    errors: dict[str, str] = {}
    ready: bool = False

    @rx.event
    async def load(self):
        self.ready, self.errors = False, {}
        principal, refusal = await authorise(self, Permission.MANAGE_CLIENTS, page=True)
        if principal is None:
            return refusal
        self.client_id = parse_id(self.router.page.params.get("id")) or 0
        try:
            self.form = (await in_session_thread(clients.client_form, principal, self.client_id) if self.client_id
                         else ClientForm())
        except REFUSED as reason:
            return [refused(reason), rx.redirect("/clients")]
        self.ready = True

    @rx.event
    def set_field(self, field: str, value: str):
        if field in tuple(ClientForm.__dataclass_fields__):
            self.form = ClientForm(**{**self.form.__dict__, field: str(value)[:1000]})
            self.errors.pop(field, None)

    @rx.event
    async def save(self):
        principal, refusal = await authorise(self, Permission.MANAGE_CLIENTS)
        if principal is None:
            return refusal
        try:
            if self.client_id:
                saved = await in_session_thread(clients.update_client, principal, self.client_id, self.form)
            else:
                saved = await in_session_thread(clients.create_client, principal, self.form)
        except ValidationFailed as failed:
            self.errors = failed.errors
            return rx.toast.error(CHECK_FIELDS)
        except REFUSED as reason:
            return refused(reason)
        return [rx.toast.success(f"{saved.name} saved."), rx.redirect("/clients")]

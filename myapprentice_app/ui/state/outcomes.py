"""What a handler shows when a service says no: the service's own words, as a toast."""

from __future__ import annotations

import reflex as rx
from reflex.app import default_backend_exception_handler
from reflex.event import EventSpec

from myapprentice_app.domain.invoice_status import InvalidTransition
from myapprentice_app.domain.roles import PermissionDenied
from myapprentice_app.domain.stored_text import UnstorableText
from myapprentice_app.domain.whole_numbers import whole_number
from myapprentice_app.services.email import EmailNotSent
from myapprentice_app.services.errors import ActionRefused, NotFound

REFUSED = (ActionRefused, NotFound, InvalidTransition, PermissionDenied, EmailNotSent, UnstorableText)
CHECK_FIELDS = "Check the highlighted fields."


def refused(reason: Exception):  # noqa: ANN201 (an event spec)
    return rx.toast.error(str(reason), duration=8000)


def unexpected(exception: Exception) -> EventSpec:
    """The app's handler of what a handler didn't catch: text the database can't store, typed into any field or
    search, gets its message; anything else Reflex's own "An error occurred" (and the log its traceback)."""
    if isinstance(exception, UnstorableText):
        return refused(exception)
    return default_backend_exception_handler(exception)


def form_values(form: object) -> dict:
    """A submitted form's values; anything but an object of them (a crafted event) is an empty form."""
    return form if isinstance(form, dict) else {}


def parse_id(value: object) -> int | None:
    text = str(value or "").strip()
    return whole_number(text) if len(text) < 12 else None

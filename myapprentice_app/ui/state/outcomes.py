"""What a handler shows when a service says no: the service's own words, as a toast."""

from __future__ import annotations

import reflex as rx

from myapprentice_app.domain.invoice_status import InvalidTransition
from myapprentice_app.domain.roles import PermissionDenied
from myapprentice_app.domain.whole_numbers import whole_number
from myapprentice_app.services.email import EmailNotSent
from myapprentice_app.services.errors import ActionRefused, NotFound

REFUSED = (ActionRefused, NotFound, InvalidTransition, PermissionDenied, EmailNotSent)
CHECK_FIELDS = "Check the highlighted fields."


def refused(reason: Exception):  # noqa: ANN201 (an event spec)
    return rx.toast.error(str(reason), duration=8000)


def parse_id(value: object) -> int | None:
    text = str(value or "").strip()
    return whole_number(text) if len(text) < 12 else None

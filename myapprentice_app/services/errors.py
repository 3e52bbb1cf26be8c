"""Exceptions services raise whose messages are written for the person using the app."""

from __future__ import annotations


class ValidationFailed(Exception):
    """Field-level problems with what the user typed; nothing was saved."""

    def __init__(self, errors: dict[str, str]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))


class NotFound(Exception):
    def __init__(self, what: str) -> None:
        super().__init__(f"{what} was not found.")


class ActionRefused(Exception):
    """A valid request the current state doesn't allow (e.g. paying more than is owed)."""

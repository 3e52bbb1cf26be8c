"""What can go wrong talking to Xero, and Xero's validation text translated to the error catalogue."""

from __future__ import annotations

import re

from myapprentice_app.domain.sync_errors import ErrorCode


class XeroProblem(Exception):
    """Base for failures the sync engine handles."""


class ConnectionRevoked(XeroProblem):
    """invalid_grant, or a 403 on the organisation: someone must reconnect."""


class TokenRejected(XeroProblem):
    """A 401: the access token was refused (expired early, say). A refresh may cure it."""


class RateLimited(XeroProblem):
    def __init__(self, retry_after: float, problem: str | None) -> None:
        self.retry_after = retry_after
        self.problem = problem or "minute"
        super().__init__(f"Xero rate limit ({self.problem}); retry after {retry_after:.0f}s")


class Unavailable(XeroProblem):
    """5xx: Xero failed. For a write, whether it was applied is unknown."""


class OutcomeUnknown(XeroProblem):
    """The request may or may not have reached Xero (timeout, dropped connection)."""


class Rejected(XeroProblem):
    """A 400 for the whole request; `body` is Xero's JSON answer."""

    def __init__(self, body: dict, text: str) -> None:
        self.body = body
        self.text = text
        super().__init__(text[:500])

    @property
    def key_in_use(self) -> bool:
        """Xero holds the request's Idempotency-Key for an earlier request with another body (reference §2.8)."""
        return "is used with a different request" in self.text

    @property
    def messages(self) -> list[str]:
        """Xero's validation messages for the request (or its one message)."""
        messages = [str(error.get("Message")) for element in self.body.get("Elements") or []
                    for error in element.get("ValidationErrors") or []]
        return messages or [str(self.body.get("Message") or self.text[:500])]

    def messages_by(self, field: str) -> dict[str, list[str]]:
        """The failed elements' own messages, by the field each echoes (an invoice's InvoiceNumber, a payment's
        Reference); empty when Xero's 400 lists no elements, for a request that is wrong as a whole."""
        return {str(element.get(field) or "").strip(): [
                    str(error.get("Message")) for error in element.get("ValidationErrors") or []]
                for element in self.body.get("Elements") or [] if element.get(field)}


_RULES: list[tuple[re.Pattern[str], ErrorCode]] = [
    (re.compile(r"Invoice # must be unique", re.I), ErrorCode.NUMBER_CONFLICT),
    (re.compile(r"^Account code .* (not a valid code|archived|removed)|Account must be valid|"
                r"account code must be specified", re.I), ErrorCode.INVALID_ACCOUNT),
    (re.compile(r"TaxType|Tax rate must be valid", re.I), ErrorCode.MISSING_TAX_MAPPING),
    (re.compile(r"Contact (with the specified ContactID could not be found|must be specified)|"
                r"archived contact", re.I), ErrorCode.CONTACT_NOT_FOUND),
]


# Xero's answer to voiding an invoice that has payments or credit notes there.
VOID_WITH_PAYMENTS = re.compile(r"VOIDED cannot be applied to the invoice because it has payments", re.I)


def classify(messages: list[str]) -> ErrorCode:
    """The catalogue entry for Xero's validation messages (first rule that any message matches)."""
    for pattern, code in _RULES:
        if any(pattern.search(message) for message in messages):
            return code
    return ErrorCode.REJECTED

"""Where the Xero and Stripe connection routes send the person back: the Integrations tab (or sign-in first)."""

from __future__ import annotations

from urllib.parse import quote

from starlette.responses import RedirectResponse

from myapprentice_app.security import notice_signature

BACK = "/settings/integrations"


def back(**params: str) -> RedirectResponse:
    query = "&".join(f"{key}={quote(value)}" for key, value in params.items())
    return RedirectResponse(f"{BACK}?{query}" if query else BACK, status_code=302)


def back_refused(key: str, message: str) -> RedirectResponse:
    """Back to the tab with a refusal to show, signed: the tab shows only what the app said."""
    return back(**{key: message, "sig": notice_signature(message)})


def sign_in_first() -> RedirectResponse:
    return RedirectResponse(f"/login?next={quote(BACK)}", status_code=302)

"""Which record the tab's URL is showing, for handlers that refresh a page's view."""

from __future__ import annotations

import re

import reflex as rx

_INVOICE_PAGE = re.compile(r"/invoices/(\d{1,11})/?")
_INVOICES_LIST = re.compile(r"/invoices/?")


def invoice_in_url(state: rx.State) -> int | None:
    """The id in an invoice page's URL, /invoices/<id>; None anywhere else, the list (which the production
    build serves as /invoices/), /invoices/new and /invoices/<id>/edit included."""
    match = _INVOICE_PAGE.fullmatch(state.router.url.path)
    return int(match.group(1)) if match else None


def invoices_list_in_url(state: rx.State) -> bool:
    """Whether the tab is on the invoices list (/invoices, or /invoices/ as the production build serves it)."""
    return _INVOICES_LIST.fullmatch(state.router.url.path) is not None

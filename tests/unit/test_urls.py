"""Which invoice view a tab's URL shows: refreshes after an action reload only the view that is open."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from myapprentice_app.ui.state.urls import invoice_in_url, invoices_list_in_url


def at(path: str):  # type: ignore[no-untyped-def]
    """What a handler reads of its tab's address (Reflex's router data)."""
    return SimpleNamespace(router=SimpleNamespace(url=SimpleNamespace(path=path)))


def test_an_invoice_page_names_its_invoice_with_or_without_a_trailing_slash() -> None:
    assert invoice_in_url(at("/invoices/42")) == 42
    assert invoice_in_url(at("/invoices/42/")) == 42


@pytest.mark.parametrize("path", ["/invoices", "/invoices/", "/invoices/new", "/invoices/42/edit", "/quotes/42",
                                  "/invoices/abc", "/", "/invoices/123456789012"])
def test_no_other_page_names_an_invoice(path: str) -> None:
    assert invoice_in_url(at(path)) is None


def test_the_invoices_list_is_recognised_as_the_production_build_serves_it() -> None:
    assert invoices_list_in_url(at("/invoices")) and invoices_list_in_url(at("/invoices/"))
    assert not any(invoices_list_in_url(at(path)) for path in ("/invoices/42", "/invoices/new", "/quotes"))

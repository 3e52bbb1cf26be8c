"""What a push says about Xero's day quota (issue #13.4)."""

from __future__ import annotations

from myapprentice_app.domain.xero_limits import day_quota_line, day_quota_note


def test_a_push_says_how_many_invoices_todays_quota_fits_when_it_cannot_take_them_all():
    assert day_quota_note(5, 300) == ("Today's Xero quota (5 calls) fits about 200 of the 300 invoices; "
                                      "the rest go after Xero's reset.")
    assert day_quota_note(7, 300) == ""
    assert day_quota_note(None, 300) == ""


def test_the_xero_tab_says_nothing_of_the_quota_until_xero_has_told_it():
    assert day_quota_line(None) == ""
    assert day_quota_line(1000) == ("Xero calls left today: 1,000 (room for about 49,950 invoices; "
                                    "the rest of a push goes after Xero's reset)")

"""The CSV follows Xero's sales-invoice import columns and can't smuggle formulas into a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest

from myapprentice_app.domain.csv_export import XERO_SALES_INVOICE_COLUMNS, neutralise, render


@pytest.mark.parametrize("cell", ['=HYPERLINK("http://evil")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx", "\n=1+1",
                                  "＝HYPERLINK(\"http://evil\")", "＋1", "－1+1", "＠SUM(A1)", " =1+1",
                                  "\u200b=1+1", "\u00a0\u200d@SUM(A1)"])
def test_cells_starting_with_a_formula_character_are_neutralised(cell: str) -> None:
    assert neutralise(cell) == f"'{cell}"


def test_ordinary_text_is_left_alone() -> None:
    assert neutralise("Harbourside Cafe") == "Harbourside Cafe"


def test_rows_come_out_under_xero_headers_with_text_neutralised_and_numbers_untouched() -> None:
    text = render(
        [
            {
                "ContactName": "=cmd|' /C calc'!A0",
                "InvoiceNumber": "INV-1",
                "Description": "Discount",
                "Quantity": "1",
                "UnitAmount": "-10.00",
            }
        ]
    )
    header, row = list(csv.reader(io.StringIO(text)))
    assert tuple(header) == XERO_SALES_INVOICE_COLUMNS
    values = dict(zip(header, row, strict=True))
    assert values["ContactName"] == "'=cmd|' /C calc'!A0"
    assert values["UnitAmount"] == "-10.00"  # a credit line keeps its sign: we formatted that number ourselves

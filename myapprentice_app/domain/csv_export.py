"""One invoice as CSV in Xero's sales-invoice import layout, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterable, Mapping

# Xero's sales invoice import template (Business > Invoices > Import), in its column order.
XERO_SALES_INVOICE_COLUMNS = (
    "ContactName",
    "EmailAddress",
    "POAddressLine1",
    "POAddressLine2",
    "POAddressLine3",
    "POAddressLine4",
    "POCity",
    "PORegion",
    "POPostalCode",
    "POCountry",
    "InvoiceNumber",
    "Reference",
    "InvoiceDate",
    "DueDate",
    "InventoryItemCode",
    "Description",
    "Quantity",
    "UnitAmount",
    "Discount",
    "AccountCode",
    "TaxType",
    "TrackingName1",
    "TrackingOption1",
    "TrackingName2",
    "TrackingOption2",
    "Currency",
    "BrandingTheme",
)
NUMERIC_COLUMNS = frozenset({"Quantity", "UnitAmount", "Discount"})
FORMULA_TRIGGERS = ("=", "+", "-", "@")


def neutralise(cell: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (CSV injection): prefix it with a quote.

    The cell is looked at as a spreadsheet may read it: past leading blanks and invisible characters (a
    zero-width space), and with full-width forms as their plain ones (some locales take "＝" for "=")."""
    read = "".join(ch for ch in unicodedata.normalize("NFKC", cell) if unicodedata.category(ch) != "Cf")
    risky = cell.startswith(("\t", "\r", "\n")) or read.lstrip().startswith(FORMULA_TRIGGERS)
    return f"'{cell}" if risky else cell


def render(rows: Iterable[Mapping[str, str]]) -> str:
    """CSV text, one row per invoice line. Text cells are neutralised; the numbers we format ourselves
    (quantity, unit amount, discount) are left as they are so that a credit line keeps its minus sign."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(XERO_SALES_INVOICE_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.get(column, "") if column in NUMERIC_COLUMNS else neutralise(row.get(column, ""))
                for column in XERO_SALES_INVOICE_COLUMNS
            ]
        )
    return buffer.getvalue()

"""Whole numbers typed or sent as text (ids, codes, counts, header values)."""

from __future__ import annotations


def whole_number(text: str) -> int | None:
    """The number `text` spells in the digits 0-9, else None. Not `str.isdigit()` alone: that also accepts "²"
    and other Unicode digits, which int() refuses."""
    text = text.strip()
    return int(text) if text.isascii() and text.isdigit() else None

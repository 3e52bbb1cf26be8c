"""Text a database can store, and text that must stay on one line.

PostgreSQL refuses a NUL byte in text, and neither database takes a lone half of a UTF-16 surrogate pair, which
JSON from a browser (a websocket event) may carry: `db` refuses such text before it reaches the database, with a
message for the person who typed it. A name that heads an email (the business's, a subject) must not break a
line: a line break in a header would start another one.
"""

from __future__ import annotations

import unicodedata

MESSAGE = "Remove the invisible control characters from what you typed, then try again."


class UnstorableText(ValueError):
    def __init__(self) -> None:
        super().__init__(MESSAGE)


def storable(text: str) -> bool:
    if "\x00" in text:
        return False
    if text.isascii():  # most text, and the quick answer: no surrogate can be in it
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def one_line(text: str) -> bool:
    """No line break and no control character; any letter, emoji, no-break space or direction mark is fine."""
    return not any(unicodedata.category(character) in ("Cc", "Zl", "Zp") for character in text)

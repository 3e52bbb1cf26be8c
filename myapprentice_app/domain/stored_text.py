"""Text a database can store. PostgreSQL refuses a NUL byte in text, and neither database takes a lone half of a
UTF-16 surrogate pair, which JSON from a browser (a websocket event) may carry: `db` refuses such text before it
reaches the database, with a message for the person who typed it."""

from __future__ import annotations

MESSAGE = "Remove the invisible control characters from what you typed, then try again."


class UnstorableText(ValueError):
    def __init__(self) -> None:
        super().__init__(MESSAGE)


def storable(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

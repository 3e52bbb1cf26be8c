"""Text a database can store, and text that must stay on one line.

PostgreSQL refuses a NUL byte in text, and neither database takes a lone half of a UTF-16 surrogate pair, which
JSON from a browser (a websocket event) may carry: `db` refuses such text before it reaches the database, with a
message for the person who typed it. A name that heads an email (the business's, a subject) must not break a
line: a line break in a header would start another one.
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

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


# In JSON text, the escapes that decode to what a database can't store: NUL, and halves of surrogate pairs (a pair
# decodes to one character, which is fine: the slower look at the decoded values tells them apart).
_UNSTORABLE_ESCAPE = re.compile(r"\\u0000|\\ud[89a-f]", re.IGNORECASE)


def storable_json(body: bytes, **options: Any) -> Any:
    """JSON from another system (Xero) decoded, its text made storable (`made_storable`). Bytes that aren't UTF-8
    (a raw surrogate among them) become U+FFFD; the text is looked at before the decoded values, so an answer
    without unstorable escapes (nearly all) costs nothing more than decoding."""
    text = body.decode("utf-8", "replace")
    decoded = json.loads(text, **options)
    return made_storable(decoded) if _UNSTORABLE_ESCAPE.search(text) else decoded


def made_storable(value: Any) -> Any:
    """Text another system sent us made storable, in nested dicts and lists too: NUL dropped, a lone surrogate
    replaced by U+FFFD. What we receive is kept, never refused for it (what people type is: see `storable`)."""
    if isinstance(value, str):
        if storable(value):
            return value
        return value.replace("\x00", "").encode("utf-8", "surrogatepass").decode("utf-8", "replace")
    if isinstance(value, dict):
        return {made_storable(key): made_storable(item) for key, item in value.items()}
    if isinstance(value, list):
        return [made_storable(item) for item in value]
    return value

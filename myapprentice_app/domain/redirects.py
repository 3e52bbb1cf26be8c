"""Where the app may send a browser after sign-in: only to its own paths."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_next(target: str, fallback: str) -> str:
    """`target` when it is a path of this app, else `fallback`.

    An open redirect would let a phishing link borrow our sign-in page. Browsers read `/\\host`, `//host` and
    paths with tabs or newlines in them (which they strip) as another host, so those are refused too, and so
    are encoded slashes: a path that a second decoding would turn into `//host` is no path of ours.
    """
    if not target.startswith("/") or target.startswith("//"):
        return fallback
    if "%2f" in target.lower() or "%5c" in target.lower():
        return fallback
    if any(char == "\\" or ord(char) <= 0x20 or ord(char) == 0x7F for char in target):
        return fallback
    parts = urlsplit(target)
    return fallback if parts.scheme or parts.netloc else target

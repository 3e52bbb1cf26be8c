"""A sandbox's state on disk: read at start, written whole and atomically (a crash never leaves half a file)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from typing import Any


def load_state(path: str | None, empty: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The state saved at `path`, over an empty one (so keys added since are there); empty without a file."""
    state = empty()
    if path and os.path.exists(path):
        with open(path, encoding="utf-8") as handle:
            state.update(json.load(handle))
    return state


def save_state(path: str, state: dict[str, Any], prefix: str) -> None:
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(dir=directory, prefix=prefix, suffix=".json")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(state, handle, separators=(",", ":"))
    os.replace(tmp_path, path)

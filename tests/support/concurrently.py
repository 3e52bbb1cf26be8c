"""Writers of one row at the same moment: what each of them ends with."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from sqlmodel import Session

from myapprentice_app.db import get_engine


def while_held(hold: Callable[[Session], Any], *attempts: Callable[[], Any]) -> list[Any]:
    """Runs `hold(session)` and keeps its transaction open for half a second while every attempt starts, each in a
    thread of its own; then commits it and returns what each attempt returned or raised, in order."""
    outcomes: list[Any] = [None] * len(attempts)

    def attempt(index: int) -> None:
        try:
            outcomes[index] = attempts[index]()
        except Exception as error:  # noqa: BLE001 - handed to the test
            outcomes[index] = error

    threads = [threading.Thread(target=attempt, args=(index,)) for index in range(len(attempts))]
    with Session(get_engine(), expire_on_commit=False) as session:
        hold(session)
        for thread in threads:
            thread.start()
        time.sleep(0.5)
        session.commit()
    for thread in threads:
        thread.join(timeout=40)
        assert not thread.is_alive(), "an attempt still waits after the other writer committed"
    return outcomes


def in_own_session(work_to_do: Callable[[Session], Any]) -> Callable[[], Any]:
    """An attempt for `while_held`: `work_to_do` in a session of its own, as another request would."""
    def attempt() -> Any:
        with Session(get_engine(), expire_on_commit=False) as session:
            return work_to_do(session)
    return attempt

"""Reflex runs every event handler on the web process's one event loop: a handler that queried the database there
would stall every open tab of the process while it waited. So in ui/state a database session is opened only in a
plain module-level function, which handlers run in a thread (`in_session_thread`, `asyncio.to_thread`)."""

from __future__ import annotations

import ast
from pathlib import Path

import myapprentice_app.ui.state as ui_state

STATE_DIR = Path(ui_state.__file__).parent


def _sessions_opened_outside_thread_functions(tree: ast.Module) -> list[int]:
    """Line numbers of `session_scope()` calls not inside a module-level, non-async function."""
    allowed: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            allowed.update(id(inner) for inner in ast.walk(node))
    return [node.lineno for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "session_scope"
            and id(node) not in allowed]


def test_no_event_handler_opens_a_database_session_on_the_event_loop() -> None:
    offenders = {path.name: lines for path in sorted(STATE_DIR.glob("*.py"))
                 if (lines := _sessions_opened_outside_thread_functions(ast.parse(path.read_text())))}
    assert offenders == {}, f"database sessions opened in event handlers (use in_session_thread): {offenders}"


def test_the_check_finds_a_session_opened_in_a_handler() -> None:
    handler = ast.parse("class S:\n"
                        "    async def load(self):\n"
                        "        with session_scope() as session:\n"
                        "            pass\n")
    assert _sessions_opened_outside_thread_functions(handler) == [3]

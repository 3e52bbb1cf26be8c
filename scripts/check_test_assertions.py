"""Fail when a test function asserts nothing: a test that cannot fail proves nothing.

An AST scan of every `test_*` function in `tests/**/test_*.py`. A test passes the check when its body
(nested functions included) has at least one of:
- an `assert` statement;
- `pytest.raises(...)` or `pytest.warns(...)`;
- a Playwright `expect(...)`;
- a call to a helper whose name starts with `assert_` or `expect_` (the helper then does the asserting).

Usage: python scripts/check_test_assertions.py [folder ...]   (default: tests)
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

ROOT = Path(__file__).resolve().parent.parent
CHECKING_CALLS = {"raises", "warns", "expect"}
CHECKING_PREFIXES = ("assert_", "expect_")


def called_name(call: ast.Call) -> str:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return ""


def checks_something(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.Call):
            name = called_name(node)
            if name in CHECKING_CALLS or name.startswith(CHECKING_PREFIXES):
                return True
    return False


def test_functions(tree: ast.Module) -> Iterator[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Module-level test functions and the test methods of Test* classes, as pytest collects them."""
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test"):
            yield node
        elif isinstance(node, ast.ClassDef) and node.name.startswith("Test"):
            for member in node.body:
                if isinstance(member, ast.FunctionDef | ast.AsyncFunctionDef) and member.name.startswith("test"):
                    yield member


class Unchecked(NamedTuple):
    path: Path
    line: int
    name: str

    def __str__(self) -> str:
        where = self.path.relative_to(ROOT) if self.path.is_relative_to(ROOT) else self.path
        return f"{where}:{self.line}: {self.name} asserts nothing"


def unchecked(folders: list[Path]) -> list[Unchecked]:
    """Every test function under the folders that asserts nothing, in file and line order."""
    found: list[Unchecked] = []
    for folder in folders:
        for path in sorted(folder.rglob("test_*.py")):
            tree = ast.parse(path.read_text(), filename=str(path))
            found.extend(Unchecked(path, function.lineno, function.name)
                         for function in test_functions(tree) if not checks_something(function))
    return found


def main(arguments: list[str]) -> int:
    folders = [Path(argument).resolve() for argument in arguments] or [ROOT / "tests"]
    absent = [str(folder) for folder in folders if not folder.is_dir()]
    if absent:
        print(f"no such folder: {', '.join(absent)}")
        return 2
    found = unchecked(folders)
    for test in found:
        print(test)
    if found:
        print(f"{len(found)} test(s) with no assertion: give each an assert, pytest.raises, expect(...) "
              "or a call to an assert_*/expect_* helper.")
        return 1
    print("Every test function asserts something (assert, pytest.raises/warns, expect, an assert_*/expect_* helper).")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

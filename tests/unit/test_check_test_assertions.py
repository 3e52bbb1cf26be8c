"""The CI check that stops a test which cannot fail: it names every test function that asserts nothing."""

from __future__ import annotations

import importlib.util
import textwrap
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "check_test_assertions.py"
spec = importlib.util.spec_from_file_location("check_test_assertions", SCRIPT)
assert spec is not None and spec.loader is not None
check = importlib.util.module_from_spec(spec)
spec.loader.exec_module(check)

SAMPLE = '''
import pytest
from playwright.sync_api import expect

def test_asserts(): assert 1 + 1 == 2
def test_expects_an_error():
    with pytest.raises(ZeroDivisionError):
        1 / 0
def test_expects_a_warning():
    with pytest.warns(UserWarning): pass
def test_expects_on_a_page(page): expect(page).to_have_title("MyApprentice")
def test_leaves_it_to_a_helper(page): assert_signed_in(page)
def test_leaves_it_to_a_waiting_helper(page): page.expect_popup()
def test_only_calls_things(): print("ran")
class TestGrouped:
    def test_also_only_calls_things(self): sum([1, 2])
def helper_without_asserts(): pass
'''


def test_a_test_with_no_assert_raises_warns_or_expect_is_named_and_the_others_pass(tmp_path):
    (tmp_path / "test_sample.py").write_text(textwrap.dedent(SAMPLE))

    found = check.unchecked([tmp_path])

    assert [test.name for test in found] == ["test_only_calls_things", "test_also_only_calls_things"]
    assert str(found[0]) == f"{tmp_path / 'test_sample.py'}:14: test_only_calls_things asserts nothing"


def test_every_test_in_this_repository_asserts_something():
    assert check.unchecked([SCRIPT.parent.parent / "tests"]) == []

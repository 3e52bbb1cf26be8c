"""Xero's `where` / `order` mini-language over the flat per-record views of `views`, plus paging."""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from . import dates

TOKEN = re.compile(
    r'\s*(?:(?P<str>"(?:[^"]|"")*")|(?P<op>==|!=|>=|<=|>|<|=|&&|\|\|)|(?P<lp>\()|(?P<rp>\))|(?P<comma>,)'
    r"|(?P<num>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_.]*))"
)
METHODS = {
    "contains": lambda field, arg: arg in field,
    "startswith": lambda field, arg: field.startswith(arg),
    "endswith": lambda field, arg: field.endswith(arg),
}
Predicate = Callable[[dict[str, Any]], bool]


class QueryError(ValueError):
    pass


def tokenize(text: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = TOKEN.match(text, position)
        if not match or match.end() == position:
            raise QueryError(f"Operator '{text[position:].strip()[:1]}' incompatible with operand types")
        kind = match.lastgroup or ""
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class Parser:
    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0

    def peek(self) -> tuple[str, str]:
        return self.tokens[self.index] if self.index < len(self.tokens) else ("end", "")

    def take(self, kind: str | None = None) -> tuple[str, str]:
        token = self.peek()
        if token[0] == "end" or (kind and token[0] != kind):
            raise QueryError(f"Syntax error near '{token[1]}'")
        self.index += 1
        return token

    def is_word(self, *words: str) -> bool:
        kind, value = self.peek()
        return (kind == "name" and value.upper() in words) or (kind == "op" and value in words)

    def parse(self) -> Predicate:
        predicate = self.either()
        if self.peek()[0] != "end":
            raise QueryError(f"Syntax error near '{self.peek()[1]}'")
        return predicate

    def either(self) -> Predicate:
        parts = [self.both()]
        while self.is_word("OR", "||"):
            self.take()
            parts.append(self.both())
        return parts[0] if len(parts) == 1 else (lambda view: any(part(view) for part in parts))

    def both(self) -> Predicate:
        parts = [self.single()]
        while self.is_word("AND", "&&"):
            self.take()
            parts.append(self.single())
        return parts[0] if len(parts) == 1 else (lambda view: all(part(view) for part in parts))

    def single(self) -> Predicate:
        if self.is_word("NOT"):
            self.take()
            inner = self.single()
            return lambda view: not inner(view)
        if self.peek()[0] == "lp":
            self.take("lp")
            inner = self.either()
            self.take("rp")
            return inner
        return self.comparison()

    def comparison(self) -> Predicate:
        kind, name = self.peek()
        if kind == "name" and "." in name and name.rsplit(".", 1)[1].lower() in METHODS:
            self.take()
            field, method = name.rsplit(".", 1)
            self.take("lp")
            argument = self.value()
            self.take("rp")
            test = METHODS[method.lower()]
            needle = str(argument({})).lower()
            return lambda view: (
                isinstance(view.get(field.lower()), str) and test(view[field.lower()].lower(), needle)
            )
        left = self.value()
        kind, operator = self.take("op")
        right = self.value()
        return compare(left, operator, right)

    def value(self) -> Callable[[dict[str, Any]], Any]:
        kind, text = self.take()
        if kind == "str":
            literal = text[1:-1].replace('""', '"')  # a quote doubled, as System.Linq.Dynamic reads it
            return lambda view: literal
        if kind == "num":
            number = Decimal(text)
            return lambda view: number
        if kind != "name":
            raise QueryError(f"Syntax error near '{text}'")
        word = text.lower()
        if word in ("true", "false"):
            flag = word == "true"
            return lambda view: flag
        if word == "null":
            return lambda view: None
        if word in ("guid", "datetime") and self.peek()[0] == "lp":
            return self.call(word)
        return lambda view: view.get(word)

    def call(self, function: str) -> Callable[[dict[str, Any]], Any]:
        self.take("lp")
        args = [self.take()[1]]
        while self.peek()[0] == "comma":
            self.take("comma")
            args.append(self.take()[1])
        self.take("rp")
        if function == "guid":
            literal = args[0].strip('"').lower()
            return lambda view: literal
        try:
            moment = dates.where_datetime(*(int(arg) for arg in args))
        except (TypeError, ValueError) as exc:
            raise QueryError(f"Invalid DateTime({', '.join(args)})") from exc
        return lambda view: moment


def normalise(value: Any) -> Any:
    if isinstance(value, str):
        return value.lower()
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return Decimal(value)
    return value


def compare(left: Callable, operator: str, right: Callable) -> Predicate:
    def test(view: dict[str, Any]) -> bool:
        a, b = normalise(left(view)), normalise(right(view))
        if operator in ("==", "="):
            return a == b
        if operator == "!=":
            return a != b
        if a is None or b is None or type(a) is not type(b):
            return False
        if operator == ">":
            return a > b
        if operator == ">=":
            return a >= b
        if operator == "<":
            return a < b
        return a <= b

    return test


def where(text: str | None) -> Predicate | None:
    if not text or not text.strip():
        return None
    return Parser(text).parse()


def order(text: str | None) -> list[tuple[str, bool]]:
    """'UpdatedDateUTC ASC, InvoiceNumber DESC' → [(field, descending), ...]."""
    keys = []
    for part in (text or "").split(","):
        words = part.split()
        if not words:
            continue
        if len(words) > 2 or (len(words) == 2 and words[1].upper() not in ("ASC", "DESC")):
            raise QueryError(f"Invalid order clause '{part.strip()}'")
        keys.append((words[0].lower(), len(words) == 2 and words[1].upper() == "DESC"))
    return keys


def sort(items: list[Any], views: dict[int, dict[str, Any]], keys: list[tuple[str, bool]]) -> list[Any]:
    for field, descending in reversed(keys):
        items.sort(key=lambda item: sort_key(views[id(item)].get(field)), reverse=descending)
    return items


def sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, "")
    if isinstance(value, str):
        return (2, value.lower())
    return (1, value)


def csv(value: str | None) -> list[str]:
    return [part.strip() for part in (value or "").split(",") if part.strip()]


def flag(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


def page_of(items: list[Any], page: int, page_size: int) -> tuple[list[Any], dict[str, int]]:
    count = len(items)
    start = (page - 1) * page_size
    pagination = {
        "page": page,
        "pageSize": page_size,
        "pageCount": -(-count // page_size) if count else 0,
        "itemCount": count,
    }
    return items[start : start + page_size], pagination



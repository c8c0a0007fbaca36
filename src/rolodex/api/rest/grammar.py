"""Twenty's REST query-string grammar: the ``filter=`` and ``order_by=`` parameters.

    filter   := items EOF                         (several top-level items are AND-ed)
    items    := item ("," item)*
    item     := ("and" | "or" | "not") "(" items ")"  |  field "[" op "]" ":" value
    field    := ident ("." ident)*                ident = [A-Za-z_][A-Za-z0-9_]*
    value    := "[" [scalar ("," scalar)*] "]"    (only for op "in")  |  scalar
    scalar   := '"' text with \\" and \\\\ escapes '"'  |  bare text up to "," or ")"
    order_by := field ["[" direction "]"] ("," field ["[" direction "]"])*

Whitespace between tokens is ignored and bare values are stripped. Values stay strings,
except ``in`` (a list of strings) and ``is`` (``"NULL"`` or ``"NOT_NULL"``). Whether the
fields exist is the caller's business. Every error is a ``BadRequest`` that quotes the
input and gives the 0-based character position.
"""

from __future__ import annotations

import re

from rolodex.kit.errors import BadRequest
from rolodex.records.query import (
    OPERATORS,
    And,
    Cond,
    Direction,
    Filter,
    Not,
    Or,
    Order,
    parse_direction,
)

MAX_LENGTH = 10_000
MAX_DEPTH = 32

_IDENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_FIELD = re.compile(rf"{_IDENT.pattern}(?:\.{_IDENT.pattern})*")
_FUNCTIONS = ("and", "or", "not")
_IS_VALUES = ("NULL", "NOT_NULL")
_DIRECTIONS = ", ".join([*(d.value for d in Direction), "asc", "desc"])


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Scanner:
    """A cursor over the input that hands out tokens on demand and knows where it is."""

    def __init__(self, text: str, param: str) -> None:
        if not isinstance(text, str):
            raise BadRequest(f"{param} must be a string")
        if len(text) > MAX_LENGTH:
            raise BadRequest(f"{param} is too long: {len(text)} characters, at most {MAX_LENGTH}")
        self.text, self.param, self.pos = text, param, 0

    def fail(self, message: str, at: int | None = None) -> BadRequest:
        at = self.pos if at is None else at
        return BadRequest(f'Invalid {self.param} "{_clip(self.text)}": {message} at position {at}')

    def ws(self) -> str:
        """Skip whitespace; return the next character, or "" at the end."""
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def found(self) -> str:
        ch = self.ws()
        return f"'{ch}'" if ch else "end of input"

    def eat(self, ch: str) -> bool:
        if self.ws() == ch:
            self.pos += 1
            return True
        return False

    def expect(self, ch: str, context: str) -> None:
        if not self.eat(ch):
            raise self.fail(f"expected '{ch}' {context}, found {self.found()}")

    def word(self) -> str:
        """An identifier, or "" if there is none here."""
        self.ws()
        m = _IDENT.match(self.text, self.pos)
        if not m:
            return ""
        self.pos = m.end()
        return m.group()

    def name(self, what: str) -> str:
        """A field name, possibly dotted (``name.firstName``)."""
        self.ws()
        m = _FIELD.match(self.text, self.pos)
        if not m:
            raise self.fail(f"expected {what}, found {self.found()}")
        self.pos = m.end()
        return m.group()

    def quoted(self) -> str:
        """A double-quoted string (the cursor is on the opening quote)."""
        start, text = self.pos, self.text
        out: list[str] = []
        self.pos += 1
        while self.pos < len(text):
            ch = text[self.pos]
            if ch == '"':
                self.pos += 1
                return "".join(out)
            if ch == "\\":
                nxt = text[self.pos + 1 : self.pos + 2]
                if not nxt:
                    break
                if nxt not in ('"', "\\"):
                    raise self.fail('unknown escape in quoted value (only \\" and \\\\)')
                ch = nxt
                self.pos += 1
            out.append(ch)
            self.pos += 1
        raise self.fail("unterminated quoted value starting", start)

    def scalar(self, stops: str, forbidden: str) -> str:
        """A quoted value, or bare text up to one of ``stops`` (stripped)."""
        if self.ws() == '"':
            return self.quoted()
        start = self.pos
        while self.pos < len(self.text) and (ch := self.text[self.pos]) not in stops:
            if ch in forbidden:
                raise self.fail(f"'{ch}' inside an unquoted value (quote the whole value)")
            self.pos += 1
        return self.text[start : self.pos].strip()


def parse_filter(text: str) -> Filter:
    """Parse a ``filter=`` parameter into a Cond/And/Or/Not tree."""
    s = _Scanner(text, "filter")
    items = _items(s, 0, None)
    return items[0] if len(items) == 1 else And(tuple(items))


def _items(s: _Scanner, depth: int, opened: int | None) -> list[Filter]:
    """Comma-separated items, then the end of input (top level) or the closing ')'."""
    items = [_item(s, depth)]
    while s.eat(","):
        items.append(_item(s, depth))
    ch = s.ws()
    if opened is None:
        if ch == ")":
            raise s.fail("unbalanced ')' with no matching '('")
        if ch:
            raise s.fail(f"unexpected '{ch}', expected ',' or end of filter")
    elif not ch:
        raise s.fail(f"missing ')' (group opened at position {opened})")
    elif not s.eat(")"):
        raise s.fail(f"unexpected '{ch}', expected ',' or ')'")
    return items


def _item(s: _Scanner, depth: int) -> Filter:
    """A group ``and(...)``/``or(...)``/``not(...)`` or a condition ``field[op]:value``."""
    if s.ws() in ("", ",", ")"):
        raise s.fail("empty condition")
    start = s.pos
    name = s.name("a field name or and(/or(/not(")
    if s.eat("("):
        if name not in _FUNCTIONS:
            raise s.fail(f"unknown function '{name}' (expected and, or, not)", start)
        if depth >= MAX_DEPTH:
            raise s.fail(f"nesting deeper than {MAX_DEPTH}", start)
        items = _items(s, depth + 1, start)
        if name == "not":
            return Not(items[0] if len(items) == 1 else And(tuple(items)))
        return (And if name == "and" else Or)(tuple(items))
    if not s.eat("["):
        raise s.fail(f"expected '[operator]' or '(' after '{name}', found {s.found()}")
    s.ws()
    op_at = s.pos
    op = s.word()
    if op not in OPERATORS:
        what = f"unknown operator '{op}'" if op else "missing operator"
        raise s.fail(f"{what} for '{name}' (allowed: {', '.join(sorted(OPERATORS))})", op_at)
    s.expect("]", f"after operator '{op}'")
    s.expect(":", f"after '{name}[{op}]'")
    if op == "in":
        return Cond(name, op, _list(s))
    s.ws()
    value_at = s.pos
    value = s.scalar(",)", '"(')
    if op == "is":
        if value.upper() not in _IS_VALUES:
            raise s.fail(f"'is' takes NULL or NOT_NULL, not '{_clip(value, 40)}'", value_at)
        value = value.upper()
    return Cond(name, op, value)


def _list(s: _Scanner) -> list[str]:
    """``[a, "b, c", d]`` for the ``in`` operator."""
    if s.ws() != "[":
        raise s.fail(f"'in' takes a list such as [a,b], found {s.found()}")
    start = s.pos
    s.pos += 1
    if s.eat("]"):
        return []
    values: list[str] = []
    while True:
        ch = s.ws()
        if not ch:
            raise s.fail("unterminated list starting", start)
        if ch in ",]":
            raise s.fail("empty list item")
        values.append(s.scalar(",]", '"()['))
        if s.eat("]"):
            return values
        if not s.eat(","):
            if not s.ws():
                raise s.fail("unterminated list starting", start)
            raise s.fail(f"expected ',' or ']' in list, found {s.found()}")


def parse_order_by(text: str) -> tuple[Order, ...]:
    """Parse an ``order_by=`` parameter: ``field[Direction]`` or ``field``, comma-separated."""
    s = _Scanner(text, "order_by")
    orders: list[Order] = []
    seen: set[str] = set()
    while True:
        if s.ws() in ("", ","):
            raise s.fail("empty order item")
        at = s.pos
        name = s.name("a field name")
        if name in seen:
            raise s.fail(f"'{name}' is ordered by twice", at)
        direction = Direction.ASC_NULLS_FIRST
        if s.eat("["):
            s.ws()
            word_at = s.pos
            word = s.word()
            parsed = parse_direction(word) if word else None
            if parsed is None:
                what = f"unknown direction '{word}'" if word else "missing direction"
                raise s.fail(f"{what} for '{name}' (allowed: {_DIRECTIONS})", word_at)
            direction = parsed
            s.expect("]", f"after direction '{word}'")
        seen.add(name)
        orders.append(Order(name, direction))
        if not s.eat(","):
            break
    if s.ws():
        raise s.fail(f"unexpected {s.found()}, expected ',' or end of order_by")
    return tuple(orders)

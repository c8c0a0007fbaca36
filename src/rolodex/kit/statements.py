"""Compiled statements and what can be told from their text alone.

``Database.sql`` compiles each statement once per shape into a ``Sql``; a
connection runs it with named parameters. ``writes`` tells a write from a
read without parsing, which the deferred transactions of sessions and the
read-only connections need on every statement.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Row = Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Sql:
    """A compiled statement: its text and the order of its named parameters."""

    text: str
    names: tuple[str, ...]
    defaults: Mapping[str, Any]

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        d = self.defaults
        return [params[n] if n in params else d[n] for n in self.names]


# The compiler writes keywords in capitals at the start of a statement.
_WRITE_HEADS = frozenset({"INSERT", "UPDATE", "DELETE", "REPLAC", "CREATE", "ALTER ", "DROP T"})
_MODIFYING = re.compile(r"\b(INSERT|UPDATE|DELETE)\b")


def writes(sql: Sql) -> bool:
    """Whether ``sql`` changes data (cheap: a look at the statement's first word)."""
    head = sql.text[:6].upper()
    return head in _WRITE_HEADS or (head[:4] == "WITH" and bool(_MODIFYING.search(sql.text)))


class StatementAfterLast(RuntimeError):
    """A write was sent after the statement that ended its unit of work."""

"""What a list query asks for, independent of the interface it came through.

REST's filter grammar and GraphQL's filter input both parse into these
nodes; ``records.sql`` turns them into SQL.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from rolodex.config import COUNT_LIMIT

OPERATORS = frozenset(
    {
        "eq",
        "neq",
        "in",
        "gt",
        "gte",
        "lt",
        "lte",
        "like",
        "ilike",
        "startsWith",
        "contains",
        "is",
    }
)


@dataclass(frozen=True, slots=True)
class Cond:
    """``field op value``. For ``in`` the value is a list; for ``is`` it is NULL or NOT_NULL."""

    field: str
    op: str
    value: Any


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Filter, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: Filter


@dataclass(frozen=True, slots=True)
class Rel:
    """Records with at least one related record, through the relation ``relation``,
    that matches ``item`` (GraphQL's ``company: {name: {eq: "Acme"}}``; REST's
    ``company.name[eq]:Acme`` is a ``Cond`` on a dotted path, read the same way)."""

    relation: str
    item: Filter


Filter = Cond | And | Or | Not | Rel


class Direction(StrEnum):
    ASC_NULLS_FIRST = "AscNullsFirst"
    ASC_NULLS_LAST = "AscNullsLast"
    DESC_NULLS_FIRST = "DescNullsFirst"
    DESC_NULLS_LAST = "DescNullsLast"

    @property
    def descending(self) -> bool:
        return self.value.startswith("Desc")

    @property
    def nulls_first(self) -> bool:
        return self.value.endswith("NullsFirst")

    def reversed(self) -> Direction:
        return {
            Direction.ASC_NULLS_FIRST: Direction.DESC_NULLS_LAST,
            Direction.ASC_NULLS_LAST: Direction.DESC_NULLS_FIRST,
            Direction.DESC_NULLS_FIRST: Direction.ASC_NULLS_LAST,
            Direction.DESC_NULLS_LAST: Direction.ASC_NULLS_FIRST,
        }[self]


def parse_direction(text: str) -> Direction | None:
    """``AscNullsFirst`` and friends, plus plain ``asc``/``desc`` (nulls sort as the
    smallest values: first ascending, last descending, as in Twenty)."""
    for d in Direction:
        if d.value.lower() == text.lower():
            return d
    low = text.lower()
    if low == "asc":
        return Direction.ASC_NULLS_FIRST
    if low == "desc":
        return Direction.DESC_NULLS_LAST
    return None


class CountMode(StrEnum):
    """How a list counts its matches (``?count=`` in REST, ``count:`` in GraphQL).

    ``estimate`` (what REST and GraphQL ask for by default) counts exactly up
    to a bound (``ROLODEX_COUNT_LIMIT``) and estimates beyond it, so a count
    costs the same at a thousand matches as at a million; ``exact`` counts
    every match; ``none`` does not count (docs/api.md, "Counts").
    """

    EXACT = "exact"
    ESTIMATE = "estimate"
    NONE = "none"


@dataclass(frozen=True, slots=True)
class Order:
    field: str
    direction: Direction = Direction.ASC_NULLS_FIRST


@dataclass(slots=True)
class ListQuery:
    """One page of records: filter, order and keyset cursors."""

    filter: Filter | None = None
    order: tuple[Order, ...] = ()
    limit: int = 60
    after: str | None = None  # cursor: records after this one
    before: str | None = None  # cursor: records before this one
    last: bool = False  # take the last ``limit`` records before ``before`` (or the end)
    with_total: bool = True
    # How the total is counted: exact unless the caller (an interface) asks otherwise.
    count: CountMode = CountMode.EXACT
    count_limit: int = COUNT_LIMIT
    include: tuple[str, ...] = field(default_factory=tuple)

"""A list's total at a cost that does not grow with the workspace.

An exact ``count(*)`` reads every match: over a million people it was 45 of
a list's 63 ms. In ``estimate`` mode (what the APIs ask for by default) the
page's statement counts at most ``count_limit + 1`` matches, through the same
filter and index as the page (``SELECT count(*) FROM (SELECT 1 ... LIMIT n)``).
At or under the bound that count is exact. Beyond it, PostgreSQL's planner
estimates the matches from its statistics (``EXPLAIN`` of the same filtered
statement, one more round trip that reads no rows), never reported as fewer
than the matches already counted; SQLite, which keeps no such estimate,
reports the matches counted (``count_limit + 1``) as a lower bound. Either way
the total is flagged as not exact. See docs/api.md, "Counts".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson
import sqlalchemy as sa

from rolodex.kit.db import Conn, Sql
from rolodex.kit.errors import BadRequest
from rolodex.kit.lru import LRU
from rolodex.records.query import Cond, CountMode, Filter, ListQuery, Not, Rel


@dataclass(frozen=True, slots=True)
class Total:
    """How many records a list's filter matches, and whether that is exact."""

    value: int
    exact: bool


def parse_count_mode(text: str | None, field: str = "count") -> CountMode:
    """``exact``, ``estimate`` or ``none`` (any case); the default, ``estimate``, when absent."""
    if text is None or text == "":
        return CountMode.ESTIMATE
    try:
        return CountMode(text.lower())
    except ValueError:
        choices = ", ".join(m.value for m in CountMode)
        raise BadRequest(
            f"{field} must be one of {choices}; got {text[:40]!r}.", field=field
        ) from None


def counts(q: ListQuery) -> bool:
    """Whether the query asks for a total at all."""
    return q.with_total and q.count is not CountMode.NONE


def bounded(q: ListQuery) -> bool:
    """Whether the total is counted only up to the bound."""
    return q.count is CountMode.ESTIMATE


def _negates(node: Filter | None) -> bool:
    """Whether a filter holds a negation (``neq``, ``not``), which matches most records."""
    if node is None:
        return False
    if isinstance(node, Cond):
        return node.op == "neq"
    if isinstance(node, Not):
        return True
    if isinstance(node, Rel):
        return _negates(node.item)
    return any(_negates(item) for item in node.items)


def count_of(table: Any, where: list[Any], q: ListQuery) -> sa.Select[Any]:
    """``count(*)`` of the rows of ``table`` matching ``where``, bounded in estimate mode."""
    if not bounded(q):
        return sa.select(sa.func.count()).select_from(table).where(*where)
    # The bound is a literal, not a parameter, so the planner knows how few rows
    # it needs and walks an index only that far.
    limited: sa.Select[Any] = (
        sa.select(sa.literal_column("1"))
        .select_from(table)
        .where(*where)
        .limit(sa.literal_column(str(q.count_limit + 1)))
    )
    if _negates(q.filter):
        # A negation matches most of the workspace and no index range serves it:
        # with a bare LIMIT, PostgreSQL expects a sequential scan of the table to
        # stop early, which reads every workspace's rows when this one's come
        # late. In the primary key's order, the scan stays in the workspace's range.
        limited = limited.order_by(table.c.id)
    return sa.select(sa.func.count()).select_from(limited.subquery("bounded_"))


# Operators whose matches no index range can count up to the bound: a
# ``%42%`` pattern is checked row by row, so counting 10,001 matches out of a
# million people read 150,000 rows (149 ms, bench/scale.py) against 3 ms for
# the page alone.
_SCANNING = frozenset({"like", "ilike", "contains"})


def _scans(node: Filter | None) -> bool:
    """Whether a filter holds a substring match, whose count cannot stop early."""
    if node is None:
        return False
    if isinstance(node, Cond):
        return node.op in _SCANNING
    if isinstance(node, Not | Rel):
        return _scans(node.item)
    return any(_scans(item) for item in node.items)


# Filter shapes (workspace, object, fields and operators; not the values) whose
# bounded count last overflowed the bound. An equality on a common value
# (``jobTitle[eq]`` with 125,000 of a million people) counts 10,001 index
# entries and, until VACUUM sets the visibility map, reads their rows from the
# heap: 16.4 ms against 3.4 ms at 10,000 people (bench/scale.py). Once a shape
# has overflowed, its next lists ask the planner first, one ``EXPLAIN`` that
# reads no rows; a shape that never overflows (a unique email) never pays it.
_OVERFLOWED: LRU[tuple[Any, ...], bool] = LRU(4096)

# Past how many times the bound an estimate replaces the count, for filters an
# index range can count: far enough past it that a planner's error (statistics
# are samples) cannot turn a total under the bound into an estimate.
_FAR_PAST = 10


def plans_first(q: ListQuery, sqlite: bool, shape: tuple[Any, ...] | None = None) -> bool:
    """Whether to ask the planner before counting.

    For a substring filter on PostgreSQL, the planner's estimate (from the
    column's statistics, which ``kit/analyze.py`` keeps fresh) decides: past
    the bound the total is that estimate and nothing is counted; under it the
    bounded count runs as usual, so small results stay exact. Any other filter
    asks first once its shape has overflowed the bound (``overflowed``).
    """
    if not bounded(q) or sqlite or q.filter is None:
        return False
    return _scans(q.filter) or (shape is not None and shape in _OVERFLOWED)


def estimate_wins(q: ListQuery, planned_rows: int) -> bool:
    """Whether the planner's estimate is far enough past the bound to stand for the total."""
    limit = q.count_limit if _scans(q.filter) else q.count_limit * _FAR_PAST
    return planned_rows > limit


def overflowed(q: ListQuery, shape: tuple[Any, ...], counted: int) -> None:
    """Remember (or forget) that a filter shape's bounded count overflowed the bound."""
    if not bounded(q) or q.filter is None:
        return
    if counted > q.count_limit:
        _OVERFLOWED.put(shape, True)
    else:
        _OVERFLOWED.pop(shape)


async def planned(conn: Conn, matching: Sql, params: Mapping[str, Any]) -> int:
    """The planner's estimate of how many rows ``matching`` returns."""
    plan = await conn.fetchval(
        Sql("EXPLAIN (FORMAT JSON) " + matching.text, matching.names, matching.defaults), params
    )
    return _planned_rows(plan)


def _planned_rows(plan: Any) -> int:
    """The planner's row estimate in ``EXPLAIN (FORMAT JSON)`` output."""
    if isinstance(plan, str | bytes):
        plan = orjson.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


async def settle(
    conn: Conn,
    q: ListQuery,
    counted: int,
    matching: Callable[[], Sql],
    params: Mapping[str, Any],
) -> Total:
    """The total to report once ``counted`` matches were counted.

    ``matching`` compiles the filtered ``SELECT 1`` whose plan estimates the
    matches; it is only built and explained past the bound.
    """
    if not bounded(q) or counted <= q.count_limit:
        return Total(counted, True)
    if conn.sqlite:
        return Total(counted, False)
    return Total(max(await planned(conn, matching(), params), counted), False)

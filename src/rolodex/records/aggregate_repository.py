"""SQL for aggregates: grouped counts, sums, averages, minima and maxima of one object.

One statement per request: the object's live records (as lists see them),
narrowed by the list filter grammar's AST through the same ``FilterWalk``,
grouped in the database and cut to a bounded number of groups, so neither
the process nor the answer grows with the workspace. The statement for a
shape (dimensions, metrics, filter structure) is compiled once and cached.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from rolodex.kit.db import Row
from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.fieldtypes.date_time import DateTimeKind
from rolodex.metadata.model import FieldDef
from rolodex.records.query import Filter
from rolodex.records.repository import RecordRepository
from rolodex.records.sql import FilterWalk

# SQLite's date() modifiers for each unit: a week starts on Monday (ISO 8601),
# so the next Sunday (or the day itself) less six days.
_SQLITE_UNITS: dict[str, tuple[str, ...]] = {
    "day": (),
    "week": ("weekday 0", "-6 days"),
    "month": ("start of month",),
    "year": ("start of year",),
}


def _literal(text: str) -> Any:
    # Written into the statement, not bound: a bound value in a grouped expression
    # is a different parameter in SELECT and GROUP BY, which PostgreSQL refuses.
    return sa.literal_column("'" + text.replace("'", "''") + "'")


def truncated(expr: Any, f: FieldDef, unit: str, sqlite: bool) -> Any:
    """``expr`` (a date or an instant) cut to the start of its ``unit``, as a date.

    Instants are cut in UTC, the time zone they are stored in.
    """
    if sqlite:
        # Stored as ISO text (``2025-10-31T10:30:45.123Z`` or ``2025-10-31``).
        return sa.func.date(expr, *(_literal(m) for m in _SQLITE_UNITS[unit]))
    instant = isinstance(kind(f), DateTimeKind)
    if f.column is None:  # custom values are ISO text inside the JSON document
        expr = sa.cast(expr, sa.DateTime(timezone=instant))
    # An instant as UTC wall time (timestamptz -> timestamp); a date as midnight.
    expr = sa.func.timezone(_literal("UTC"), expr) if instant else sa.cast(expr, sa.DateTime())
    return sa.cast(sa.func.date_trunc(_literal(unit), expr), sa.Date())


def metric_expr(op: str, expr: Any) -> Any:
    """The aggregate of one metric over a group (``expr`` is None for ``count``)."""
    if op == "count":
        return sa.func.count()
    if op == "countEmpty":
        return sa.func.count() - sa.func.count(expr)
    if op == "countNotEmpty":
        return sa.func.count(expr)
    if op == "countDistinct":
        return sa.func.count(sa.distinct(expr))
    return getattr(sa.func, op)(expr)  # sum, avg, min, max


class AggregateRepository(RecordRepository):
    """Grouped aggregates of one object's records in one workspace."""

    def _value(self, f: FieldDef, unit: str | None) -> Any:
        expr = kind(f).expr(self.table, f)
        return expr if unit is None else truncated(expr, f, unit, self.conn.sqlite)

    def _measured(self, op: str, f: FieldDef) -> Any:
        expr = self._value(f, None)
        if op.startswith("count") and kind(f).text_literal:
            # An empty string is no value, as Twenty counts it.
            return sa.func.nullif(expr, _literal(""))
        return expr

    async def aggregate(
        self,
        dimensions: Sequence[tuple[FieldDef, str | None]],
        metrics: Sequence[tuple[str, FieldDef | None]],
        flt: Filter | None,
        limit: int,
    ) -> list[Row]:
        """Rows ``g0.., n, m0..``: each group's key values, its record count and its
        metrics, largest groups first (then by key, empty keys last), at most
        ``limit`` of them. Without dimensions, one row over every match."""
        sqlite = self.conn.sqlite
        walk = FilterWalk(self.obj, self.table, sqlite)
        if flt is not None:
            walk.walk(flt, build=False)
        # As lists: a filter on deletedAt asks about soft-deleted records too.
        with_deleted = walk.mentions_deleted
        shape = (
            tuple(walk.shape),
            with_deleted,
            tuple((f.name, f.type, f.column, unit) for f, unit in dimensions),
            tuple((op, None if f is None else (f.name, f.type, f.column)) for op, f in metrics),
        )

        def build() -> Any:
            w = FilterWalk(self.obj, self.table, sqlite)
            where = self._scope() if with_deleted else self._live()
            if flt is not None:
                where.append(w.walk(flt, build=True))
            keys = [self._value(f, unit) for f, unit in dimensions]
            columns = [
                *(k.label(f"g{i}") for i, k in enumerate(keys)),
                sa.func.count().label("n"),
                *(
                    metric_expr(op, None if f is None else self._measured(op, f)).label(f"m{i}")
                    for i, (op, f) in enumerate(metrics)
                ),
            ]
            stmt = sa.select(*columns).select_from(self.table).where(*where)
            if not keys:
                return stmt
            return (
                stmt.group_by(*keys)
                .order_by(sa.desc(sa.literal_column("n")), *(k.asc().nulls_last() for k in keys))
                .limit(sa.bindparam("limit"))
            )

        sql = self.db.sql(self._key("aggregate", shape), build)
        return await self.conn.fetch(sql, {**self.base, **walk.params, "limit": limit})

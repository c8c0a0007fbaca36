"""SQL for records of one object: every statement here is scoped to a workspace."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from rolodex.kit.db import Row, Sql
from rolodex.metadata.model import FieldDef
from rolodex.metadata.storage import DERIVED_COLUMNS
from rolodex.metadata.types import kind
from rolodex.records import counting
from rolodex.records.counting import Total
from rolodex.records.ordering import after_clause, decode_cursor, order_clause, order_fields
from rolodex.records.paths import Joins, from_row, is_joined
from rolodex.records.query import ListQuery
from rolodex.records.repository_writes import RecordWrites
from rolodex.records.schemas import CUSTOM_SIZE
from rolodex.records.sql import FilterWalk

# The column a page carries its filtered total in, when asked (see _count_clause).
TOTAL = "total_"


def _numbered(prefix: str, values: Sequence[Any]) -> dict[str, Any]:
    return {f"{prefix}{i}": v for i, v in enumerate(values)}


class RecordRepository(RecordWrites):
    """Reads and writes one object's table for one workspace; nothing else builds its SQL
    (the writes are in ``repository_writes.py``)."""

    def _columns(self, as_text: bool) -> list[Any]:
        """What a read returns: the whole row. With ``as_text`` (PostgreSQL only), the
        custom document is the text PostgreSQL keeps beside it (migration 0006),
        which spares it converting the ``jsonb`` on every read, with its number
        of keys (see ``schemas.Spliced``); the serialiser parses the text."""
        t = self.table
        if not as_text:
            return [t]
        text, size = DERIVED_COLUMNS
        return [
            *(c for c in t.c if c.name != "custom"),
            sa.literal_column(f"{t.name}.{text}", sa.Text()).label("custom"),
            sa.literal_column(f"{t.name}.{size}", sa.Integer()).label(CUSTOM_SIZE),
        ]

    def _join(self, f: FieldDef) -> Any:
        """The SQL expression of a relation's id field (a column, or JSON for custom ones)."""
        return kind(f).expr(self.table, f)

    def _join_value(self, f: FieldDef, value: Any) -> Any:
        return kind(f).filter_value(f, value)

    # -- reads ----------------------------------------------------------------
    async def get(
        self,
        record_id: uuid.UUID,
        *,
        lock: bool = False,
        deleted: bool | None = False,
        as_text: bool = False,
    ) -> Row | None:
        """A record by id: live ones (``deleted=False``), soft-deleted ones (``True``),
        or either (``None``); ``as_text`` as for ``_columns``."""
        t = self.table
        lock = lock and not self.conn.sqlite  # SQLite writers already hold the database lock

        def build() -> Any:
            # By primary key alone: with ``deleted_at IS NULL`` in the statement,
            # a table not analyzed since it grew (the planner then guesses that
            # 0.5% of rows are live) looked up ids through the partial index of
            # live records, reading the whole workspace (docs/scaling.md).
            stmt = sa.select(*self._columns(as_text)).where(
                *self._scope(), t.c.id == sa.bindparam("id")
            )
            return stmt.with_for_update() if lock else stmt

        sql = self.db.sql(self._key("get", lock, as_text), build)
        row = await self.conn.fetchrow(sql, {**self.base, "id": record_id})
        if row is None or deleted is None or (row["deleted_at"] is not None) == deleted:
            return row
        return None

    def _member(self, expr: Any, name: str, values: Sequence[Any], elem: Any) -> Any:
        """``expr`` is one of ``values``: ``= ANY(array)`` on PostgreSQL, ``IN`` on SQLite.

        One array parameter keeps one prepared statement for any number of
        values; with ``IN ($1..$n)`` PostgreSQL switches to a generic plan after
        five runs, which scans the whole workspace for bulk loads (measured:
        225 ms instead of 1 ms per batch at 20,000 rows).
        """
        if self.conn.sqlite:
            return expr.in_([sa.bindparam(f"{name}{i}") for i in range(len(values))])
        return expr == sa.any_(sa.cast(sa.bindparam(name), pg.ARRAY(elem)))

    def _members(self, name: str, values: Sequence[Any]) -> dict[str, Any]:
        if self.conn.sqlite:
            return _numbered(name, values)
        return {name: list(values)}

    def _size(self, values: Sequence[Any]) -> int:
        """Part of a statement's cache key: the number of values, where it shapes the SQL."""
        return len(values) if self.conn.sqlite else 0

    async def get_many(self, ids: Sequence[uuid.UUID]) -> list[Row]:
        if not ids:
            return []
        t = self.table
        sql = self.db.sql(
            self._key("get_many", self._size(ids)),
            lambda: sa.select(t).where(*self._live(), self._member(t.c.id, "i", ids, pg.UUID())),
        )
        return await self.conn.fetch(sql, {**self.base, **self._members("i", ids)})

    async def existing_ids(self, ids: Sequence[uuid.UUID]) -> set[str]:
        if not ids:
            return set()
        t = self.table
        sql = self.db.sql(
            self._key("exists", self._size(ids)),
            lambda: sa.select(t.c.id).where(
                *self._live(), self._member(t.c.id, "i", ids, pg.UUID())
            ),
        )
        rows = await self.conn.fetch(sql, {**self.base, **self._members("i", ids)})
        return {str(r["id"]) for r in rows}

    async def by_unique(self, f: FieldDef, values: Sequence[str]) -> list[Row]:
        """Records (soft-deleted too) whose ``f`` equals one of ``values``, ignoring case."""
        if not values:
            return []
        t = self.table
        lowered = [v.lower() for v in values]

        def build() -> Any:
            col = sa.func.lower(self._join(f))
            return sa.select(t).where(*self._scope(), self._member(col, "u", lowered, sa.Text()))

        sql = self.db.sql(self._key("unique", f.name, self._size(values)), build)
        return await self.conn.fetch(sql, {**self.base, **self._members("u", lowered)})

    async def referencing(
        self, f: FieldDef, target_id: uuid.UUID, *, deleted_at: Any = None
    ) -> list[Row]:
        """Records whose join field ``f`` points at ``target_id``: live ones, or those
        soft-deleted at exactly ``deleted_at`` (deleted together with the target)."""
        t = self.table
        gone = deleted_at is not None

        def build() -> Any:
            state = t.c.deleted_at == sa.bindparam("gone") if gone else t.c.deleted_at.is_(None)
            return sa.select(t).where(
                *self._scope(), state, self._join(f) == sa.bindparam("target")
            )

        sql = self.db.sql(self._key("referencing", f.name, gone), build)
        target = self._join_value(f, target_id)
        return await self.conn.fetch(sql, {**self.base, "target": target, "gone": deleted_at})

    async def related(self, f: FieldDef, target_ids: Sequence[Any], limit: int) -> list[Row]:
        """Up to ``limit`` records per target pointing at ``target_ids`` through ``f``."""
        if not target_ids:
            return []
        t = self.table
        values = [self._join_value(f, v) for v in target_ids]
        elem = pg.UUID() if f.column is not None else sa.Text()

        def build() -> Any:
            join = self._join(f)
            rank = sa.func.row_number().over(partition_by=join, order_by=t.c.id)
            inner = (
                sa.select(t, rank.label("rank_"))
                .where(*self._live(), self._member(join, "t", values, elem))
                .subquery()
            )
            return sa.select(inner).where(inner.c.rank_ <= limit).order_by(inner.c.id)

        sql = self.db.sql(self._key("related", f.name, self._size(values), limit), build)
        return await self.conn.fetch(sql, {**self.base, **self._members("t", values)})

    async def count_related(self, f: FieldDef, target_ids: Sequence[Any]) -> dict[str, int]:
        """How many live records point at each of ``target_ids`` through ``f`` (one query)."""
        if not target_ids:
            return {}
        values = [self._join_value(f, str(v)) for v in target_ids]
        elem = pg.UUID() if f.column is not None else sa.Text()

        def build() -> Any:
            join = self._join(f)
            return (
                sa.select(join.label("parent"), sa.func.count().label("n"))
                .where(*self._live(), self._member(join, "t", values, elem))
                .group_by(join)
            )

        sql = self.db.sql(self._key("count_related", f.name, self._size(values)), build)
        rows = await self.conn.fetch(sql, {**self.base, **self._members("t", values)})
        return {str(r["parent"]): int(r["n"]) for r in rows}

    async def page(
        self, q: ListQuery
    ) -> tuple[list[Row], bool, Total | None, list[dict[str, Any]] | None]:
        """One page of records, whether more follow, (if asked) the total (counted as
        ``q.count`` says, see ``records/counting.py``) and, when the order follows
        a relation, each record's joined order values by key name (its cursor's).

        Pages are only ever serialised, so on PostgreSQL their custom documents
        come as text (``_columns``)."""
        keys = order_fields(self.obj, q.order, self.objects)
        backwards = q.before is not None or (q.last and q.after is None)
        cursor = q.before if backwards else q.after
        # Cursors carry the tag of the order as requested, whichever way we walk.
        cursor_values = decode_cursor(keys, cursor) if cursor else None
        if backwards:
            keys = [(f, d.reversed()) for f, d in keys]
        joins = Joins(self.obj, self.objects, keys)

        walk = FilterWalk(self.obj, self.table, self.conn.sqlite, self.objects)
        if q.filter is not None:
            walk.walk(q.filter, build=False)
        filter_params = dict(walk.params)
        filter_shape = tuple(walk.shape)
        # A statement over several record tables names the table of every custom value.
        qualify = walk.follows or bool(joins)
        # A filter on deletedAt asks about soft-deleted records too (Twenty's convention).
        with_deleted = walk.mentions_deleted
        if cursor_values is not None:
            after_clause(walk, keys, cursor_values, build=False)
        with_total = counting.counts(q)
        estimated = None
        overflow_key = (self.ws, self.obj.id, filter_shape, with_deleted)
        if with_total and counting.plans_first(q, self.conn.sqlite, overflow_key):
            matching = self._matching_sql(q, filter_shape, with_deleted)
            planned = await counting.planned(self.conn, matching, {**self.base, **filter_params})
            if counting.estimate_wins(q, planned):
                estimated, with_total = Total(planned, False), False
        count_shape = (q.count, q.count_limit) if with_total else None
        order_shape = tuple((f.name, f.type, d) for f, d in keys)
        shape = (tuple(walk.shape), order_shape, joins.shape, count_shape)
        limit = q.limit + 1
        joined = [f for f, _ in keys if is_joined(f)]

        def build() -> Any:
            w = FilterWalk(self.obj, self.table, self.conn.sqlite, self.objects, qualify=qualify)
            where = self._scope() if with_deleted else self._live()
            if q.filter is not None:
                where.append(w.walk(q.filter, build=True))
            if cursor_values is not None:
                where.append(after_clause(w, keys, cursor_values, build=True, joins=joins))
            columns = self._columns(not self.conn.sqlite)
            # The joined order values, for the cursors.
            columns += [joins.expr(self.table, f).label(f"key_{i}") for i, f in enumerate(joined)]
            if with_total:
                columns.append(self._count_clause(q, with_deleted).label(TOTAL))
            stmt = sa.select(*columns)
            if joins:
                stmt = stmt.select_from(joins.select_from(self.table, self.conn.sqlite))
            return (
                stmt.where(*where)
                .order_by(*order_clause(self.table, keys, joins))
                .limit(sa.bindparam("limit"))
            )

        sql = self.db.sql(self._key("page", shape), build)
        params = {**self.base, **walk.params, **joins.params, "limit": limit}
        rows = await self.conn.fetch(sql, params)
        total = estimated
        if with_total:
            if rows:
                counted = int(rows[0][TOTAL])
            elif cursor is None and q.limit > 0:
                counted = 0  # nothing from the start of the list: nothing at all
            else:
                counted = await self._count(q, filter_shape, filter_params, with_deleted)
            counting.overflowed(q, overflow_key, counted)
            total = await counting.settle(
                self.conn,
                q,
                counted,
                lambda: self._matching_sql(q, filter_shape, with_deleted),
                {**self.base, **filter_params},
            )
        more = len(rows) > q.limit
        rows = rows[: q.limit]
        if total is not None and not total.exact and cursor is None and not more:
            total = Total(len(rows), True)  # the whole list fits on the page: no need to guess
        if backwards:
            rows.reverse()
        extras = None
        if joined:
            sqlite = self.conn.sqlite
            extras = [
                {f.name: from_row(f, row[f"key_{i}"], sqlite) for i, f in enumerate(joined)}
                for row in rows
            ]
        return rows, more, total, extras

    def _matching(self, q: ListQuery, with_deleted: bool) -> tuple[Any, list[Any]]:
        """The table (as an alias) and the conditions of the records the filter matches.

        The filter is walked again over the alias, which gives its parameters
        the same names as in the page's own walk.
        """
        t = self.table.alias("matching")
        qualify = False
        if q.filter is not None:  # (only when a statement is built: once per shape)
            probe = FilterWalk(self.obj, t, self.conn.sqlite, self.objects)
            probe.walk(q.filter, build=False)
            qualify = probe.follows
        w = FilterWalk(self.obj, t, self.conn.sqlite, self.objects, qualify=qualify)
        where = self._scope(t) if with_deleted else self._live(t)
        if q.filter is not None:
            where.append(w.walk(q.filter, build=True))
        return t, where

    def _count_clause(self, q: ListQuery, with_deleted: bool) -> Any:
        """The count of the records the filter matches (bounded as ``q.count`` says), as a
        scalar subquery.

        Asked inside the page's own statement, the total costs no second round
        trip; PostgreSQL runs the uncorrelated subquery once.
        """
        t, where = self._matching(q, with_deleted)
        return counting.count_of(t, where, q).scalar_subquery()

    async def _count(
        self, q: ListQuery, shape: tuple[Any, ...], params: dict[str, Any], with_deleted: bool
    ) -> int:
        def build() -> Any:
            return sa.select(self._count_clause(q, with_deleted))

        count_shape = (q.count, q.count_limit) if counting.bounded(q) else None
        sql = self.db.sql(self._key("count", shape, with_deleted, count_shape), build)
        return int(await self.conn.fetchval(sql, {**self.base, **params}) or 0)

    def _matching_sql(self, q: ListQuery, shape: tuple[Any, ...], with_deleted: bool) -> Sql:
        """``SELECT 1`` of the matching records, whose plan estimates how many there are."""

        def build() -> Any:
            t, where = self._matching(q, with_deleted)
            return sa.select(sa.literal_column("1")).select_from(t).where(*where)

        return self.db.sql(self._key("matching", shape, with_deleted), build)

    async def exists_before(self, q: ListQuery, first: dict[str, Any]) -> bool:
        """Whether any record precedes ``first`` in the query's order (hasPreviousPage);
        ``first`` holds its joined order values too, if the order has any."""
        from rolodex.records.ordering import encode_cursor

        keys = order_fields(self.obj, q.order, self.objects)
        probe = ListQuery(
            filter=q.filter,
            order=q.order,
            limit=1,
            with_total=False,
            before=encode_cursor(keys, first),
        )
        rows, _, _, _ = await self.page(probe)
        return bool(rows)

    async def soft_deleted_before(self, cutoff: Any, limit: int) -> list[Row]:
        """Soft-deleted records whose ``deleted_at`` is older than ``cutoff``."""
        t = self.table
        sql = self.db.sql(
            self._key("expired"),
            lambda: (
                sa.select(t)
                .where(*self._scope(), t.c.deleted_at < sa.bindparam("cutoff"))
                .order_by(t.c.deleted_at)
                .limit(sa.bindparam("limit"))
            ),
        )
        return await self.conn.fetch(sql, {**self.base, "cutoff": cutoff, "limit": limit})

    # -- writes ---------------------------------------------------------------

"""SQL for bulk changes, merges and duplicate groups: many records of one object at once.

Built on ``RecordRepository`` (its workspace scope, its statement cache and its
``= ANY(array)`` / ``IN`` membership), so every statement here is scoped to
one workspace like every other record statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from rolodex.kit.db import Row
from rolodex.kit.recordset import recordset, recordset_select
from rolodex.metadata.model import FieldDef
from rolodex.records.repository import RecordRepository


class BulkRepository(RecordRepository):
    """Reads of many records by id or by relation, and duplicate groups, for one object."""

    async def lock_many(
        self, ids: Sequence[uuid.UUID], *, deleted: bool | None = False
    ) -> list[Row]:
        """The records with these ids, locked for update (PostgreSQL) in id order.

        Locking in one order keeps two bulk writes over the same records from
        deadlocking. ``deleted`` as for ``get``: live (False), soft-deleted
        (True) or either (None).
        """
        if not ids:
            return []
        t = self.table
        lock = not self.conn.sqlite  # SQLite writers already hold the database lock

        def build() -> Any:
            where = [*self._scope(), self._member(t.c.id, "i", ids, pg.UUID())]
            if deleted is not None:
                where.append(t.c.deleted_at.isnot(None) if deleted else t.c.deleted_at.is_(None))
            stmt = sa.select(t).where(*where).order_by(t.c.id)
            return stmt.with_for_update() if lock else stmt

        sql = self.db.sql(self._key("lock_many", self._size(ids), deleted), build)
        return await self.conn.fetch(sql, {**self.base, **self._members("i", ids)})

    async def update_rows(self, rows: Sequence[tuple[uuid.UUID, dict[str, Any]]]) -> None:
        """Write many records' row changes (id, {column: value}) at once, in order.

        Rows that set the same columns go together: on PostgreSQL as one
        ``UPDATE ... FROM unnest(...)`` (a column per array, as batch inserts
        go, kit/recordset.py), on SQLite as ``executemany`` (in
        process, no round trip to save).
        """
        groups: dict[tuple[str, ...], list[tuple[uuid.UUID, dict[str, Any]]]] = {}
        for rid, values in rows:
            groups.setdefault(tuple(sorted(values)), []).append((rid, values))
        t = self.table
        for columns, group in groups.items():
            if self.conn.sqlite:

                def single(columns: tuple[str, ...] = columns) -> Any:
                    return (
                        sa.update(t)
                        .where(*self._scope(), t.c.id == sa.bindparam("rid"))
                        .values({c: sa.bindparam(f"v_{c}") for c in columns})
                    )

                sql = self.db.sql(self._key("update", columns), single)
                await self.conn.executemany(
                    sql,
                    [
                        {**self.base, "rid": rid, **{f"v_{c}": v for c, v in values.items()}}
                        for rid, values in group
                    ],
                )
                continue

            def many(columns: tuple[str, ...] = columns) -> Any:
                new = recordset_select(t, ("id", *columns)).subquery("new_")
                return (
                    sa.update(t)
                    .where(*self._scope(), t.c.id == new.c.id)
                    .values({c: new.c[c] for c in columns})
                )

            sql = self.db.sql(self._key("update_set", columns), many)
            batch = [{"id": rid, **values} for rid, values in group]
            await self.conn.execute(sql, {**self.base, **recordset(t, ("id", *columns), batch)})

    async def pointing_at(
        self, f: FieldDef, target_ids: Sequence[uuid.UUID], limit: int
    ) -> list[Row]:
        """Up to ``limit`` records, soft-deleted ones too, whose join field ``f`` names
        one of ``target_ids`` (what a merge moves to the record it keeps)."""
        if not target_ids:
            return []
        t = self.table
        values = [self._join_value(f, v) for v in target_ids]
        elem = pg.UUID() if f.column is not None else sa.Text()

        def build() -> Any:
            return (
                sa.select(t)
                .where(*self._scope(), self._member(self._join(f), "t", values, elem))
                .order_by(t.c.id)
                .limit(sa.bindparam("limit"))
            )

        sql = self.db.sql(self._key("pointing_at", f.name, self._size(values)), build)
        params = {**self.base, **self._members("t", values), "limit": limit}
        return await self.conn.fetch(sql, params)

    # -- duplicates ------------------------------------------------------------------
    def _folded(self, f: FieldDef) -> Any:
        """The value duplicates are compared on: the field, ignoring case."""
        return sa.func.lower(self._join(f))

    def _named(self, f: FieldDef) -> Any:
        """``f`` holds a value: the predicate of the name indexes (migration 0016),
        with ``''`` written, not bound, so that even a generic plan proves it."""
        return self._folded(f) != sa.literal_column("''")

    async def duplicate_keys(self, f: FieldDef, after: str | None, limit: int) -> list[Row]:
        """Up to ``limit`` values of ``f`` (lowercased) that two or more live records
        share, in order, after ``after``; each with how many records share it.

        For the field that names a record, the grouped value is the expression
        of its index ignoring case (migration 0016: ``(workspace_id,
        lower(name))``, the object's id after the workspace for custom objects),
        so both backends walk that index in order, group as they go and stop at
        the page's end, without sorting the workspace. ``lower(x) <> ''`` (the
        index's predicate) leaves out NULL and empty values alike.
        """
        folded = self._folded(f)
        t = self.table
        paged = after is not None

        def build() -> Any:
            where = [*self._live(), self._named(f)]
            if paged:
                where.append(folded > sa.bindparam("after"))
            return (
                sa.select(folded.label("k"), sa.func.count().label("n"))
                .select_from(t)
                .where(*where)
                .group_by(folded)
                .having(sa.func.count() > 1)
                .order_by(folded)
                .limit(sa.bindparam("limit"))
            )

        sql = self.db.sql(self._key("duplicate_keys", f.name, paged), build)
        params: dict[str, Any] = {**self.base, "limit": limit}
        if paged:
            params["after"] = after
        return await self.conn.fetch(sql, params)

    async def with_keys(self, f: FieldDef, keys: Sequence[str], per_key: int) -> list[Row]:
        """Up to ``per_key`` live records (oldest first) for each lowercased value of ``f``."""
        if not keys:
            return []
        t = self.table
        folded = self._folded(f)

        def build() -> Any:
            rank = sa.func.row_number().over(partition_by=folded, order_by=t.c.id)
            inner = (
                sa.select(t, folded.label("key_"), rank.label("rank_"))
                .where(*self._live(), self._named(f), self._member(folded, "k", keys, sa.Text()))
                .subquery()
            )
            return (
                sa.select(inner)
                .where(inner.c.rank_ <= sa.bindparam("per_key"))
                .order_by(inner.c.key_, inner.c.id)
            )

        sql = self.db.sql(self._key("with_keys", f.name, self._size(keys)), build)
        params = {**self.base, **self._members("k", keys), "per_key": per_key}
        return await self.conn.fetch(sql, params)

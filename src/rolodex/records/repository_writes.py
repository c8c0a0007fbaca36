"""The record repository's base (its workspace scope and statement keys) and its writes:
inserts, the single create with its events, updates and deletes."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rolodex.kit import tables
from rolodex.kit.db import Conn
from rolodex.kit.recordset import recordset, recordset_insert, recordset_select
from rolodex.kit.tables import event as event_table
from rolodex.metadata.model import ObjectDef, Owned
from rolodex.metadata.storage import table_for
from rolodex.search.repository import put_params, put_statement

WS: Any = sa.bindparam("ws")
OBJ: Any = sa.bindparam("obj")


class RecordWrites:
    """One object's table for one workspace: the scope every statement carries, and the
    statements that write."""

    def __init__(
        self,
        conn: Conn,
        obj: ObjectDef,
        workspace_id: uuid.UUID,
        objects: Mapping[str, ObjectDef] | None = None,
    ) -> None:
        self.conn = conn
        # The registry's objects, for filters and orderings through relations.
        self.objects = objects
        self.db = conn.db
        self.obj = obj
        self.table = table_for(obj)
        self.ws = workspace_id
        # Every statement gets both; custom objects share one table, keyed by object_id.
        self.base: dict[str, Any] = {"ws": workspace_id, "obj": obj.id}

    def _key(self, *parts: Any) -> tuple[Any, ...]:
        return ("records", self.obj.table, *parts)

    def _scope(self, table: Any = None) -> list[Any]:
        t = self.table if table is None else table
        if self.obj.is_custom:
            return [t.c.workspace_id == WS, t.c.object_id == OBJ]
        return [t.c.workspace_id == WS]

    def _live(self, table: Any = None) -> list[Any]:
        t = self.table if table is None else table
        return [*self._scope(t), t.c.deleted_at.is_(None)]

    async def insert(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert ``rows`` (all with the same keys), as one statement on PostgreSQL.

        A batch row by row cost one round of the protocol per record; passing
        the whole batch as one array per column to ``unnest`` costs one
        (see docs/performance.md). SQLite keeps ``executemany``: it runs in
        process, and measured as fast as multi-row ``VALUES`` there.
        """
        full = [self._keyed(r) for r in rows]
        if not full:
            return
        if self.conn.sqlite or len(full) == 1:
            sql = self.db.sql(self._key("insert"), lambda: sa.insert(self.table))
            if len(full) == 1:
                await self.conn.execute(sql, full[0])
            else:
                await self.conn.executemany(sql, full)
            return
        columns = tuple(full[0])
        sql = self.db.sql(
            self._key("insert_set", columns),
            lambda: recordset_insert(self.table, columns),
        )
        await self.conn.execute(sql, recordset(self.table, columns, full))

    async def insert_new(
        self,
        row: dict[str, Any],
        *,
        events: Sequence[dict[str, Any]] = (),
        documents: Sequence[dict[str, Any]] = (),
    ) -> bool:
        """Insert one record unless it clashes with a unique value; whether it went in.

        One statement where a look-up and an insert would be two: a clash (rare)
        leaves the transaction usable, so the caller can find out which record
        it clashed with and say so. With ``events`` (outbox rows; PostgreSQL
        only), the same statement inserts them when, and only when, the record
        went in: the record and its events in one round trip; with ``documents``
        (search index rows), those too.
        """
        if not events:
            insert = pg_insert if not self.conn.sqlite else sqlite_insert
            sql = self.db.sql(
                self._key("insert_new"), lambda: insert(self.table).on_conflict_do_nothing()
            )
            return await self.conn.execute(sql, self._keyed(row)) == 1
        assert not self.conn.sqlite, "SQLite has no data-modifying WITH"
        columns = tuple(events[0])
        indexed = bool(documents)
        sql = self.db.sql(
            self._key("insert_new_events", columns, indexed),
            lambda: self._with_events(columns, indexed),
        )
        # A record's few rows go as JSON documents, not arrays (kit/recordset.py).
        params = {**self._keyed(row), **recordset(event_table, columns, events, "events", few=True)}
        if indexed:
            params.update(put_params(documents, "documents", few=True))
        # The statement that writes a single create is its unit of work's last
        # (the boundary decides whether it may commit by itself: kit/db.py).
        return bool(await self.conn.fetchval(sql, params, last=True))

    def _with_events(self, columns: Sequence[str], indexed: bool) -> Any:
        t = self.table
        new = pg_insert(t).on_conflict_do_nothing().returning(t.c.id).cte("new_")
        went_in = sa.exists(sa.select(new.c.id))
        logged = (
            sa.insert(event_table)
            .from_select(
                list(columns),
                recordset_select(event_table, columns, "events", few=True).where(went_in),
            )
            .cte("logged_")
        )
        stmt = sa.select(sa.func.count()).select_from(new).add_cte(logged)
        if indexed:
            stmt = stmt.add_cte(put_statement("documents", went_in, few=True).cte("indexed_"))
        return stmt

    def _keyed(self, row: dict[str, Any]) -> dict[str, Any]:
        """A row with the keys every record carries: its workspace (and object)."""
        if self.obj.is_custom:
            return {"workspace_id": self.ws, "object_id": self.obj.id, **row}
        return {"workspace_id": self.ws, **row}

    async def update(self, record_id: uuid.UUID, values: dict[str, Any]) -> None:
        columns = tuple(sorted(values))
        t = self.table
        sql = self.db.sql(
            self._key("update", columns),
            lambda: (
                sa.update(t)
                .where(*self._scope(), t.c.id == sa.bindparam("rid"))
                .values({c: sa.bindparam(f"v_{c}") for c in columns})
            ),
        )
        params = {**self.base, "rid": record_id, **{f"v_{c}": values[c] for c in columns}}
        await self.conn.execute(sql, params)

    async def delete(self, ids: Iterable[uuid.UUID]) -> int:
        t = self.table
        sql = self.db.sql(
            self._key("delete"),
            lambda: sa.delete(t).where(*self._scope(), t.c.id == sa.bindparam("rid")),
        )
        count = 0
        for rid in ids:
            count += await self.conn.execute(sql, {**self.base, "rid": rid})
        return count

    async def delete_owned(self, owned: Owned, record_id: uuid.UUID) -> None:
        """Delete the rows of ``owned.table`` that belong to a record deleted for good."""
        t = tables.meta.tables[owned.table]
        sql = self.db.sql(
            ("records.owned", owned.table, owned.column),
            lambda: sa.delete(t).where(
                t.c.workspace_id == WS, t.c[owned.column] == sa.bindparam("rid")
            ),
        )
        await self.conn.execute(sql, {"ws": self.ws, "rid": record_id})

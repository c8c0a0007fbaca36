"""SQL for the indexes of standard fields that workspaces mark indexed.

A standard field's column is shared by every workspace, so its index is one
per table: ``(workspace_id, column, id)`` in both NULLS placements on
PostgreSQL (the four orderings lists offer walk one or the other, as with
migration 0008's), one plain index on SQLite. ``field_index`` records which
workspaces asked for it; the index is made when the first one does and
dropped when the last one stops.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from rolodex.kit import clock
from rolodex.kit.db import Conn
from rolodex.kit.tables import field_index


def index_names(table: str, column: str, sqlite: bool) -> list[tuple[str, str]]:
    """(name, definition after ON) of each index of one standard column.

    ``table`` and ``column`` come from the standard objects' definitions,
    never from a request, so inlining them into DDL is safe.
    """
    if sqlite:
        return [(f"sx_{table}_{column}", f"{table} (workspace_id, {column}, id)")]
    return [
        (f"sx_{table}_{column}_nf", f"{table} (workspace_id, {column} NULLS FIRST, id)"),
        (f"sx_{table}_{column}_nl", f"{table} (workspace_id, {column}, id)"),
    ]


async def marked(conn: Conn, workspace_id: uuid.UUID) -> list[tuple[str, str]]:
    """The (object, field) pairs this workspace marked indexed."""
    t = field_index
    sql = conn.db.sql(
        "metadata.field_index",
        lambda: sa.select(t.c.object_name, t.c.field_name).where(
            t.c.workspace_id == sa.bindparam("ws")
        ),
    )
    return [
        (r["object_name"], r["field_name"]) for r in await conn.fetch(sql, {"ws": workspace_id})
    ]


async def _lock(conn: Conn, table: str, column: str) -> None:
    """Serialise the workspaces marking and unmarking one column, until commit: the
    last to unmark drops the index and must not race the next to mark it."""
    if conn.sqlite:
        return  # SQLite's writers are serialised already
    sql = conn.db.sql(
        "metadata.field_index_lock",
        lambda: sa.select(sa.func.pg_advisory_xact_lock(sa.func.hashtext(sa.bindparam("key")))),
    )
    await conn.fetchval(sql, {"key": f"rolodex.field_index.{table}.{column}"})


async def mark(
    conn: Conn, workspace_id: uuid.UUID, obj: str, field: str, table: str, column: str
) -> None:
    """Note the workspace's mark and make the column's indexes if they are missing."""
    await _lock(conn, table, column)
    sql = conn.db.sql("metadata.field_index_mark", lambda: sa.insert(field_index))
    values = {"workspace_id": workspace_id, "object_name": obj, "field_name": field}
    await conn.execute(sql, {**values, "created_at": clock.now()})
    for name, body in index_names(table, column, conn.sqlite):
        await conn.execute(conn.db.compile(sa.text(f"CREATE INDEX IF NOT EXISTS {name} ON {body}")))


async def unmark(
    conn: Conn, workspace_id: uuid.UUID, obj: str, field: str, table: str, column: str
) -> None:
    """Remove the workspace's mark; drop the column's indexes if no workspace has one."""
    await _lock(conn, table, column)
    t = field_index
    match = (t.c.object_name == sa.bindparam("obj"), t.c.field_name == sa.bindparam("field"))
    delete = conn.db.sql(
        "metadata.field_index_unmark",
        lambda: sa.delete(t).where(t.c.workspace_id == sa.bindparam("ws"), *match),
    )
    await conn.execute(delete, {"ws": workspace_id, "obj": obj, "field": field})
    # Every workspace's marks: a small table (a few rows per workspace that asks).
    left = conn.db.sql(
        "metadata.field_index_left",
        lambda: sa.select(sa.func.count()).select_from(t).where(*match),
    )
    if await conn.fetchval(left, {"obj": obj, "field": field}):
        return
    for name, _body in index_names(table, column, conn.sqlite):
        await conn.execute(conn.db.compile(sa.text(f"DROP INDEX IF EXISTS {name}")))

"""SQL for operating workspaces: pages, status, and deleting a workspace's rows in batches."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from rolodex.kit import decode
from rolodex.kit.db import Conn, Row
from rolodex.kit.tables import workspace
from rolodex.workspaces.schemas import Workspace


def to_workspace(row: Row) -> Workspace:
    created = decode.ts(row["created_at"])
    assert created is not None
    return Workspace(
        id=decode.uid(row["id"]),
        name=row["name"],
        status=row["status"],
        created_at=created,
    )


_COLUMNS = (workspace.c.id, workspace.c.name, workspace.c.status, workspace.c.created_at)


async def get(conn: Conn, ws_id: uuid.UUID) -> Workspace | None:
    sql = conn.db.sql(
        "workspaces.get",
        lambda: sa.select(*_COLUMNS).where(workspace.c.id == sa.bindparam("id")),
    )
    row = await conn.fetchrow(sql, {"id": ws_id})
    return None if row is None else to_workspace(row)


async def page(
    conn: Conn, limit: int, offset: int, after: uuid.UUID | None, status: str | None
) -> list[Workspace]:
    """Workspaces in id order (uuid7: creation order): after a cursor or from an offset."""
    key = ("workspaces.page", after is not None, status is not None)

    def build() -> Any:
        q = sa.select(*_COLUMNS).order_by(workspace.c.id)
        if after is not None:
            q = q.where(workspace.c.id > sa.bindparam("after"))
        if status is not None:
            q = q.where(workspace.c.status == sa.bindparam("status"))
        return q.limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))

    params = {"limit": limit, "offset": offset, "after": after, "status": status}
    return [to_workspace(r) for r in await conn.fetch(conn.db.sql(key, build), params)]


async def update(conn: Conn, ws_id: uuid.UUID, values: dict[str, Any]) -> None:
    names = tuple(sorted(values))
    sql = conn.db.sql(
        ("workspaces.update", names),
        lambda: (
            sa.update(workspace)
            .where(workspace.c.id == sa.bindparam("ws"))
            .values({n: sa.bindparam(n) for n in names})
        ),
    )
    await conn.execute(sql, {"ws": ws_id, **values})


async def tables_with_workspace(conn: Conn) -> list[str]:
    """Every table with a ``workspace_id`` column, read from the catalog, so a
    table added later is deleted from too."""
    if conn.sqlite:
        text = (
            "SELECT m.name AS name FROM sqlite_master m, pragma_table_info(m.name) p "
            "WHERE m.type = 'table' AND p.name = 'workspace_id' ORDER BY m.name"
        )
    else:
        text = (
            "SELECT table_name AS name FROM information_schema.columns "
            "WHERE column_name = 'workspace_id' AND table_schema = current_schema() "
            "AND table_name IN (SELECT table_name FROM information_schema.tables "
            "WHERE table_type = 'BASE TABLE' AND table_schema = current_schema()) "
            "ORDER BY table_name"
        )
    rows = await conn.fetch(conn.db.sql(("workspaces.tables", conn.sqlite), lambda: sa.text(text)))
    return [r["name"] for r in rows]


async def delete_batch(conn: Conn, table: str, ws_id: uuid.UUID, size: int) -> int:
    """Delete up to ``size`` of the workspace's rows of ``table``; how many went."""
    quoted = '"' + table.replace('"', '""') + '"'
    if conn.sqlite:
        text = (
            f"DELETE FROM {quoted} WHERE rowid IN "
            f"(SELECT rowid FROM {quoted} WHERE workspace_id = :ws LIMIT :n)"
        )
    else:
        text = (
            f"DELETE FROM {quoted} WHERE ctid = ANY(ARRAY("
            f"SELECT ctid FROM {quoted} WHERE workspace_id = :ws LIMIT :n))"
        )
    sql = conn.db.sql(("workspaces.delete_batch", table), lambda: sa.text(text))
    return await conn.execute(sql, {"ws": ws_id, "n": size})


async def delete_row(conn: Conn, ws_id: uuid.UUID) -> None:
    sql = conn.db.sql(
        "workspaces.delete_row",
        lambda: sa.delete(workspace).where(workspace.c.id == sa.bindparam("ws")),
    )
    await conn.execute(sql, {"ws": ws_id})


async def deleting(conn: Conn) -> list[uuid.UUID]:
    """Workspaces whose deletion was started and not finished (a restart resumes them)."""
    return [w.id for w in await page(conn, 10_000, 0, None, "deleting")]

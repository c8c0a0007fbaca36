"""A workspace's own options for standard select fields that allow them (all SQL)."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from rolodex.kit import clock, decode
from rolodex.kit.db import Conn
from rolodex.kit.tables import field_options


async def overrides(conn: Conn, workspace_id: uuid.UUID) -> list[tuple[str, str, list[Any]]]:
    """(object, field, options) for every standard field the workspace gave options."""
    t = field_options
    sql = conn.db.sql(
        "metadata.field_options",
        lambda: sa.select(t.c.object_name, t.c.field_name, t.c.options).where(
            t.c.workspace_id == sa.bindparam("ws")
        ),
    )
    rows = await conn.fetch(sql, {"ws": workspace_id})
    return [(r["object_name"], r["field_name"], decode.json(r["options"])) for r in rows]


async def put(
    conn: Conn, workspace_id: uuid.UUID, obj: str, field: str, options: list[dict[str, Any]]
) -> None:
    """Set the workspace's options of ``obj.field`` (replacing any it had)."""
    t = field_options
    delete = conn.db.sql(
        "metadata.field_options_delete",
        lambda: sa.delete(t).where(
            t.c.workspace_id == sa.bindparam("ws"),
            t.c.object_name == sa.bindparam("obj"),
            t.c.field_name == sa.bindparam("field"),
        ),
    )
    await conn.execute(delete, {"ws": workspace_id, "obj": obj, "field": field})
    insert = conn.db.sql("metadata.field_options_insert", lambda: sa.insert(t))
    await conn.execute(
        insert,
        {
            "workspace_id": workspace_id,
            "object_name": obj,
            "field_name": field,
            "options": options,
            "updated_at": clock.now(),
        },
    )

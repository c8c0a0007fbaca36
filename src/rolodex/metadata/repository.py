"""SQL for the registry: metadata versions and custom field rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from rolodex.kit.db import Conn
from rolodex.kit.errors import NotFound
from rolodex.metadata.storage import field_metadata, workspace


@dataclass(frozen=True, slots=True)
class FieldRow:
    id: uuid.UUID
    object_name: str
    name: str
    type: str
    label: str
    description: str
    definition: dict[str, Any]


async def metadata_version(conn: Conn, workspace_id: uuid.UUID) -> int:
    sql = conn.db.sql(
        "metadata.version",
        lambda: sa.select(workspace.c.metadata_version).where(workspace.c.id == sa.bindparam("ws")),
    )
    version = await conn.fetchval(sql, {"ws": workspace_id})
    if version is None:
        raise NotFound("The workspace does not exist.")
    return int(version)


async def bump_version(conn: Conn, workspace_id: uuid.UUID) -> None:
    sql = conn.db.sql(
        "metadata.bump",
        lambda: (
            sa.update(workspace)
            .where(workspace.c.id == sa.bindparam("ws"))
            .values(metadata_version=workspace.c.metadata_version + 1)
        ),
    )
    await conn.execute(sql, {"ws": workspace_id})


async def active_fields(conn: Conn, workspace_id: uuid.UUID) -> list[FieldRow]:
    t = field_metadata
    sql = conn.db.sql(
        "metadata.fields",
        lambda: (
            sa.select(
                t.c.id,
                t.c.object_name,
                t.c.name,
                t.c.type,
                t.c.label,
                t.c.description,
                t.c.definition,
            )
            .where(t.c.workspace_id == sa.bindparam("ws"), t.c.is_active.is_(True))
            .order_by(t.c.created_at, t.c.id)
        ),
    )
    rows = await conn.fetch(sql, {"ws": workspace_id})
    out = []
    for r in rows:
        definition = r["definition"]
        if isinstance(definition, str):
            from rolodex.kit.jsonutil import loads

            definition = loads(definition)
        fid = r["id"] if isinstance(r["id"], uuid.UUID) else uuid.UUID(r["id"])
        out.append(
            FieldRow(
                fid,
                r["object_name"],
                r["name"],
                r["type"],
                r["label"],
                r["description"],
                definition,
            )
        )
    return out


async def insert_field(conn: Conn, values: dict[str, Any]) -> None:
    sql = conn.db.sql("metadata.insert_field", lambda: sa.insert(field_metadata))
    await conn.execute(sql, values)

"""SQL for the registry: metadata versions and custom field rows."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from rolodex.kit import decode
from rolodex.kit.db import Conn
from rolodex.kit.errors import NotFound
from rolodex.kit.tables import custom_record, field_metadata, object_metadata, workspace
from rolodex.metadata.custom_sql import index_sql
from rolodex.metadata.model import FieldType


@dataclass(frozen=True, slots=True)
class FieldRow:
    id: uuid.UUID
    object_name: str
    name: str
    type: str
    label: str
    description: str
    definition: dict[str, Any]

    @property
    def document_key(self) -> str:
        """The key of its values in records' custom documents (a relation keeps its id)."""
        return self.name + "Id" if self.type == FieldType.RELATION.value else self.name


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


async def insert_field(conn: Conn, values: dict[str, Any]) -> None:
    sql = conn.db.sql("metadata.insert_field", lambda: sa.insert(field_metadata))
    await conn.execute(sql, values)


_FIELD_COLUMNS = [
    field_metadata.c.id,
    field_metadata.c.object_name,
    field_metadata.c.name,
    field_metadata.c.type,
    field_metadata.c.label,
    field_metadata.c.description,
    field_metadata.c.definition,
    field_metadata.c.is_active,
]


def _field_row(r: Any) -> tuple[FieldRow, bool]:
    definition = decode.json(r["definition"])
    fid = decode.uid(r["id"])
    row = FieldRow(
        fid, r["object_name"], r["name"], r["type"], r["label"], r["description"], definition
    )
    return row, bool(r["is_active"])


async def all_fields(conn: Conn, workspace_id: uuid.UUID) -> list[tuple[FieldRow, bool]]:
    """Every custom field, active or not, with its active flag."""
    t = field_metadata
    sql = conn.db.sql(
        "metadata.all_fields",
        lambda: (
            sa.select(*_FIELD_COLUMNS)
            .where(t.c.workspace_id == sa.bindparam("ws"))
            .order_by(t.c.created_at, t.c.id)
        ),
    )
    return [_field_row(r) for r in await conn.fetch(sql, {"ws": workspace_id})]


async def get_field(
    conn: Conn, workspace_id: uuid.UUID, field_id: uuid.UUID
) -> tuple[FieldRow, bool] | None:
    t = field_metadata
    sql = conn.db.sql(
        "metadata.get_field",
        lambda: sa.select(*_FIELD_COLUMNS).where(
            t.c.workspace_id == sa.bindparam("ws"), t.c.id == sa.bindparam("id")
        ),
    )
    row = await conn.fetchrow(sql, {"ws": workspace_id, "id": field_id})
    return None if row is None else _field_row(row)


async def update_field(
    conn: Conn, workspace_id: uuid.UUID, field_id: uuid.UUID, values: dict[str, Any]
) -> None:
    t = field_metadata
    columns = tuple(sorted(values))
    sql = conn.db.sql(
        ("metadata.update_field", columns),
        lambda: (
            sa.update(t)
            .where(t.c.workspace_id == sa.bindparam("ws"), t.c.id == sa.bindparam("fid"))
            .values({c: sa.bindparam(f"v_{c}") for c in columns})
        ),
    )
    await conn.execute(
        sql, {"ws": workspace_id, "fid": field_id, **{f"v_{c}": values[c] for c in columns}}
    )


async def delete_field(conn: Conn, workspace_id: uuid.UUID, field_id: uuid.UUID) -> None:
    t = field_metadata
    sql = conn.db.sql(
        "metadata.delete_field",
        lambda: sa.delete(t).where(
            t.c.workspace_id == sa.bindparam("ws"), t.c.id == sa.bindparam("fid")
        ),
    )
    await conn.execute(sql, {"ws": workspace_id, "fid": field_id})


# -- custom values inside record tables ------------------------------------------
def _record_table(name: str) -> Any:
    return sa.table(
        name,
        sa.column("workspace_id"),
        sa.column("object_id"),
        sa.column("id"),
        sa.column("custom", sa.JSON()),
    )


def _scope(t: Any, table: str) -> list[Any]:
    where = [t.c.workspace_id == sa.bindparam("ws")]
    if table == "custom_record":
        where.append(t.c.object_id == sa.bindparam("obj"))
    return where


async def custom_documents(
    conn: Conn, table: str, workspace_id: uuid.UUID, object_id: uuid.UUID | None
) -> list[tuple[Any, dict[str, Any]]]:
    """Every record's ``custom`` document in ``table`` (for renames and type changes)."""
    t = _record_table(table)
    sql = conn.db.sql(
        ("metadata.custom_docs", table),
        lambda: sa.select(t.c.id, t.c.custom).where(*_scope(t, table)),
    )
    out = []
    for r in await conn.fetch(sql, {"ws": workspace_id, "obj": object_id}):
        doc = decode.json(r["custom"])
        out.append((r["id"], dict(doc or {})))
    return out


async def write_custom_documents(
    conn: Conn,
    table: str,
    workspace_id: uuid.UUID,
    object_id: uuid.UUID | None,
    docs: list[tuple[Any, dict[str, Any]]],
) -> None:
    t = _record_table(table)
    sql = conn.db.sql(
        ("metadata.write_custom", table),
        lambda: (
            sa.update(t)
            .where(*_scope(t, table), t.c.id == sa.bindparam("rid"))
            .values(custom=sa.bindparam("doc"))
        ),
    )
    rows = [{"ws": workspace_id, "obj": object_id, "rid": rid, "doc": d} for rid, d in docs]
    await conn.executemany(sql, rows)


def index_name(table: str, workspace_id: uuid.UUID, field_id: uuid.UUID) -> str:
    return f"cx_{table}_{workspace_id.hex[:12]}_{field_id.hex[-12:]}"


async def create_custom_index(
    conn: Conn,
    table: str,
    workspace_id: uuid.UUID,
    field_id: uuid.UUID,
    name: str,
    unique: bool,
    cast: str,
) -> None:
    """An index on one custom field's value, led by the workspace.

    The indexed expression is exactly the one queries use
    (``custom_sql.CustomValue``), so the planner can match it. A unique
    index is partial (this workspace only), since uniqueness is one
    workspace's choice; a plain one is not, so prepared statements' generic
    plans, which cannot prove a partial index's predicate, still use it.
    ``name`` is a validated identifier and the ids are UUIDs: inlining them
    into the DDL is safe, and DDL takes no bound parameters.
    """
    idx = index_name(table, workspace_id, field_id)
    dialect = "sqlite" if conn.sqlite else "postgresql"
    expr = index_sql(name, cast, dialect)
    lead = "workspace_id, object_id" if table == "custom_record" else "workspace_id"
    if unique:
        literal = f"'{workspace_id}'" if conn.sqlite else f"'{workspace_id}'::uuid"
        ddl = (
            f"CREATE UNIQUE INDEX IF NOT EXISTS {idx} ON {table} ({lead}, {expr}) "
            f"WHERE workspace_id = {literal}"
        )
    else:
        ddl = f"CREATE INDEX IF NOT EXISTS {idx} ON {table} ({lead}, {expr})"
    await conn.execute(conn.db.compile(sa.text(ddl)), {})


async def drop_custom_index(
    conn: Conn, table: str, workspace_id: uuid.UUID, field_id: uuid.UUID
) -> None:
    idx = index_name(table, workspace_id, field_id)
    await conn.execute(conn.db.compile(sa.text(f"DROP INDEX IF EXISTS {idx}")), {})


# -- custom objects ---------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ObjectRow:
    id: uuid.UUID
    name: str
    plural: str
    label: str
    label_plural: str
    description: str
    is_active: bool = True


def _object_row(r: Any) -> ObjectRow:
    oid = decode.uid(r["id"])
    return ObjectRow(
        oid,
        r["name"],
        r["plural"],
        r["label"],
        r["label_plural"],
        r["description"],
        bool(r["is_active"]),
    )


async def all_objects(conn: Conn, workspace_id: uuid.UUID) -> list[ObjectRow]:
    t = object_metadata
    sql = conn.db.sql(
        "metadata.all_objects",
        lambda: (
            sa.select(t)
            .where(t.c.workspace_id == sa.bindparam("ws"))
            .order_by(t.c.created_at, t.c.id)
        ),
    )
    return [_object_row(r) for r in await conn.fetch(sql, {"ws": workspace_id})]


async def active_objects(conn: Conn, workspace_id: uuid.UUID) -> list[ObjectRow]:
    return [o for o in await all_objects(conn, workspace_id) if o.is_active]


async def insert_object(conn: Conn, values: dict[str, Any]) -> None:
    sql = conn.db.sql("metadata.insert_object", lambda: sa.insert(object_metadata))
    await conn.execute(sql, values)


async def update_object(
    conn: Conn, workspace_id: uuid.UUID, object_id: uuid.UUID, values: dict[str, Any]
) -> None:
    t = object_metadata
    columns = tuple(sorted(values))
    sql = conn.db.sql(
        ("metadata.update_object", columns),
        lambda: (
            sa.update(t)
            .where(t.c.workspace_id == sa.bindparam("ws"), t.c.id == sa.bindparam("oid"))
            .values({c: sa.bindparam(f"v_{c}") for c in columns})
        ),
    )
    await conn.execute(
        sql, {"ws": workspace_id, "oid": object_id, **{f"v_{c}": values[c] for c in columns}}
    )


async def purge_object(conn: Conn, workspace_id: uuid.UUID, row: ObjectRow) -> None:
    """Delete a custom object's records, fields and definition."""
    params = {"ws": workspace_id, "oid": row.id, "name": row.name}
    for key, build in (
        (
            "metadata.purge_records",
            lambda: sa.delete(custom_record).where(
                custom_record.c.workspace_id == sa.bindparam("ws"),
                custom_record.c.object_id == sa.bindparam("oid"),
            ),
        ),
        (
            "metadata.purge_fields",
            lambda: sa.delete(field_metadata).where(
                field_metadata.c.workspace_id == sa.bindparam("ws"),
                field_metadata.c.object_name == sa.bindparam("name"),
            ),
        ),
        (
            "metadata.purge_object",
            lambda: sa.delete(object_metadata).where(
                object_metadata.c.workspace_id == sa.bindparam("ws"),
                object_metadata.c.id == sa.bindparam("oid"),
            ),
        ),
    ):
        await conn.execute(conn.db.sql(key, build), params)

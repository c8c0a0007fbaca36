"""SQL for workspaces and API keys."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from rolodex.auth.schemas import ApiKey
from rolodex.auth.scopes import parse_scopes
from rolodex.kit import clock, decode
from rolodex.kit.db import Conn, Row
from rolodex.kit.tables import api_key, workspace


def _key(row: Row) -> ApiKey:
    scopes = decode.json(row["scopes"])
    created = decode.ts(row["created_at"])
    assert created is not None
    return ApiKey(
        id=decode.uid(row["id"]),
        workspace_id=decode.uid(row["workspace_id"]),
        name=row["name"],
        prefix=row["prefix"],
        scopes=parse_scopes(scopes),
        created_at=created,
        expires_at=decode.ts(row["expires_at"]),
        revoked_at=decode.ts(row["revoked_at"]),
        last_used_at=decode.ts(row["last_used_at"]),
    )


_KEY_COLUMNS = [c for c in api_key.c if c.name != "digest"]


async def insert_workspace(conn: Conn, ws_id: uuid.UUID, name: str) -> None:
    sql = conn.db.sql("auth.insert_workspace", lambda: sa.insert(workspace))
    await conn.execute(
        sql,
        {
            "id": ws_id,
            "name": name,
            "metadata_version": 1,
            "created_at": clock.now(),
            "status": "active",
        },
    )


async def first_workspace(conn: Conn) -> Row | None:
    """The oldest workspace (the default one), without reading every workspace."""
    sql = conn.db.sql(
        "auth.first_workspace",
        lambda: sa.select(workspace.c.id).order_by(workspace.c.created_at, workspace.c.id).limit(1),
    )
    return await conn.fetchrow(sql)


async def list_workspaces(conn: Conn) -> list[Row]:
    sql = conn.db.sql(
        "auth.workspaces",
        lambda: sa.select(workspace.c.id, workspace.c.name, workspace.c.created_at).order_by(
            workspace.c.created_at, workspace.c.id
        ),
    )
    return await conn.fetch(sql)


async def find_workspace(conn: Conn, ident: str) -> Row | None:
    """A workspace by id or by name."""
    try:
        ws_id: uuid.UUID | None = uuid.UUID(ident)
    except ValueError:
        ws_id = None
    if ws_id is not None:
        sql = conn.db.sql(
            "auth.workspace_by_id",
            lambda: sa.select(workspace).where(workspace.c.id == sa.bindparam("id")),
        )
        row = await conn.fetchrow(sql, {"id": ws_id})
        if row is not None:
            return row
    sql = conn.db.sql(
        "auth.workspace_by_name",
        lambda: (
            sa.select(workspace)
            .where(workspace.c.name == sa.bindparam("name"))
            .order_by(workspace.c.created_at)
            .limit(1)
        ),
    )
    return await conn.fetchrow(sql, {"name": ident})


async def insert_key(conn: Conn, values: dict[str, Any]) -> None:
    sql = conn.db.sql("auth.insert_key", lambda: sa.insert(api_key))
    await conn.execute(sql, values)


async def key_by_digest(conn: Conn, digest: str) -> tuple[ApiKey, str, str] | None:
    """The key with ``digest``, the digest, and its workspace's status, in one query."""
    sql = conn.db.sql(
        "auth.key_by_digest",
        lambda: (
            sa.select(*_KEY_COLUMNS, api_key.c.digest, workspace.c.status.label("ws_status"))
            .select_from(api_key.outerjoin(workspace, workspace.c.id == api_key.c.workspace_id))
            .where(api_key.c.digest == sa.bindparam("digest"))
        ),
    )
    row = await conn.fetchrow(sql, {"digest": digest})
    if row is None:
        return None
    return _key(row), row["digest"], row["ws_status"] or "deleting"


async def list_keys(conn: Conn, ws_id: uuid.UUID) -> list[ApiKey]:
    sql = conn.db.sql(
        "auth.list_keys",
        lambda: (
            sa.select(*_KEY_COLUMNS)
            .where(api_key.c.workspace_id == sa.bindparam("ws"))
            .order_by(api_key.c.created_at, api_key.c.id)
        ),
    )
    return [_key(r) for r in await conn.fetch(sql, {"ws": ws_id})]


async def get_key(conn: Conn, ws_id: uuid.UUID, key_id: uuid.UUID) -> ApiKey | None:
    sql = conn.db.sql(
        "auth.get_key",
        lambda: sa.select(*_KEY_COLUMNS).where(
            api_key.c.workspace_id == sa.bindparam("ws"), api_key.c.id == sa.bindparam("id")
        ),
    )
    row = await conn.fetchrow(sql, {"ws": ws_id, "id": key_id})
    return None if row is None else _key(row)


async def revoke_key(conn: Conn, ws_id: uuid.UUID, key_id: uuid.UUID, at: datetime) -> int:
    sql = conn.db.sql(
        "auth.revoke_key",
        lambda: (
            sa.update(api_key)
            .where(
                api_key.c.workspace_id == sa.bindparam("ws"),
                api_key.c.id == sa.bindparam("id"),
                api_key.c.revoked_at.is_(None),
            )
            .values(revoked_at=sa.bindparam("at"))
        ),
    )
    return await conn.execute(sql, {"ws": ws_id, "id": key_id, "at": at})


async def touch_keys(conn: Conn, uses: Iterable[tuple[uuid.UUID, uuid.UUID, datetime]]) -> None:
    sql = conn.db.sql(
        "auth.touch_keys",
        lambda: (
            sa.update(api_key)
            .where(api_key.c.workspace_id == sa.bindparam("ws"), api_key.c.id == sa.bindparam("id"))
            .values(last_used_at=sa.bindparam("at"))
        ),
    )
    await conn.executemany(sql, [{"ws": ws, "id": kid, "at": at} for ws, kid, at in uses])


async def count_keys(conn: Conn, ws_id: uuid.UUID) -> int:
    sql = conn.db.sql(
        "auth.count_keys",
        lambda: (
            sa.select(sa.func.count())
            .select_from(api_key)
            .where(api_key.c.workspace_id == sa.bindparam("ws"))
        ),
    )
    return int(await conn.fetchval(sql, {"ws": ws_id}) or 0)

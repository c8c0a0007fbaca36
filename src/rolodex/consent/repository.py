"""SQL for consents and the workspace's consent options."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa

from rolodex.kit import decode
from rolodex.kit.db import Conn, Row
from rolodex.kit.tables import consent
from rolodex.kit.tables import workspace_setting as setting

WS: Any = sa.bindparam("ws")


async def get_setting(conn: Conn, ws: uuid.UUID, key: str) -> Any:
    sql = conn.db.sql(
        "consent.get_setting",
        lambda: sa.select(setting.c.value).where(
            setting.c.workspace_id == WS, setting.c.key == sa.bindparam("key")
        ),
    )
    value = await conn.fetchval(sql, {"ws": ws, "key": key})
    return decode.json(value)


async def put_setting(conn: Conn, ws: uuid.UUID, key: str, value: Any, at: Any) -> None:
    delete = conn.db.sql(
        "consent.delete_setting",
        lambda: sa.delete(setting).where(
            setting.c.workspace_id == WS, setting.c.key == sa.bindparam("key")
        ),
    )
    insert = conn.db.sql("consent.insert_setting", lambda: sa.insert(setting))
    await conn.execute(delete, {"ws": ws, "key": key})
    await conn.execute(insert, {"workspace_id": ws, "key": key, "value": value, "updated_at": at})


async def for_person(conn: Conn, ws: uuid.UUID, person_id: uuid.UUID) -> list[Row]:
    sql = conn.db.sql(
        "consent.for_person",
        lambda: (
            sa.select(consent)
            .where(
                consent.c.workspace_id == WS,
                consent.c.person_id == sa.bindparam("pid"),
            )
            .order_by(consent.c.purpose)
        ),
    )
    return await conn.fetch(sql, {"ws": ws, "pid": person_id})


async def insert(conn: Conn, values: dict[str, Any]) -> None:
    await conn.execute(conn.db.sql("consent.insert", lambda: sa.insert(consent)), values)


async def update(conn: Conn, ws: uuid.UUID, consent_id: Any, values: dict[str, Any]) -> None:
    columns = tuple(sorted(values))
    sql = conn.db.sql(
        ("consent.update", columns),
        lambda: (
            sa.update(consent)
            .where(
                consent.c.workspace_id == WS,
                consent.c.id == sa.bindparam("cid"),
            )
            .values({c: sa.bindparam(f"v_{c}") for c in columns})
        ),
    )
    await conn.execute(sql, {"ws": ws, "cid": consent_id, **{f"v_{c}": values[c] for c in columns}})


async def delete(conn: Conn, ws: uuid.UUID, consent_id: Any) -> None:
    sql = conn.db.sql(
        "consent.delete",
        lambda: sa.delete(consent).where(
            consent.c.workspace_id == WS, consent.c.id == sa.bindparam("cid")
        ),
    )
    await conn.execute(sql, {"ws": ws, "cid": consent_id})

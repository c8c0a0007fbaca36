"""SQL for idempotency keys: one row per (workspace, API key, key), pending then done."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rolodex.kit.db import Conn, Database, Row
from rolodex.kit.tables import idempotency_key

# Expired keys deleted per new key, at most: more than one, so purging keeps
# ahead of creating, and few enough that a claim stays one short transaction.
PURGE_BATCH = 100

_t = idempotency_key
WS: Any = sa.bindparam("ws")
KEY_ID: Any = sa.bindparam("kid")
KEY: Any = sa.bindparam("key")
NOW: Any = sa.bindparam("now")


def _this() -> Any:
    return sa.and_(_t.c.workspace_id == WS, _t.c.api_key_id == KEY_ID, _t.c.key == KEY)


async def find(conn: Conn, ws: uuid.UUID, key_id: uuid.UUID, key: str, now: int) -> Row | None:
    """The key's row if it has not expired."""
    sql = conn.db.sql(
        "idempotency.find", lambda: sa.select(_t).where(_this(), _t.c.expires_at >= NOW)
    )
    return await conn.fetchrow(sql, {"ws": ws, "kid": key_id, "key": key, "now": now})


async def claim(conn: Conn, values: dict[str, Any]) -> bool:
    """Insert the key as pending; False if it is already there (and not expired).

    Clears this key's expired row first, and up to ``PURGE_BATCH`` other
    expired keys of the workspace.
    """
    params = {
        "ws": values["workspace_id"],
        "kid": values["api_key_id"],
        "key": values["key"],
        "now": values["created_at"],
    }
    await conn.execute(_sql_drop_expired(conn.db), params)
    await conn.execute(_sql_purge(conn.db), {"ws": params["ws"], "now": params["now"]})
    return await conn.execute(_sql_claim(conn.db), values) > 0


async def finish(conn: Conn, ws: uuid.UUID, key_id: uuid.UUID, key: str, **done: Any) -> None:
    """Record the response of the key's request."""
    sql = conn.db.sql(
        "idempotency.finish",
        lambda: (
            sa.update(_t)
            .where(_this())
            .values(
                state="done",
                status=sa.bindparam("status"),
                headers=sa.bindparam("headers"),
                body=sa.bindparam("body"),
                stored=sa.bindparam("stored"),
            )
        ),
    )
    await conn.execute(sql, {"ws": ws, "kid": key_id, "key": key, **done})


async def release(conn: Conn, ws: uuid.UUID, key_id: uuid.UUID, key: str) -> None:
    """Forget a pending key whose request failed, so it can be retried."""
    sql = conn.db.sql(
        "idempotency.release", lambda: sa.delete(_t).where(_this(), _t.c.state == "pending")
    )
    await conn.execute(sql, {"ws": ws, "kid": key_id, "key": key})


def _sql_drop_expired(db: Database) -> Any:
    return db.sql(
        "idempotency.drop_expired", lambda: sa.delete(_t).where(_this(), _t.c.expires_at < NOW)
    )


def _sql_purge(db: Database) -> Any:
    def build() -> Any:
        batch = (
            sa.select(_t.c.api_key_id, _t.c.key)
            .where(_t.c.workspace_id == WS, _t.c.expires_at < NOW)
            .limit(PURGE_BATCH)
        )
        return sa.delete(_t).where(
            _t.c.workspace_id == WS,
            _t.c.expires_at < NOW,
            sa.tuple_(_t.c.api_key_id, _t.c.key).in_(batch),
        )

    return db.sql("idempotency.purge", build)


def _sql_claim(db: Database) -> Any:
    insert = pg_insert if db.kind == "postgresql" else sqlite_insert
    return db.sql("idempotency.claim", lambda: insert(_t).on_conflict_do_nothing())

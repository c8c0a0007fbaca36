"""SQL for members' credentials, console sessions and one-time sign-in links."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from rolodex.kit.db import Conn, Row
from rolodex.kit.tables import console_session, member_credential, signin_link, workspace

# The standard ``member`` object's table, for its name and whether it is live.
_member = sa.table(
    "member",
    sa.column("workspace_id"),
    sa.column("id"),
    sa.column("name"),
    sa.column("deleted_at"),
)
_JOIN = member_credential.join(
    _member,
    sa.and_(
        _member.c.workspace_id == member_credential.c.workspace_id,
        _member.c.id == member_credential.c.member_id,
    ),
).join(workspace, workspace.c.id == member_credential.c.workspace_id)
_COLUMNS = (
    member_credential.c.workspace_id,
    member_credential.c.member_id,
    member_credential.c.email,
    member_credential.c.role,
    member_credential.c.password_hash,
    _member.c.name,
)
_LIVE = sa.and_(_member.c.deleted_at.is_(None), workspace.c.status == "active")


async def credentials_by_email(conn: Conn, email: str) -> list[Row]:
    """Every live member with ``email`` (lower case), in any active workspace."""
    sql = conn.db.sql(
        "members.by_email",
        lambda: (
            sa.select(*_COLUMNS)
            .select_from(_JOIN)
            .where(member_credential.c.email == sa.bindparam("email"), _LIVE)
            .order_by(member_credential.c.workspace_id)
            .limit(20)
        ),
    )
    return await conn.fetch(sql, {"email": email})


async def credential(conn: Conn, ws: uuid.UUID, member_id: uuid.UUID) -> Row | None:
    sql = conn.db.sql(
        "members.credential",
        lambda: (
            sa.select(*_COLUMNS)
            .select_from(_JOIN)
            .where(
                member_credential.c.workspace_id == sa.bindparam("ws"),
                member_credential.c.member_id == sa.bindparam("id"),
                _LIVE,
            )
        ),
    )
    return await conn.fetchrow(sql, {"ws": ws, "id": member_id})


async def credential_by_email(conn: Conn, ws: uuid.UUID, email: str) -> Row | None:
    sql = conn.db.sql(
        "members.credential_by_email",
        lambda: sa.select(member_credential).where(
            member_credential.c.workspace_id == sa.bindparam("ws"),
            member_credential.c.email == sa.bindparam("email"),
        ),
    )
    return await conn.fetchrow(sql, {"ws": ws, "email": email})


async def list_credentials(conn: Conn, ws: uuid.UUID) -> list[Row]:
    sql = conn.db.sql(
        "members.list",
        lambda: (
            sa.select(*_COLUMNS)
            .select_from(_JOIN)
            .where(member_credential.c.workspace_id == sa.bindparam("ws"), _LIVE)
            .order_by(member_credential.c.created_at)
            .limit(1000)
        ),
    )
    return await conn.fetch(sql, {"ws": ws})


async def count_credentials(conn: Conn, ws: uuid.UUID) -> int:
    sql = conn.db.sql(
        "members.count",
        lambda: (
            sa.select(sa.func.count())
            .select_from(member_credential)
            .where(member_credential.c.workspace_id == sa.bindparam("ws"))
        ),
    )
    return int(await conn.fetchval(sql, {"ws": ws}) or 0)


async def insert_credential(conn: Conn, values: dict[str, Any]) -> None:
    sql = conn.db.sql("members.insert", lambda: sa.insert(member_credential))
    await conn.execute(sql, values)


async def update_credential(
    conn: Conn, ws: uuid.UUID, member_id: uuid.UUID, values: dict[str, Any]
) -> int:
    names = tuple(sorted(values))
    sql = conn.db.sql(
        ("members.update", names),
        lambda: (
            sa.update(member_credential)
            .where(
                member_credential.c.workspace_id == sa.bindparam("ws"),
                member_credential.c.member_id == sa.bindparam("id"),
            )
            .values({n: sa.bindparam(f"v_{n}") for n in names})
        ),
    )
    return await conn.execute(
        sql, {"ws": ws, "id": member_id, **{f"v_{n}": v for n, v in values.items()}}
    )


# -- sessions -----------------------------------------------------------------
async def insert_session(
    conn: Conn, ws: uuid.UUID, digest: str, member_id: uuid.UUID, now: datetime, expires: datetime
) -> None:
    sql = conn.db.sql("members.insert_session", lambda: sa.insert(console_session))
    await conn.execute(
        sql,
        {
            "workspace_id": ws,
            "digest": digest,
            "member_id": member_id,
            "created_at": now,
            "expires_at": expires,
        },
    )


async def session(conn: Conn, ws: uuid.UUID, digest: str) -> Row | None:
    sql = conn.db.sql(
        "members.session",
        lambda: sa.select(console_session).where(
            console_session.c.workspace_id == sa.bindparam("ws"),
            console_session.c.digest == sa.bindparam("digest"),
        ),
    )
    return await conn.fetchrow(sql, {"ws": ws, "digest": digest})


async def delete_session(conn: Conn, ws: uuid.UUID, digest: str) -> int:
    sql = conn.db.sql(
        "members.delete_session",
        lambda: sa.delete(console_session).where(
            console_session.c.workspace_id == sa.bindparam("ws"),
            console_session.c.digest == sa.bindparam("digest"),
        ),
    )
    return await conn.execute(sql, {"ws": ws, "digest": digest})


async def delete_sessions(conn: Conn, ws: uuid.UUID, member_id: uuid.UUID) -> int:
    sql = conn.db.sql(
        "members.delete_sessions",
        lambda: sa.delete(console_session).where(
            console_session.c.workspace_id == sa.bindparam("ws"),
            console_session.c.member_id == sa.bindparam("id"),
        ),
    )
    return await conn.execute(sql, {"ws": ws, "id": member_id})


async def delete_expired_sessions(conn: Conn, ws: uuid.UUID, now: datetime) -> int:
    sql = conn.db.sql(
        "members.delete_expired",
        lambda: sa.delete(console_session).where(
            console_session.c.workspace_id == sa.bindparam("ws"),
            console_session.c.expires_at <= sa.bindparam("now"),
        ),
    )
    return await conn.execute(sql, {"ws": ws, "now": now})


# -- one-time links -------------------------------------------------------------
async def insert_link(
    conn: Conn, ws: uuid.UUID, digest: str, member_id: uuid.UUID, now: datetime, expires: datetime
) -> None:
    sql = conn.db.sql("members.insert_link", lambda: sa.insert(signin_link))
    await conn.execute(
        sql,
        {
            "workspace_id": ws,
            "digest": digest,
            "member_id": member_id,
            "created_at": now,
            "expires_at": expires,
            "used_at": None,
        },
    )


async def use_link(conn: Conn, ws: uuid.UUID, digest: str, now: datetime) -> Row | None:
    """Mark the link used, if it was unused and unexpired; the link's row, or None.

    The update's own condition makes it single use even for two requests at once.
    """
    sql = conn.db.sql(
        "members.use_link",
        lambda: (
            sa.update(signin_link)
            .where(
                signin_link.c.workspace_id == sa.bindparam("ws"),
                signin_link.c.digest == sa.bindparam("digest"),
                signin_link.c.used_at.is_(None),
                signin_link.c.expires_at > sa.bindparam("now"),
            )
            .values(used_at=sa.bindparam("now"))
        ),
    )
    if await conn.execute(sql, {"ws": ws, "digest": digest, "now": now}) != 1:
        return None
    get = conn.db.sql(
        "members.link",
        lambda: sa.select(signin_link).where(
            signin_link.c.workspace_id == sa.bindparam("ws"),
            signin_link.c.digest == sa.bindparam("digest"),
        ),
    )
    return await conn.fetchrow(get, {"ws": ws, "digest": digest})

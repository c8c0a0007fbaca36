"""The outbox: events written in the same transaction as the change they describe.

A record's change and its event commit together or not at all, so there are
no lost events and no phantom events; delivery reads from here.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from rolodex.auth.schemas import Actor
from rolodex.kit import clock, decode
from rolodex.kit.db import Conn
from rolodex.kit.ids import uuid7
from rolodex.kit.recordset import recordset, recordset_insert
from rolodex.kit.tables import event as event_table

CREATED = "created"
UPDATED = "updated"
DELETED = "deleted"
COMPLETED = "completed"


@dataclass(slots=True)
class Event:
    """One thing that happened to one record."""

    type: str  # "person.created"
    object_name: str
    record_id: str
    record: dict[str, Any]
    actor: Actor
    changes: list[str] = field(default_factory=list)
    previous: dict[str, Any] | None = None
    id: uuid.UUID = field(default_factory=uuid7)
    occurred_at: datetime = field(default_factory=clock.now)


def make(
    obj_name: str,
    action: str,
    record: dict[str, Any],
    actor: Actor,
    *,
    changes: list[str] | None = None,
    previous: dict[str, Any] | None = None,
) -> Event:
    return Event(
        type=f"{obj_name}.{action}",
        object_name=obj_name,
        record_id=record["id"],
        record=record,
        actor=actor,
        changes=changes or [],
        previous=previous,
    )


_WRITTEN = (
    "workspace_id",
    "id",
    "type",
    "object_name",
    "record_id",
    "occurred_at",
    "actor",
    "record",
    "changes",
    "previous",
)


async def write(conn: Conn, workspace_id: uuid.UUID, events: Sequence[Event]) -> None:
    """Insert ``events`` on ``conn``, inside the caller's transaction."""
    if not events:
        return
    written = rows(workspace_id, events)
    if len(written) > 1 and not conn.sqlite:
        # One statement for the batch (one round trip, and the notify trigger
        # fires once); seq follows the order of ``rows``, so a record's events
        # keep their order.
        sql = conn.db.sql("events.insert_set", lambda: recordset_insert(event_table, _WRITTEN))
        await conn.execute(sql, recordset(event_table, _WRITTEN, written))
        return
    sql = conn.db.sql(
        "events.insert",
        # seq and fanned_out are left to the database's defaults.
        lambda: sa.insert(event_table).values({c: sa.bindparam(c) for c in _WRITTEN}),
    )
    if len(written) == 1:
        await conn.execute(sql, written[0])
    else:
        await conn.executemany(sql, written)


def rows(workspace_id: uuid.UUID, events: Sequence[Event]) -> list[dict[str, Any]]:
    """The outbox rows of ``events``, as ``write`` inserts them."""
    return [
        {
            "workspace_id": workspace_id,
            "id": e.id,
            "type": e.type,
            "object_name": e.object_name,
            "record_id": uuid.UUID(e.record_id),
            "occurred_at": e.occurred_at,
            "actor": e.actor.to_dict(),
            "record": e.record,
            "changes": e.changes,
            "previous": e.previous,
        }
        for e in events
    ]


async def for_record(conn: Conn, workspace_id: uuid.UUID, record_id: str) -> list[dict[str, Any]]:
    """A record's events, oldest first (used by tests and the history API)."""
    t = event_table
    sql = conn.db.sql(
        "events.for_record",
        lambda: (
            sa.select(t)
            .where(t.c.workspace_id == sa.bindparam("ws"), t.c.record_id == sa.bindparam("rid"))
            .order_by(t.c.occurred_at, t.c.id)
        ),
    )
    rows = await conn.fetch(sql, {"ws": workspace_id, "rid": uuid.UUID(record_id)})
    out = []
    for r in rows:
        item = dict(r)
        for key in ("actor", "record", "changes", "previous"):
            item[key] = decode.json(item[key])
        out.append(item)
    return out


async def read_after(
    conn: Conn, workspace_id: uuid.UUID, after: int, limit: int
) -> list[dict[str, Any]]:
    """Up to ``limit`` of a workspace's events numbered above ``after``, in number order."""
    t = event_table
    sql = conn.db.sql(
        ("events.stream", limit),
        lambda: (
            sa.select(t)
            .where(t.c.workspace_id == sa.bindparam("ws"), t.c.seq > sa.bindparam("after"))
            .order_by(t.c.seq)
            .limit(limit)
        ),
    )
    rows = []
    for r in await conn.fetch(sql, {"ws": workspace_id, "after": after}):
        item = dict(r)
        for key in ("actor", "record", "changes", "previous"):
            item[key] = decode.json(item[key])
        rows.append(item)
    return rows


async def last_seq(conn: Conn, workspace_id: uuid.UUID) -> int:
    """The highest event number of a workspace (0 when it has none)."""
    t = event_table
    sql = conn.db.sql(
        "events.stream_end",
        lambda: sa.select(sa.func.max(t.c.seq)).where(t.c.workspace_id == sa.bindparam("ws")),
    )
    return int(await conn.fetchval(sql, {"ws": workspace_id}) or 0)

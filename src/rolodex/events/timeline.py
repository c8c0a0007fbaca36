"""A record's history, newest first: its own events and those of the notes and tasks
attached to it, read from the outbox."""

from __future__ import annotations

import base64
import binascii
import re
import uuid
from typing import Any

import sqlalchemy as sa

from rolodex.kit import clock, decode
from rolodex.kit.db import Conn
from rolodex.kit.errors import BadRequest, NotFound
from rolodex.kit.ids import parse_uuid
from rolodex.kit.jsonutil import dumps, loads
from rolodex.kit.tables import event
from rolodex.metadata.model import ObjectDef, OnDelete, RelationKind
from rolodex.metadata.registry import Registry
from rolodex.records.repository import RecordRepository


def _attached(registry: Registry, obj: ObjectDef) -> list[tuple[str, str]]:
    """(object, id field) of records that belong to ``obj``'s records (notes, tasks)."""
    out = []
    for other in registry.objects.values():
        for f in other.relations:
            rel = f.relation
            if (
                rel is not None
                and rel.kind is RelationKind.MANY_TO_ONE
                and rel.target == obj.name
                and rel.on_delete is OnDelete.CASCADE
            ):
                out.append((other.name, rel.join_field))
    return out


_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")


def _identifier(name: str) -> str:
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not an identifier: {name!r}")
    return name


def _attached_to(name: str, join: str) -> Any:
    """Events of ``name`` records whose ``record ->> 'join'`` is ``:rs``, with the object
    and the key written as literals: the predicate and expression of the event's
    attached-record indexes (migrations 0019 and 0021), which bound values cannot
    use. Names are identifiers (metadata validates them); anything else is refused."""
    obj: Any = sa.literal_column(f"'{_identifier(name)}'")
    key: Any = sa.literal_column(f"'{_identifier(join)}'")
    return sa.and_(
        event.c.object_name == obj,
        event.c.record.op("->>", return_type=sa.Text)(key) == sa.bindparam("rs"),
    )


def _item(row: Any) -> dict[str, Any]:
    return {
        "id": str(row["id"]),
        "type": row["type"],
        "object": row["object_name"],
        "recordId": str(row["record_id"]),
        "occurredAt": decode.iso(row["occurred_at"]),
        "actor": decode.json(row["actor"]),
        "changes": decode.json(row["changes"]) or [],
        "previous": decode.json(row["previous"]),
        "record": decode.json(row["record"]),
    }


def _cursor(item: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(dumps([item["occurredAt"], item["id"]])).decode()


def _decode(cursor: str) -> tuple[Any, uuid.UUID]:
    try:
        at, eid = loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        return clock.parse_datetime(at, field="cursor"), uuid.UUID(eid)
    except (ValueError, TypeError, binascii.Error):
        raise BadRequest("The cursor is not valid.", field="cursor") from None


async def timeline(
    conn: Conn,
    registry: Registry,
    workspace_id: uuid.UUID,
    obj: ObjectDef,
    record_id: Any,
    *,
    limit: int,
    after: str | None,
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the record's history and the cursor of the next page (or None)."""
    rid = parse_uuid(record_id)
    repo = RecordRepository(conn, obj, workspace_id)
    if await repo.get(rid, deleted=None) is None and not await _has_events(
        conn, workspace_id, obj.name, rid
    ):
        raise NotFound(f"No {obj.name} with id {rid}.", field="id")
    attached = _attached(registry, obj)
    position = _decode(after) if after else None
    t = event

    def build() -> Any:
        own = sa.and_(t.c.object_name == obj.name, t.c.record_id == sa.bindparam("rid"))
        parts = [own] + [_attached_to(name, join) for name, join in attached]
        where = [t.c.workspace_id == sa.bindparam("ws"), sa.or_(*parts)]
        if position is not None:
            where.append(
                sa.tuple_(t.c.occurred_at, t.c.id)
                < sa.tuple_(sa.bindparam("at"), sa.bindparam("eid"))
            )
        return (
            sa.select(t)
            .where(*where)
            .order_by(t.c.occurred_at.desc(), t.c.id.desc())
            .limit(sa.bindparam("limit"))
        )

    key = ("events.timeline", obj.name, tuple(attached), position is not None)
    sql = conn.db.sql(key, build)
    params = {"ws": workspace_id, "rid": rid, "rs": str(rid), "limit": limit + 1}
    if position is not None:
        params.update(at=position[0], eid=position[1])
    rows = await conn.fetch(sql, params)
    items = [_item(r) for r in rows[:limit]]
    return items, (_cursor(items[-1]) if len(rows) > limit and items else None)


class Timeline:
    """Records' histories in one workspace, for a session."""

    def __init__(self, conn: Conn, registry: Registry, workspace_id: uuid.UUID) -> None:
        self.conn = conn
        self.registry = registry
        self.ws = workspace_id

    async def page(
        self, obj: ObjectDef | str, record_id: Any, *, limit: int, after: str | None
    ) -> tuple[list[dict[str, Any]], str | None]:
        """One page of the record's history (``obj`` by definition or name), as ``timeline``."""
        target = self.registry.object(obj) if isinstance(obj, str) else obj
        return await timeline(
            self.conn, self.registry, self.ws, target, record_id, limit=limit, after=after
        )


async def _has_events(conn: Conn, workspace_id: uuid.UUID, name: str, rid: uuid.UUID) -> bool:
    """A record deleted for good still has a history."""
    sql = conn.db.sql(
        "events.has",
        lambda: (
            sa.select(event.c.id)
            .where(
                event.c.workspace_id == sa.bindparam("ws"),
                event.c.object_name == sa.bindparam("name"),
                event.c.record_id == sa.bindparam("rid"),
            )
            .limit(1)
        ),
    )
    return await conn.fetchrow(sql, {"ws": workspace_id, "name": name, "rid": rid}) is not None

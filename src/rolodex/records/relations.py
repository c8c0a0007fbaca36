"""Embedding related records (REST ``depth=1``): one query per relation, never per record."""

from __future__ import annotations

import uuid
from typing import Any

from rolodex.kit.db import Conn
from rolodex.metadata.model import ObjectDef, RelationKind
from rolodex.metadata.registry import Registry
from rolodex.records.repository import RecordRepository
from rolodex.records.schemas import serializer

TO_MANY_LIMIT = 60


async def embed(
    conn: Conn,
    registry: Registry,
    workspace_id: uuid.UUID,
    obj: ObjectDef,
    records: list[dict[str, Any]],
) -> None:
    """Add each relation of ``obj`` to ``records`` in place: to-one as an object or null,
    to-many as a list of at most ``TO_MANY_LIMIT`` records."""
    if not records:
        return
    for rf in list(obj.relations):
        rel = rf.relation
        assert rel is not None
        target = registry.objects.get(rel.target)
        if target is None:
            continue
        repo = RecordRepository(conn, target, workspace_id)
        serialise = serializer(target)
        if rel.kind is RelationKind.MANY_TO_ONE:
            ids = sorted({r[rel.join_field] for r in records if r.get(rel.join_field)})
            rows = await repo.get_many([uuid.UUID(i) for i in ids])
            found = {str(row["id"]): serialise(row, conn.sqlite) for row in rows}
            for r in records:
                r[rf.name] = found.get(r.get(rel.join_field) or "")
        else:
            join = target.fields[rel.join_field]
            rows = await repo.related(join, [uuid.UUID(r["id"]) for r in records], TO_MANY_LIMIT)
            groups: dict[str, list[dict[str, Any]]] = {r["id"]: [] for r in records}
            for row in rows:
                item = serialise(row, conn.sqlite)
                groups.setdefault(item[rel.join_field], []).append(item)
            for r in records:
                r[rf.name] = groups[r["id"]]

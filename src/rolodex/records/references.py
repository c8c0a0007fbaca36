"""Relation ids that name no record: the check every write makes before it is stored.

The record service refuses a write naming one (a 400 on the id field); the
importer uses the same check to reject such rows alone, before their batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rolodex.metadata.model import ObjectDef, RelationKind
from rolodex.metadata.registry import Registry
from rolodex.records.repository import RecordRepository


@dataclass(frozen=True, slots=True)
class Missing:
    """Item ``index`` of a write sets ``field`` to an id that names no record."""

    index: int
    field: str
    message: str


async def missing(
    repo: Callable[[ObjectDef], RecordRepository],
    registry: Registry,
    obj: ObjectDef,
    values: Sequence[dict[str, Any]],
) -> list[Missing]:
    """Every to-one relation id in ``values`` that names no live record of its target.

    In relation order, then item order: the first is the one a write reports.
    """
    out: list[Missing] = []
    for rf in obj.relations:
        rel = rf.relation
        if rel is None or rel.kind is not RelationKind.MANY_TO_ONE:
            continue
        join = rel.join_field
        wanted = {str(v[join]).lower() for v in values if v.get(join) is not None}
        if not wanted:
            continue
        target = registry.object(rel.target)
        found = await repo(target).existing_ids([uuid.UUID(w) for w in sorted(wanted)])
        for i, v in enumerate(values):
            value = v.get(join)
            if value is not None and str(value).lower() not in found:
                out.append(Missing(i, join, f"{join}: no {target.name} with id {value}"))
    return out

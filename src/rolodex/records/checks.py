"""The checks a write makes against stored records: unique values and relation ids.

The record service refuses a write that clashes on a unique value (a 409)
or names a relation id with no record (a 400 on the id field); the importer
uses the same reference check to reject such rows alone, before their batch.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rolodex.kit.db import Row
from rolodex.kit.errors import Conflict, RolodexError
from rolodex.kit.show import shown
from rolodex.metadata.model import ObjectDef, RelationKind
from rolodex.metadata.registry import Registry
from rolodex.records.repository import RecordRepository
from rolodex.records.schemas import Input


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


def at(index: int | None, exc: RolodexError) -> RolodexError:
    """Name the batch item an error belongs to."""
    if index is not None:
        exc.message = f"Item {index}: {exc.message}"
        exc.args = (exc.message,)
        exc.extra["index"] = index
    return exc


def no_upsert(registry: Registry, obj: ObjectDef) -> str:
    """Why ``upsert`` does not apply to ``obj``, and where it does."""
    keyed = [
        f"{o.plural} (by {o.unique_keys[0]})" for o in registry.objects.values() if o.unique_keys
    ]
    return (
        f"{obj.plural} have no unique field, so upsert has nothing to match on; "
        f"upsert works on {', '.join(keyed) or 'no object'}. Create without ?upsert=true."
    )


async def match_unique(
    repo: Callable[[ObjectDef], RecordRepository],
    obj: ObjectDef,
    inputs: list[Input],
    upsert: bool,
    batch: bool,
) -> dict[int, Row]:
    """Existing records that share a unique value with an input.

    With ``upsert``, inputs matching on the object's first unique key are
    updates; any other clash is a 409 naming the field and the record.
    """
    matches: dict[int, Row] = {}
    for f in obj.fields.values():
        if not f.unique or f.system or f.column is None:
            continue
        seen: dict[str, int] = {}
        for i, inp in enumerate(inputs):
            value = inp.values.get(f.name)
            if isinstance(value, str):
                key = value.lower()
                if key in seen:
                    raise at(
                        i if batch else None,
                        Conflict(
                            f"{f.name} {shown(value)} appears twice in this batch "
                            f"(items {seen[key]} and {i})",
                            field=f.name,
                        ),
                    )
                seen[key] = i
        if not seen:
            continue
        rows = await repo(obj).by_unique(f, list(seen))
        match_key = upsert and obj.unique_keys[:1] == (f.name,)
        for row in rows:
            i = seen[str(row[f.column]).lower()]
            if match_key and row["deleted_at"] is None:
                matches[i] = row
            elif i not in matches:
                raise at(
                    i if batch else None,
                    Conflict(
                        f"A {obj.name} with {f.name} {shown(inputs[i].values[f.name])} already "
                        f"exists (id {row['id']}).",
                        field=f.name,
                        existingId=str(row["id"]),
                    ),
                )
    return matches

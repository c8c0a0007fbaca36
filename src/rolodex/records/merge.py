"""Merging duplicates into one record, in the caller's transaction.

``merge`` keeps the primary record and, in order:

1. moves every record that points at a duplicate (through any to-one
   relation of any object in the registry whose target is this object:
   notes, tasks, a company's people, custom relations) to the primary,
   soft-deleted ones included, so a later restore does not point at a ghost;
2. fills the primary's empty fields from the duplicates, the first non-empty
   value in ``duplicateIds`` order, or the value of the record ``prefer``
   names for a field (even over a value the primary has);
3. soft-deletes the duplicates (restorable, as a single soft delete is);
4. emits ``<object>.merged`` on the primary, with ``previous.mergedIds``
   naming the duplicates and ``changes`` the fields it took from them.

Every record that changed gets its usual event too (``updated`` for the
moved records and the primary, ``softdeleted`` for the duplicates). A unique
value taken from a duplicate (an email, a domain) is first cleared on the
duplicate, with its own ``updated`` event, since a soft-deleted record keeps
its unique values.
"""

from __future__ import annotations

import uuid
from typing import Any

from rolodex.events import outbox
from rolodex.kit.errors import BadRequest, NotFound, RolodexError, ValidationError
from rolodex.kit.ids import parse_uuid
from rolodex.metadata.model import Behaviour, FieldDef, ObjectDef, RelationKind
from rolodex.records.bulk import TooMany, repository
from rolodex.records.checks import at
from rolodex.records.lifecycle import Lifecycle
from rolodex.records.schemas import Input, validate
from rolodex.records.service import RecordService

MERGED = "merged"
MAX_DUPLICATES = 20
# Records a merge may move from the duplicates to the primary, over every relation.
MAX_MOVED = 10_000
_KEYS = frozenset({"primaryId", "duplicateIds", "prefer"})
_NAME_PARTS = ("firstName", "lastName")


def _empty(value: Any) -> bool:
    if value is None or value == "" or value == [] or value == {}:
        return True
    if isinstance(value, dict):
        return all(_empty(v) for v in value.values())
    return False


def mergeable(obj: ObjectDef) -> list[FieldDef]:
    """The fields a merge fills: stored, writable, not managed by Rolodex."""
    return [
        f
        for f in obj.fields.values()
        if f.stored and not f.system and not f.read_only and f.name not in obj.hidden_keys
    ]


def _inbound(svc: RecordService, obj: ObjectDef) -> list[tuple[ObjectDef, FieldDef]]:
    """Every (object, join field) whose to-one relation targets ``obj``, from the registry."""
    out = []
    for other in svc.registry.objects.values():
        for rf in other.relations:
            rel = rf.relation
            if rel is not None and rel.kind is RelationKind.MANY_TO_ONE and rel.target == obj.name:
                out.append((other, other.fields[rel.join_field]))
    return out


def _ids(body: dict[str, Any]) -> tuple[uuid.UUID, list[uuid.UUID]]:
    primary = parse_uuid(body.get("primaryId"), field="primaryId")
    raw = body.get("duplicateIds")
    if not isinstance(raw, list) or not raw:
        raise ValidationError(
            "duplicateIds must be a non-empty JSON array of record ids.", field="duplicateIds"
        )
    if len(raw) > MAX_DUPLICATES:
        raise ValidationError(
            f"A merge takes at most {MAX_DUPLICATES} duplicates, got {len(raw)}.",
            field="duplicateIds",
        )
    dups: list[uuid.UUID] = []
    for i, value in enumerate(raw):
        try:
            rid = parse_uuid(value, field="duplicateIds")
            if rid == primary:
                raise ValidationError(
                    f"The primary record {rid} cannot also be one of its duplicates.",
                    field="duplicateIds",
                )
            if rid in dups:
                raise ValidationError(
                    f"{rid} appears twice in duplicateIds (items {dups.index(rid)} and {i}).",
                    field="duplicateIds",
                )
        except RolodexError as exc:
            raise at(i, exc) from None
        dups.append(rid)
    return primary, dups


def _prefer(obj: ObjectDef, raw: Any, ids: set[uuid.UUID]) -> dict[str, uuid.UUID]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValidationError("prefer must be a JSON object: {field: record id}.", field="prefer")
    fields = {f.name for f in mergeable(obj)}
    out = {}
    for name, value in raw.items():
        if name not in fields:
            raise ValidationError(
                f"prefer: {name!r} is not a field a merge fills on {obj.plural} "
                f"(one of: {', '.join(sorted(fields))}).",
                field=f"prefer.{name}",
            )
        rid = parse_uuid(value, field=f"prefer.{name}")
        if rid not in ids:
            raise ValidationError(
                f"prefer.{name}: {rid} is neither the primary record nor one of duplicateIds.",
                field=f"prefer.{name}",
            )
        out[name] = rid
    return out


async def merge(svc: RecordService, obj: ObjectDef, body: Any) -> dict[str, Any]:
    """Merge ``body["duplicateIds"]`` into ``body["primaryId"]``; the primary as it ends up,
    with the merged ids and how many records moved per object."""
    if not isinstance(body, dict):
        raise BadRequest('A merge body is {"primaryId", "duplicateIds", "prefer"}.')
    unknown = sorted(set(body) - _KEYS)
    if unknown:
        raise ValidationError(
            f"Unknown member {unknown[0]!r}; a merge takes primaryId, duplicateIds and prefer.",
            field=unknown[0],
        )
    primary_id, dup_ids = _ids(body)
    prefer = _prefer(obj, body.get("prefer"), {primary_id, *dup_ids})
    locked = await repository(svc, obj).lock_many([primary_id, *dup_ids])
    rows = {uuid.UUID(str(r["id"])): r for r in locked}
    if primary_id not in rows:
        raise NotFound(f"No {obj.name} with id {primary_id}.", field="primaryId")
    for i, rid in enumerate(dup_ids):
        if rid not in rows:
            raise at(i, NotFound(f"No {obj.name} with id {rid}.", field="duplicateIds"))
    moved = await _move(svc, obj, primary_id, dup_ids)
    records = {rid: svc.serialise(obj, row) for rid, row in rows.items()}
    fill, sources = _fill(obj, records, primary_id, dup_ids, prefer)
    # A soft-deleted record keeps its unique values: free them on the duplicate first.
    for name, source in sources.items():
        f = obj.fields[name]
        if f.unique and source != primary_id:
            await svc.apply_update(obj, rows[source], Input({name: None}))
    primary = records[primary_id]
    if fill:
        try:
            inp = validate(obj, fill, creating=False)
        except RolodexError as exc:
            exc.message = f"The merged values do not fit the {obj.name}: {exc.message}"
            exc.args = (exc.message,)
            raise
        primary = await svc.apply_update(obj, rows[primary_id], inp)
    life = Lifecycle(svc)
    for rid in dup_ids:
        await life.soft_delete(obj, rid)
    merged = [str(r) for r in dup_ids]
    svc.emit(
        outbox.make(
            obj.name,
            MERGED,
            primary,
            svc.actor,
            changes=[n for n in fill if primary.get(n) != records[primary_id].get(n)],
            previous={"mergedIds": merged},
        )
    )
    await svc.flush()
    return {"record": primary, "mergedIds": merged, "moved": moved}


async def _move(
    svc: RecordService, obj: ObjectDef, primary: uuid.UUID, dups: list[uuid.UUID]
) -> dict[str, int]:
    """Point every record that points at a duplicate at the primary; how many, per object."""
    merging = {str(primary), *(str(d) for d in dups)}
    plan = []
    total = 0
    for other, join in _inbound(svc, obj):
        rows = await repository(svc, other).pointing_at(join, dups, MAX_MOVED + 1)
        if other.name == obj.name:  # a self-relation among the records being merged
            rows = [r for r in rows if str(r["id"]) not in merging]
        total += len(rows)
        if total > MAX_MOVED:
            raise TooMany(
                f"The duplicates have more than {MAX_MOVED} related records to move; "
                "move some first (a bulk update of their relation), then merge.",
                field="duplicateIds",
                limit=MAX_MOVED,
            )
        plan.append((other, join, rows))
    moved: dict[str, int] = {}
    for other, join, rows in plan:
        if not rows:
            continue
        inp = validate(other, {join.name: str(primary)}, creating=False)
        for row in rows:
            await svc.apply_update(other, row, inp)
        moved[other.name] = moved.get(other.name, 0) + len(rows)
    return moved


def _fill(
    obj: ObjectDef,
    records: dict[uuid.UUID, dict[str, Any]],
    primary: uuid.UUID,
    dups: list[uuid.UUID],
    prefer: dict[str, uuid.UUID],
) -> tuple[dict[str, Any], dict[str, uuid.UUID]]:
    """The values the primary takes (API form) and the record each comes from."""
    fill: dict[str, Any] = {}
    sources: dict[str, uuid.UUID] = {}
    mine = records[primary]
    for f in mergeable(obj):
        if f.name in prefer:
            source = prefer[f.name]
            value = records[source].get(f.name)
            if source != primary and value != mine.get(f.name):
                fill[f.name], sources[f.name] = value, source
            continue
        if not _empty(mine.get(f.name)):
            continue
        for rid in dups:
            value = records[rid].get(f.name)
            if not _empty(value):
                fill[f.name], sources[f.name] = value, rid
                break
    if Behaviour.FULL_NAME in obj.behaviours and "name" in fill:
        # A full name and its parts must agree: parts from another record than the
        # name's give way to it (the name alone is split into its parts).
        for part in _NAME_PARTS:
            if part in fill and sources[part] != sources["name"]:
                del fill[part]
                del sources[part]
    return fill, sources

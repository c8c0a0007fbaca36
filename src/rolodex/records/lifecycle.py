"""Deleting records: for good, softly (hidden, restorable), and restoring them.

What happens to the records pointing at a deleted one is each relation's
``on_delete`` rule in the registry:

- ``CASCADE`` (notes and tasks on a person or company): a dependent attached
  to nothing else goes with it, softly with a soft delete, and comes back
  with a restore; one attached elsewhere too is only detached (hard delete).
- ``SET_NULL`` (a company's people): a hard delete clears the link; a soft
  delete keeps it (hidden while the target is deleted), so a restore needs
  nothing to mend.

A record's ``owned`` rows elsewhere (a person's consents, declared on its
definition) go with it when it is deleted for good.

Every record touched gets its own event. ``Lifecycle`` works through the
``Writes`` it is given (the record service), and knows nothing else of it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any, Protocol

from rolodex.auth.schemas import Actor
from rolodex.events import outbox
from rolodex.kit import clock
from rolodex.kit.db import Row
from rolodex.kit.errors import NotFound, ValidationError
from rolodex.kit.ids import parse_uuid
from rolodex.metadata.model import FieldDef, ObjectDef, OnDelete, RelationKind
from rolodex.metadata.registry import Registry
from rolodex.records.repository import RecordRepository
from rolodex.records.schemas import Input
from rolodex.search.service import SearchIndex

MAX_DEPTH = 3
SOFT_DELETED = "softdeleted"
RESTORED = "restored"


class Writes(Protocol):
    """What deleting and restoring need of the record service: its registry and
    actor, its repositories, its serialiser, its update and its pending events."""

    registry: Registry
    actor: Actor

    @property
    def search(self) -> SearchIndex: ...

    def repo(self, obj: ObjectDef) -> RecordRepository: ...

    def serialise(self, obj: ObjectDef, row: Row) -> dict[str, Any]: ...

    async def apply_update(self, obj: ObjectDef, row: Row, inp: Input) -> dict[str, Any]: ...

    def emit(self, event: outbox.Event) -> None: ...


class Lifecycle:
    """Delete, soft delete and restore, through a ``Writes`` (the record service)."""

    def __init__(self, svc: Writes) -> None:
        self.svc = svc

    async def delete_row(self, obj: ObjectDef, row: Row) -> dict[str, Any]:
        """Delete for good a record already found and locked (retention's purge)."""
        return await self._delete_row(obj, row, 0)

    async def delete(self, obj: ObjectDef, record_id: Any) -> dict[str, Any]:
        """Delete a record for good (live or soft-deleted)."""
        row = await self._find(obj, record_id, deleted=None)
        record = await self._delete_row(obj, row, 0)
        return record

    async def soft_delete(self, obj: ObjectDef, record_id: Any) -> dict[str, Any]:
        """Hide a record (and its cascading dependents); ``restore`` brings them back."""
        row = await self._find(obj, record_id, deleted=False)
        record = await self._soft_delete_row(obj, row, clock.now(), 0)
        return record

    async def restore(self, obj: ObjectDef, record_id: Any) -> dict[str, Any]:
        rid = parse_uuid(record_id)
        row = await self.svc.repo(obj).get(rid, lock=True, deleted=None)
        if row is None:
            raise NotFound(f"No {obj.name} with id {rid}.", field="id")
        if row["deleted_at"] is None:
            raise ValidationError(
                f"The {obj.name} {rid} is not deleted; nothing to restore.", field="id"
            )
        record = await self._restore_row(obj, row, 0)
        return record

    # -- rows -----------------------------------------------------------------------
    async def _find(self, obj: ObjectDef, record_id: Any, deleted: bool | None) -> Row:
        rid = parse_uuid(record_id)
        row = await self.svc.repo(obj).get(rid, lock=True, deleted=deleted)
        if row is None:
            raise NotFound(f"No {obj.name} with id {rid}.", field="id")
        return row

    async def _delete_row(self, obj: ObjectDef, row: Row, depth: int) -> dict[str, Any]:
        record = self.svc.serialise(obj, row)
        rid = uuid.UUID(record["id"])
        if depth < MAX_DEPTH:
            for other, join, cascade in _inbound(self.svc, obj):
                deps = list(await self.svc.repo(other).referencing(join, rid))
                if row["deleted_at"] is not None and cascade:
                    deps += await self.svc.repo(other).referencing(
                        join, rid, deleted_at=row["deleted_at"]
                    )
                for dep in deps:
                    if cascade and not _attached_elsewhere(self.svc, other, dep, join):
                        await self._delete_row(other, dep, depth + 1)
                    elif dep["deleted_at"] is None:
                        await self.svc.apply_update(other, dep, Input({join.name: None}))
        await self.svc.repo(obj).delete([rid])
        await self.svc.search.drop(obj, [rid])
        for owned in obj.owned:  # e.g. personal data goes with the person
            await self.svc.repo(obj).delete_owned(owned, rid)
        self.svc.emit(outbox.make(obj.name, outbox.DELETED, record, self.svc.actor))
        return record

    async def _soft_delete_row(
        self, obj: ObjectDef, row: Row, at: datetime, depth: int
    ) -> dict[str, Any]:
        record = self.svc.serialise(obj, row)
        rid = uuid.UUID(record["id"])
        await self.svc.repo(obj).update(rid, {"deleted_at": at})
        await self.svc.search.drop(obj, [rid])
        record["deletedAt"] = clock.iso(at)
        self.svc.emit(
            outbox.make(
                obj.name,
                SOFT_DELETED,
                record,
                self.svc.actor,
                changes=["deletedAt"],
                previous={"deletedAt": None},
            )
        )
        if depth < MAX_DEPTH:
            for other, join, cascade in _inbound(self.svc, obj):
                if not cascade:
                    continue
                for dep in await self.svc.repo(other).referencing(join, rid):
                    if not _attached_elsewhere(self.svc, other, dep, join):
                        await self._soft_delete_row(other, dep, at, depth + 1)
        return record

    async def _restore_row(self, obj: ObjectDef, row: Row, depth: int) -> dict[str, Any]:
        record = self.svc.serialise(obj, row)
        rid = uuid.UUID(record["id"])
        deleted_at = row["deleted_at"]
        await self.svc.repo(obj).update(rid, {"deleted_at": None})
        previous = {"deletedAt": record["deletedAt"]}
        record["deletedAt"] = None
        await self.svc.search.index(obj, [record])
        self.svc.emit(
            outbox.make(
                obj.name, RESTORED, record, self.svc.actor, changes=["deletedAt"], previous=previous
            )
        )
        if depth < MAX_DEPTH:
            for other, join, cascade in _inbound(self.svc, obj):
                if cascade:
                    for dep in await self.svc.repo(other).referencing(
                        join, rid, deleted_at=deleted_at
                    ):
                        await self._restore_row(other, dep, depth + 1)
        return record


def _inbound(svc: Writes, obj: ObjectDef) -> Iterator[tuple[ObjectDef, FieldDef, bool]]:
    """Every (object, id field, cascades?) whose to-one relation points at ``obj``."""
    for other in svc.registry.objects.values():
        for rf in other.relations:
            rel = rf.relation
            if rel is not None and rel.kind is RelationKind.MANY_TO_ONE and rel.target == obj.name:
                yield other, other.fields[rel.join_field], rel.on_delete is OnDelete.CASCADE


def _attached_elsewhere(svc: Writes, other: ObjectDef, dep: Row, join: FieldDef) -> bool:
    """Whether ``dep`` also hangs on another cascading relation (a note on a company too)."""
    record = svc.serialise(other, dep)
    return any(
        record.get(f.relation.join_field)
        for f in other.relations
        if f.relation is not None
        and f.relation.kind is RelationKind.MANY_TO_ONE
        and f.relation.on_delete is OnDelete.CASCADE
        and f.relation.join_field != join.name
    )

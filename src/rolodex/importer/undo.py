"""``rolodex import undo ID``: soft-delete exactly the records one import created.

An import's records carry ``createdBy = {"type": "import", "id": ID, ...}``
(the id the import printed). Undo finds them with the same filter as
``filter=createdBy.id[eq]:ID`` and soft-deletes them through the record
service, a batch per transaction, so each gets its ``deleted`` event and can
be restored. Records the import only updated (``--upsert-by``) were created
by someone else: they are left as they are, changes included, and counted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from typing import Any

from rolodex.auth.schemas import Actor
from rolodex.importer.schemas import ImportActor
from rolodex.kit.db import Database
from rolodex.kit.errors import NotFound
from rolodex.metadata.model import ObjectDef
from rolodex.metadata.registry import RegistryCache
from rolodex.records.query import And, Cond, Filter, ListQuery, Not
from rolodex.records.service import MAX_BATCH, RecordService
from rolodex.session import WRITE, LocalPrincipal, Sessions

BATCH = min(500, MAX_BATCH)


@dataclass
class UndoSummary:
    """What an undo did; printed, or as JSON with ``--json``."""

    import_id: str
    removed: int = 0
    by_object: dict[str, int] = field(default_factory=dict)
    kept_updated: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "importId": self.import_id,
            "removed": self.removed,
            "removedByObject": self.by_object,
            "keptUpdated": self.kept_updated,
        }


def by_import(actor_field: str, import_id: str) -> Filter:
    """Records whose ``createdBy`` (or ``updatedBy``) is the import ``import_id``."""
    return And(
        (
            Cond(f"{actor_field}.type", "eq", "import"),
            Cond(f"{actor_field}.id", "eq", import_id),
        )
    )


def _deleted(flt: Filter) -> Filter:
    return And((flt, Cond("deletedAt", "is", "NOT_NULL")))


def _parse(import_id: str) -> str:
    try:
        return str(uuid.UUID(import_id.strip()))
    except ValueError:
        raise NotFound(
            f"No import with id {import_id!r}: an import id is the UUID an import prints.",
            field="id",
        ) from None


async def _count(svc: RecordService, obj: ObjectDef, flt: Filter) -> int:
    page = await svc.page(obj, ListQuery(filter=flt, limit=1, with_total=True))
    return page.total or 0


async def _actor(
    sessions: Sessions, operator: LocalPrincipal, objs: list[ObjectDef], import_id: str
) -> Actor | None:
    """The actor of the deletes (None: no record of the import exists, live or deleted).

    An import run with ``--no-webhooks`` is undone without webhooks too.
    """
    flt = by_import("createdBy", import_id)
    async with sessions.open(replace(operator, actor=Actor("system"))) as session:
        svc = session.records
        for obj in objs:
            for wanted in (flt, _deleted(flt)):
                page = await svc.page(obj, ListQuery(filter=wanted, limit=1, with_total=False))
                if page.records:
                    created = page.records[0].get("createdBy") or {}
                    name = f"undo of {created.get('name') or 'import'}"
                    if created.get("deliver") is False:
                        return ImportActor("import", import_id, name, deliver=False)
                    return Actor("import", import_id, name)
    return None


async def undo_local(db: Database, import_id: str, *, workspace: str | None = None) -> UndoSummary:
    """Soft-delete the live records the import ``import_id`` created in a workspace of ``db``."""
    rid = _parse(import_id)
    sessions = Sessions(db, RegistryCache(0))
    operator = await sessions.local(workspace)
    async with sessions.open(operator) as session:
        registry = session.registry
    objs = [o for o in registry.objects.values() if "createdBy" in o.fields]
    actor = await _actor(sessions, operator, objs, rid)
    if actor is None:
        raise NotFound(f"No import with id {rid} in this workspace.", field="id")
    summary = UndoSummary(rid)
    created = by_import("createdBy", rid)
    kept = And((by_import("updatedBy", rid), Not(Cond("createdBy.id", "eq", rid))))
    # Counted first: removing a person also removes (softly) the notes it alone holds,
    # which may be the import's too.
    principal = replace(operator, actor=actor)
    async with sessions.open(principal, registry=registry) as session:
        svc = session.records
        for obj in objs:
            if n := await _count(svc, obj, created):
                summary.by_object[obj.plural] = n
                summary.removed += n
            summary.kept_updated += await _count(svc, obj, kept)
    for obj in objs:
        while obj.plural in summary.by_object:
            async with sessions.open(principal, WRITE, registry=registry) as session:
                svc = session.records
                page = await svc.page(obj, ListQuery(filter=created, limit=BATCH, with_total=False))
                for record in page.records:
                    try:
                        await svc.soft_delete(obj, record["id"])
                    except NotFound:  # gone with a record deleted before it (a cascade)
                        continue
            if len(page.records) < BATCH:
                break
    return summary


__all__ = ["UndoSummary", "by_import", "undo_local"]

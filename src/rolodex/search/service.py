"""Search across objects: keeping the index, and asking it.

``SearchIndex`` is what the record service calls in the transaction of each
write (create, update, delete, soft delete, restore; batches and imports go
through the same calls), so a hit is never a record that is gone, and a
change is found as soon as it commits. ``Search`` answers queries for the
REST and GraphQL interfaces.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from rolodex.kit.db import Conn
from rolodex.kit.errors import NotFound, ValidationError
from rolodex.metadata.model import ObjectDef
from rolodex.metadata.registry import Registry
from rolodex.search.repository import Hit, SearchRepository
from rolodex.search.text import document, parse_query, searchable_fields, stored_values

DEFAULT_LIMIT = 20
MAX_LIMIT = 100
REINDEX_BATCH = 500


class SearchIndex:
    """Keeps one workspace's search documents in step with its records."""

    def __init__(self, conn: Conn, workspace_id: uuid.UUID) -> None:
        self.conn = conn
        self.ws = workspace_id
        self.repo = SearchRepository(conn, workspace_id)

    async def index(self, obj: ObjectDef, records: Iterable[dict[str, Any]]) -> None:
        """Write the documents of these records (as the API shows them), new or changed."""
        if not searchable_fields(obj):
            return
        await self.repo.put(obj.name, [document(obj, r) for r in records])

    def rows(self, obj: ObjectDef, records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
        """The document rows of these records, for a statement that writes them with the
        records themselves (a single create on PostgreSQL); none if nothing is searched."""
        if not searchable_fields(obj):
            return []
        return self.repo.rows(obj.name, [document(obj, r) for r in records])

    def touches(self, obj: ObjectDef, changed: Iterable[str]) -> bool:
        """Whether a change of these fields changes the record's document."""
        names = {f.name for f in searchable_fields(obj)} | {obj.label_field}
        return any(name in names for name in changed)

    async def drop(self, obj: ObjectDef, record_ids: Sequence[Any]) -> None:
        """Remove the documents of records deleted or soft-deleted."""
        if searchable_fields(obj):
            await self.repo.drop([str(r) for r in record_ids])

    async def drop_object(self, obj_name: str) -> None:
        await self.repo.drop_object(obj_name)

    async def reindex(self, obj: ObjectDef) -> int:
        """Rebuild every document of ``obj`` (after its searchable fields changed);
        how many records were read."""
        await self.repo.drop_object(obj.name)
        if not searchable_fields(obj):
            return 0
        after: uuid.UUID | None = None
        count = 0
        while True:
            rows = await self.repo.records_after(obj, after, REINDEX_BATCH)
            if not rows:
                return count
            records = [stored_values(obj, r) for r in rows]
            await self.repo.put(obj.name, [document(obj, r) for r in records])
            count += len(rows)
            after = uuid.UUID(str(records[-1]["id"]))


def redefined(obj: ObjectDef, fields: dict[str, Any]) -> ObjectDef:
    """A copy of ``obj`` with other fields (a field's ``searchable`` changed, or one
    left out), for re-indexing inside the transaction that changes it."""
    other = copy.copy(obj)
    other.fields = fields
    other.cache = {}
    return other


def _hit(obj: ObjectDef, hit: Hit) -> dict[str, Any]:
    return {
        "object": obj.plural,
        "objectNameSingular": obj.name,
        "id": hit.record_id,
        "label": hit.label,
        "score": hit.score,
    }


class Search:
    """Ranked search over one workspace's objects."""

    def __init__(self, conn: Conn, registry: Registry, workspace_id: uuid.UUID) -> None:
        self.registry = registry
        self.repo = SearchRepository(conn, workspace_id)

    def objects(self, names: Sequence[str] | None, exclude: Sequence[str] = ()) -> list[ObjectDef]:
        """The objects to search: those named (plural or singular), or every object
        with searchable fields, less ``exclude``; an unknown name is a 400."""
        if names is not None and not [n for n in names if n.strip()]:
            raise ValidationError("objects names no object to search", field="objects")
        chosen = (
            [self._object(n) for n in names if n.strip()]
            if names is not None
            else list(self.registry.objects.values())
        )
        left_out = {self._object(n).name for n in exclude if n.strip()}
        out: dict[str, ObjectDef] = {}
        for obj in chosen:
            if obj.name not in left_out and searchable_fields(obj):
                out[obj.name] = obj
            elif names is not None and obj.name not in left_out:
                raise ValidationError(f"{obj.plural} has no searchable fields", field="objects")
        return list(out.values())

    def _object(self, name: str) -> ObjectDef:
        try:
            return self.registry.object(name.strip())
        except NotFound as exc:  # a bad query parameter, not a missing resource
            raise ValidationError(exc.message, field="objects") from None

    async def search(
        self,
        query: Any,
        objects: Sequence[str] | None = None,
        limit: int | None = None,
        *,
        exclude: Sequence[str] = (),
    ) -> tuple[list[dict[str, Any]], bool]:
        """The best hits, best first, and whether more records matched."""
        terms = parse_query(query)
        limit = DEFAULT_LIMIT if limit is None else limit
        if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
            raise ValidationError(f"limit is 1 to {MAX_LIMIT}", field="limit")
        chosen = {o.name: o for o in self.objects(objects, exclude)}
        if not chosen:
            return [], False
        hits = await self.repo.search(terms, list(chosen), limit + 1)
        out = [_hit(chosen[h.object_name], h) for h in hits if h.object_name in chosen]
        return out[:limit], len(out) > limit

"""Bulk updates and deletes: many records of one object, all or nothing, one event each.

Every change is checked and worked out as a single update is
(``records.updates.plan``) and deletes go through the lifecycle, so each
record gets the event a single write gives it, written in the caller's
transaction. The row writes of an update go together (``_Writes``): one
statement for all the records that set the same columns, and one search
index write; the first item that fails raises and the
caller's transaction rolls back with everything before it. Errors name the
item: its ``index`` in the request and its ``id``.

Filtered changes are bounded: a filter matching more than ``MAX_BULK``
records is refused before anything is written, as is a filtered delete whose
match count is not the count the caller expected.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from rolodex.kit.db import Row
from rolodex.kit.errors import BadRequest, Conflict, NotFound, RolodexError, ValidationError
from rolodex.kit.ids import parse_uuid
from rolodex.metadata.model import ObjectDef
from rolodex.records.bulk_repository import BulkRepository
from rolodex.records.checks import at
from rolodex.records.lifecycle import Lifecycle
from rolodex.records.query import Filter, ListQuery
from rolodex.records.schemas import validate
from rolodex.records.service import MAX_BATCH, RecordService
from rolodex.records.updates import Change, plan

MAX_BULK = MAX_BATCH


class TooMany(RolodexError):
    """A filtered bulk change would touch more records than one request may."""

    status = 422
    code = "TOO_MANY_RECORDS"


class CountMismatch(Conflict):
    """A filtered delete matched another number of records than the caller expected."""

    code = "COUNT_MISMATCH"


def _at(index: int, rid: Any, exc: RolodexError) -> RolodexError:
    """Name the item (its index and, when known, its id) an error belongs to."""
    at(index, exc)
    if rid is not None:
        exc.extra["id"] = str(rid)
    return exc


def repository(svc: RecordService, obj: ObjectDef) -> BulkRepository:
    return BulkRepository(svc.conn, obj, svc.ws)


# -- updates -------------------------------------------------------------------------
async def update_many(svc: RecordService, obj: ObjectDef, items: Any) -> list[dict[str, Any]]:
    """Apply ``[{id, ...fields}, ...]``: every item, or (on the first error) none."""
    if not isinstance(items, list):
        raise BadRequest("A bulk update is a JSON array of {id, ...fields} objects.")
    if len(items) > MAX_BULK:
        raise ValidationError(f"A batch holds at most {MAX_BULK} records, got {len(items)}.")
    ids: list[uuid.UUID] = []
    inputs = []
    seen: dict[uuid.UUID, int] = {}
    for i, data in enumerate(items):
        if not isinstance(data, dict):
            raise _at(i, None, ValidationError("An item is a JSON object: {id, ...fields}."))
        if data.get("id") is None:
            raise _at(i, None, ValidationError("Each item names its record: id.", field="id"))
        try:
            rid = parse_uuid(data["id"])
        except RolodexError as exc:
            raise _at(i, None, exc) from None
        if rid in seen:
            raise _at(
                i,
                rid,
                ValidationError(
                    f"id {rid} appears twice in this batch (items {seen[rid]} and {i})",
                    field="id",
                ),
            )
        seen[rid] = i
        try:
            inputs.append(validate(obj, data, creating=False))
        except RolodexError as exc:
            raise _at(i, rid, exc) from None
        ids.append(rid)
    rows = {str(r["id"]): r for r in await repository(svc, obj).lock_many(ids)}
    for i, rid in enumerate(ids):
        if str(rid) not in rows:
            raise _at(i, rid, NotFound(f"No {obj.name} with id {rid}.", field="id"))
    writes = _Writes(svc, obj)
    for i, (rid, inp) in enumerate(zip(ids, inputs, strict=True)):
        try:
            await writes.add(rows[str(rid)], inp)
        except RolodexError as exc:
            raise _at(i, rid, exc) from None
    return await writes.done()


async def update_matching(
    svc: RecordService,
    obj: ObjectDef,
    flt: Filter | None,
    data: Any,
    *,
    expected: int | None = None,
) -> list[dict[str, Any]]:
    """Apply the same ``data`` to every live record ``flt`` matches (at most ``MAX_BULK``)."""
    inp = validate(obj, data, creating=False)
    if inp.record_id is not None:
        raise ValidationError("An update of many records cannot set id.", field="id")
    rows = await _matching(svc, obj, flt, expected, live=True)
    locked = await repository(svc, obj).lock_many([uuid.UUID(str(r["id"])) for r in rows])
    writes = _Writes(svc, obj)
    for row in locked:
        try:
            await writes.add(row, inp)
        except RolodexError as exc:
            exc.extra["id"] = str(row["id"])
            raise
    return await writes.done()


class _Writes:
    """The planned updates of one bulk update, written together.

    Each record is planned (checked) in item order, as the single updates of a
    loop would be. A plan reads the database only for relation ids and unique
    values; the rows a batch changes are locked and each is changed once, so
    what earlier items would have written matters only to unique checks:
    after a change of a unique field the pending rows are written before the
    next item is planned, so its check sees them.
    """

    def __init__(self, svc: RecordService, obj: ObjectDef) -> None:
        self.svc, self.obj = svc, obj
        self.records: list[dict[str, Any]] = []
        self.pending: list[Change] = []

    async def add(self, row: Row, inp: Any) -> None:
        change = await plan(self.svc, self.obj, row, inp)
        self.records.append(change.record)
        if change.columns is not None:
            self.pending.append(change)
            if change.unique:
                await self._write()

    async def _write(self) -> None:
        pending, self.pending = self.pending, []
        if not pending:
            return
        svc, obj = self.svc, self.obj
        await repository(svc, obj).update_rows([(c.rid, c.columns or {}) for c in pending])
        reindexed = [c.record for c in pending if c.reindex]
        if reindexed:
            await svc.search.index(obj, reindexed)
        for c in pending:
            for event in c.events:
                svc.emit(event)

    async def done(self) -> list[dict[str, Any]]:
        """Write what is pending and the events; the records, in item order."""
        await self._write()
        await self.svc.flush()
        return self.records


# -- deletes -------------------------------------------------------------------------
def check_ids(raw: Any) -> list[uuid.UUID]:
    """A list of record ids, each a UUID and named once; a 400 naming the item otherwise."""
    if not isinstance(raw, list):
        raise BadRequest("ids must be a JSON array of record ids.", field="ids")
    if len(raw) > MAX_BULK:
        raise ValidationError(
            f"A batch holds at most {MAX_BULK} records, got {len(raw)}.", field="ids"
        )
    out: list[uuid.UUID] = []
    seen: dict[uuid.UUID, int] = {}
    for i, value in enumerate(raw):
        try:
            rid = parse_uuid(value, field="ids")
        except RolodexError as exc:
            raise _at(i, None, exc) from None
        if rid in seen:
            raise _at(
                i,
                rid,
                ValidationError(
                    f"id {rid} appears twice in ids (items {seen[rid]} and {i})", field="ids"
                ),
            )
        seen[rid] = i
        out.append(rid)
    return out


async def delete_ids(
    svc: RecordService, obj: ObjectDef, ids: Sequence[uuid.UUID], *, soft: bool
) -> list[dict[str, Any]]:
    """Delete (``soft``: hide, restorably) every record of ``ids``, or none.

    Soft deletes take live records only; deletes for good take soft-deleted
    ones too, as a single delete does.
    """
    found = await repository(svc, obj).lock_many(ids, deleted=False if soft else None)
    present = {str(r["id"]) for r in found}
    for i, rid in enumerate(ids):
        if str(rid) not in present:
            raise _at(i, rid, NotFound(f"No {obj.name} with id {rid}.", field="ids"))
    return await _delete(svc, obj, ids, soft)


async def delete_matching(
    svc: RecordService,
    obj: ObjectDef,
    flt: Filter | None,
    *,
    expected: int | None,
    soft: bool,
) -> list[dict[str, Any]]:
    """Delete every record ``flt`` matches, if they are ``expected`` in number (when given)."""
    rows = await _matching(svc, obj, flt, expected, live=soft)
    return await _delete(svc, obj, [uuid.UUID(str(r["id"])) for r in rows], soft)


async def _delete(
    svc: RecordService, obj: ObjectDef, ids: Sequence[uuid.UUID], soft: bool
) -> list[dict[str, Any]]:
    life = Lifecycle(svc)
    out = []
    for i, rid in enumerate(ids):
        try:
            out.append(await (life.soft_delete(obj, rid) if soft else life.delete(obj, rid)))
        except RolodexError as exc:
            raise _at(i, rid, exc) from None
    await svc.flush()
    return out


async def _matching(
    svc: RecordService, obj: ObjectDef, flt: Filter | None, expected: int | None, *, live: bool
) -> list[Any]:
    """The records ``flt`` matches (live ones only, with ``live``), refused past ``MAX_BULK``
    or when their number is not ``expected``."""
    if flt is None:
        raise ValidationError(
            "Give a filter that names the records; an empty filter would match them all.",
            field="filter",
        )
    if expected is not None and (
        isinstance(expected, bool) or not isinstance(expected, int) or expected < 0
    ):
        raise ValidationError(
            "expectedCount must be a whole number, 0 or more.", field="expectedCount"
        )
    rows, _, _, _ = await svc.repo(obj).page(
        ListQuery(filter=flt, limit=MAX_BULK + 1, with_total=False)
    )
    if live:
        rows = [r for r in rows if r["deleted_at"] is None]
    if len(rows) > MAX_BULK:
        raise TooMany(
            f"The filter matches more than {MAX_BULK} {obj.plural}; a bulk change takes at most "
            f"{MAX_BULK}. Narrow the filter (and repeat), or name the records by id.",
            field="filter",
            limit=MAX_BULK,
        )
    if expected is not None and len(rows) != expected:
        raise CountMismatch(
            f"The filter matches {len(rows)} {obj.plural}, not the {expected} expected "
            "(expectedCount); nothing was changed.",
            field="expectedCount",
            matched=len(rows),
            expectedCount=expected,
        )
    return rows

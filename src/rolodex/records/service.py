"""The record service: the one write path for every object, whatever the interface.

Each change is written together with its outbox event on the caller's
connection; the caller (a request or a job) owns the transaction and commits.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from rolodex.auth.schemas import Actor
from rolodex.events import outbox
from rolodex.kit import clock
from rolodex.kit.db import Conn, Row
from rolodex.kit.errors import Conflict, NotFound, RolodexError, ValidationError
from rolodex.kit.ids import parse_uuid, uuid7
from rolodex.kit.overlap import overlapped
from rolodex.metadata.model import ObjectDef
from rolodex.metadata.registry import Registry
from rolodex.metadata.types import kind
from rolodex.records import rules, updates
from rolodex.records.checks import Missing, at, match_unique, missing, no_upsert
from rolodex.records.lifecycle import Lifecycle
from rolodex.records.ordering import order_fields
from rolodex.records.page import Page
from rolodex.records.paths import is_joined
from rolodex.records.query import ListQuery
from rolodex.records.relations import embed
from rolodex.records.repository import RecordRepository
from rolodex.records.schemas import (
    Input,
    check_required,
    create_layout,
    serializer,
    set_fields,
    system_names,
    validate,
)
from rolodex.search.service import SearchIndex

MAX_BATCH = 2000


class RecordService:
    """Create, read, update and delete records of any object in one workspace."""

    def __init__(
        self, conn: Conn, registry: Registry, workspace_id: uuid.UUID, actor: Actor
    ) -> None:
        self.conn = conn
        self.registry = registry
        self.ws = workspace_id
        self.actor = actor
        self._events: list[outbox.Event] = []
        self._search: SearchIndex | None = None

    @property
    def search(self) -> SearchIndex:
        """The search index, kept in the same transaction as every write (search/)."""
        if self._search is None:
            self._search = SearchIndex(self.conn, self.ws)
        return self._search

    def repo(self, obj: ObjectDef) -> RecordRepository:
        return RecordRepository(self.conn, obj, self.ws, self.registry.objects)

    def _serialise(self, obj: ObjectDef, row: Row, sqlite: bool) -> dict[str, Any]:
        return serializer(obj)(row, sqlite)

    def serialise(self, obj: ObjectDef, row: Row) -> dict[str, Any]:
        """A stored row as the API shows the record."""
        return serializer(obj)(row, self.conn.sqlite)

    def emit(self, event: outbox.Event) -> None:
        """Add an event to those written with the change (at ``flush``)."""
        self._events.append(event)

    # -- reads ----------------------------------------------------------------
    def _passes_through(self, obj: ObjectDef, asked: bool, depth: int) -> bool:
        """Whether a read may leave custom documents as JSON text (``schemas.Spliced``).

        Only where the caller writes the records out as they are (REST), without
        related records nested in them; only on PostgreSQL, which keeps each
        document's text and size (SQLite returns the text anyway); and only while
        no deactivated field's values are left in the documents.
        """
        return (
            asked
            and not depth
            and not self.conn.sqlite
            and bool(obj.custom_keys)
            and not obj.hidden_keys
        )

    async def get(
        self, obj: ObjectDef, record_id: Any, *, depth: int = 0, pass_through: bool = False
    ) -> dict[str, Any]:
        """A live record; ``pass_through`` allows a ``Spliced`` one (for REST output)."""
        rid = parse_uuid(record_id)
        raw = self._passes_through(obj, pass_through, depth)
        row = await self.repo(obj).get(rid, as_text=raw)
        if row is None:
            raise NotFound(f"No {obj.name} with id {rid}.", field="id")
        record = serializer(obj, pass_through=raw)(row, self.conn.sqlite)
        if depth:
            await embed(self.conn, self.registry, self.ws, obj, [record])
        return record

    async def page(
        self, obj: ObjectDef, q: ListQuery, *, depth: int = 0, pass_through: bool = False
    ) -> Page:
        """One page of live records; ``pass_through`` as for ``get``."""
        repo = self.repo(obj)
        keys = order_fields(obj, q.order, self.registry.objects)
        # Cursors are made from the first and last records: custom values must be
        # parsed when the order names one (joined values come beside the rows).
        raw = self._passes_through(obj, pass_through, depth) and all(
            f.column is not None or is_joined(f) for f, _ in keys
        )
        rows, more, total, extras = await repo.page(q)
        serialise = serializer(obj, pass_through=raw)
        records = [serialise(r, self.conn.sqlite) for r in rows]
        backwards = q.before is not None or (q.last and q.after is None)
        if backwards:
            has_previous, has_next = more, q.before is not None
        else:
            has_next = more
            has_previous = (
                bool(q.after)
                and bool(records)
                and await repo.exists_before(q, _with(records[0], extras))
            )
        if depth:
            await embed(self.conn, self.registry, self.ws, obj, records)
        if total is None:
            return Page(records, keys, has_next, has_previous, None, extras=extras)
        return Page(
            records,
            keys,
            has_next,
            has_previous,
            total.value,
            total_exact=total.exact,
            extras=extras,
        )

    # -- creates --------------------------------------------------------------
    async def create(self, obj: ObjectDef, data: Any, *, upsert: bool = False) -> dict[str, Any]:
        return (await self.create_many(obj, [data], upsert=upsert, batch=False))[0]

    async def create_many(
        self, obj: ObjectDef, items: Sequence[Any], *, upsert: bool = False, batch: bool = True
    ) -> list[dict[str, Any]]:
        """Create (or, with ``upsert``, update by unique key) all of ``items`` or none."""
        if len(items) > MAX_BATCH:
            raise ValidationError(f"A batch holds at most {MAX_BATCH} records.")
        if upsert and not obj.unique_keys:
            raise ValidationError(no_upsert(self.registry, obj), field="upsert")
        inputs: list[Input] = []
        for i, data in enumerate(items):
            try:
                inp = validate(obj, data, creating=True)
                if not upsert:
                    rules.apply(obj, inp.values, None)
                    check_required(obj, inp.values)
            except RolodexError as exc:
                raise at(i if batch else None, exc) from None
            inputs.append(inp)
        # A single plain create finds out about clashes from its insert (one
        # statement fewer); batches and upserts look first.
        single = not batch and not upsert and len(inputs) == 1
        matches = {} if single else await match_unique(self.repo, obj, inputs, upsert, batch)
        results: list[dict[str, Any] | None] = [None] * len(inputs)
        new_rows: list[dict[str, Any]] = []
        new_index: list[int] = []
        now = clock.now()
        actor = self.actor.to_dict()
        columns, customs = create_layout(obj)
        for i, inp in enumerate(inputs):
            if i in matches:
                continue
            if upsert:
                try:
                    rules.apply(obj, inp.values, None)
                    check_required(obj, inp.values)
                except RolodexError as exc:
                    raise at(i if batch else None, exc) from None
            row: dict[str, Any] = {
                "id": inp.record_id or uuid7(),
                "created_at": now,
                "updated_at": now,
                "deleted_at": None,
                "created_by": actor,
                "updated_by": actor,
            }
            values = inp.values
            for name, column in columns:
                row[column] = values.get(name)
            custom: dict[str, Any] = {}
            for name, convert in customs:
                value = values.get(name)
                if value is not None:
                    custom[name] = value if convert is None else convert(value)
            row["custom"] = custom
            new_rows.append(row)
            new_index.append(i)
        await self._check_references(
            obj, [inp.values for inp in inputs], list(range(len(inputs))) if batch else None
        )

        def creating() -> tuple[list[outbox.Event], list[dict[str, Any]]]:
            """The new records as the API shows them, and their events."""
            system = system_names(obj)
            created: list[outbox.Event] = []
            for i, row in zip(new_index, new_rows, strict=True):
                record = self._serialise(obj, row, False)
                results[i] = record
                created.append(
                    outbox.make(
                        obj.name,
                        outbox.CREATED,
                        record,
                        self.actor,
                        changes=set_fields(record, system),
                    )
                )
                if rules.completes(obj, record):
                    created.append(outbox.make(obj.name, outbox.COMPLETED, record, self.actor))
            return created, [r for i in new_index if (r := results[i]) is not None]

        together = False
        if single:
            created, new_records = creating()
            # On PostgreSQL the record, its events and its search document go in
            # as one statement, one round trip; only when no earlier event is
            # pending, so order holds.
            together = not self.conn.sqlite and not self._events
            events = outbox.rows(self.ws, created) if together else []
            documents = self.search.rows(obj, new_records) if together else []
            if not await self.repo(obj).insert_new(new_rows[0], events=events, documents=documents):
                await match_unique(self.repo, obj, inputs, upsert, batch)  # names the field
                raise Conflict("Another record already has this unique value.")
            if not together:
                self._events += created
        elif new_rows:
            # The database stores the batch while the records and events are made
            # for the response and the outbox (docs/performance.md, "Batches as arrays").
            created, new_records = await overlapped(self.repo(obj).insert(new_rows), creating)
            self._events += created
        else:
            created, new_records = creating()
        if not together:  # else the document went in with the record
            await self.search.index(obj, new_records)
        for i, existing in matches.items():
            results[i] = await self.apply_update(obj, existing, inputs[i])
        await self.flush()
        return [r for r in results if r is not None]

    async def missing_references(
        self, obj: ObjectDef, values: Sequence[dict[str, Any]]
    ) -> list[Missing]:
        """The relation ids in ``values`` that name no live record (see records/checks.py)."""
        return await missing(self.repo, self.registry, obj, values)

    async def _check_references(
        self, obj: ObjectDef, values: Sequence[dict[str, Any]], indexes: Sequence[int] | None
    ) -> None:
        """Every relation id must name a live record of the target object, here."""
        found = await self.missing_references(obj, values)
        if found:
            first = found[0]
            raise at(
                None if indexes is None else indexes[first.index],
                ValidationError(first.message, field=first.field),
            )

    # -- updates --------------------------------------------------------------
    async def update(self, obj: ObjectDef, record_id: Any, data: Any) -> dict[str, Any]:
        rid = parse_uuid(record_id)
        inp = validate(obj, data, creating=False)
        if inp.record_id is not None and inp.record_id != rid:
            raise ValidationError(
                f"id in the body ({inp.record_id}) is not the id in the path ({rid}); "
                "an update cannot change a record's id",
                field="id",
            )
        row = await self.repo(obj).get(rid, lock=True)
        if row is None:
            raise NotFound(f"No {obj.name} with id {rid}.", field="id")
        record = await self.apply_update(obj, row, inp)
        await self.flush()
        return record

    async def set_managed(
        self,
        obj: ObjectDef,
        record_id: Any,
        values: dict[str, Any],
        *,
        action: str,
        changes: list[str],
        previous: dict[str, Any] | None,
    ) -> dict[str, Any]:
        """Set fields only Rolodex writes (read-only ones, such as the ``consents``
        the consent service keeps) and emit ``<object>.<action>`` for the change.

        The values are checked as their fields' types require and the object's
        rules apply, as on any update. The record is written (``updatedAt``
        moves) and the event emitted even when the fields keep their values:
        what changed is told by ``changes`` and ``previous`` (a consent's
        legal basis, say).
        """
        rid = parse_uuid(record_id)
        checked: dict[str, Any] = {}
        for name, value in values.items():
            f = obj.fields[name]
            if not f.read_only or f.system:
                raise ValueError(f"{obj.name}.{name} is not a managed field")
            checked[name] = None if value is None else kind(f).validate(f, value)
        row = await self.repo(obj).get(rid, lock=True)
        if row is None:
            raise NotFound(f"No {obj.name} with id {rid}.", field="id")
        record = await self.apply_update(
            obj, row, Input(checked), event=(action, changes, previous)
        )
        await self.flush()
        return record

    async def apply_update(
        self,
        obj: ObjectDef,
        row: Row,
        inp: Input,
        *,
        event: tuple[str, list[str], dict[str, Any] | None] | None = None,
    ) -> dict[str, Any]:
        """Write a checked update of a locked row and gather its events
        (``event`` as for ``records.updates.plan``)."""
        change = await updates.plan(self, obj, row, inp, event=event)
        if change.columns is not None:
            await self.repo(obj).update(change.rid, change.columns)
            if change.reindex:
                await self.search.index(obj, [change.record])
            self._events += change.events
        return change.record

    # -- deletes (see records/lifecycle.py) -------------------------------------------
    async def delete(self, obj: ObjectDef, record_id: Any) -> dict[str, Any]:
        """Delete a record for good; records pointing at it follow their relation's rule."""
        record = await Lifecycle(self).delete(obj, record_id)
        await self.flush()
        return record

    async def soft_delete(self, obj: ObjectDef, record_id: Any) -> dict[str, Any]:
        """Hide a record and its cascading dependents; ``restore`` brings them back."""
        record = await Lifecycle(self).soft_delete(obj, record_id)
        await self.flush()
        return record

    async def restore(self, obj: ObjectDef, record_id: Any) -> dict[str, Any]:
        record = await Lifecycle(self).restore(obj, record_id)
        await self.flush()
        return record

    async def purge(self, obj: ObjectDef, row: Row) -> int:
        """Delete for good a soft-deleted row already found and locked (retention);
        how many records went, cascades included. The events wait for ``flush``."""
        before = len(self._events)
        await Lifecycle(self).delete_row(obj, row)
        return sum(1 for e in self._events[before:] if e.type.endswith(".deleted"))

    async def flush(self) -> None:
        """Write the events gathered so far, on the same connection and transaction."""
        events, self._events = self._events, []
        await outbox.write(self.conn, self.ws, events)


def _with(record: dict[str, Any], extras: list[dict[str, Any]] | None) -> dict[str, Any]:
    """The first record with its joined order values, when the order has any."""
    return {**record, **extras[0]} if extras else record

"""An update of one locked record, worked out before it is written.

``plan`` does everything an update checks and decides (the object's rules
and mirrors, what changed, relation ids, unique values) and returns the row
change, the record as it will be and its events, without writing. The record
service writes one such change at a time (``RecordService.apply_update``);
bulk updates (records/bulk.py) write many of them in one statement.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from rolodex.auth.schemas import Actor
from rolodex.events import outbox
from rolodex.kit import clock
from rolodex.kit.db import Row
from rolodex.kit.errors import Conflict, ValidationError
from rolodex.kit.show import shown
from rolodex.metadata.model import FieldDef, ObjectDef
from rolodex.metadata.types import kind
from rolodex.records import rules
from rolodex.records.checks import Missing
from rolodex.records.repository import RecordRepository
from rolodex.records.schemas import Input, stored_custom
from rolodex.search.service import SearchIndex


class Service(Protocol):
    """What a plan needs of the record service (records/service.py)."""

    actor: Actor

    @property
    def search(self) -> SearchIndex: ...

    def repo(self, obj: ObjectDef) -> RecordRepository: ...

    def serialise(self, obj: ObjectDef, row: Row) -> dict[str, Any]: ...

    async def missing_references(
        self, obj: ObjectDef, values: Sequence[dict[str, Any]]
    ) -> list[Missing]: ...


def api(f: FieldDef, value: Any) -> Any:
    """A stored or checked value as the API shows it."""
    return None if value is None else kind(f).to_json(value)


@dataclass
class Change:
    """One record's update: its row ``columns`` (none for a no-op), the ``record``
    after it, whether its search document changes, and its events."""

    rid: uuid.UUID
    record: dict[str, Any]
    columns: dict[str, Any] | None = None
    reindex: bool = False
    unique: bool = False  # a unique field changed: write it before the next check
    events: list[outbox.Event] = field(default_factory=list)


async def plan(
    svc: Service,
    obj: ObjectDef,
    row: Row,
    inp: Input,
    *,
    event: tuple[str, list[str], dict[str, Any] | None] | None = None,
) -> Change:
    """Check an update of a locked row and work out its change (see the module).

    ``event`` (action, changes, previous) replaces the ``updated`` event, and
    writes the record even when no field changes (``set_managed``).
    """
    current = svc.serialise(obj, row)
    rid = uuid.UUID(current["id"])
    values = dict(inp.values)
    rules.apply(obj, values, current)
    changed = {
        name: v for name, v in values.items() if api(obj.fields[name], v) != current.get(name)
    }
    if not changed and event is None:
        return Change(rid, current)  # a no-op update writes nothing and emits nothing
    found = await svc.missing_references(obj, [changed])
    if found:
        raise ValidationError(found[0].message, field=found[0].field)
    # A unique value set or given up: later checks (and the index) must see it.
    unique = any(obj.fields[name].unique for name in changed)
    for f in obj.fields.values():
        if f.unique and f.column is not None and isinstance(changed.get(f.name), str):
            clash = [
                r
                for r in await svc.repo(obj).by_unique(f, [changed[f.name]])
                if str(r["id"]) != current["id"]
            ]
            if clash:
                raise Conflict(
                    f"A {obj.name} with {f.name} {shown(changed[f.name])} already exists "
                    f"(id {clash[0]['id']}).",
                    field=f.name,
                    existingId=str(clash[0]["id"]),
                )
    now = clock.now()
    columns: dict[str, Any] = {"updated_at": now, "updated_by": svc.actor.to_dict()}
    custom = None
    for name, value in changed.items():
        f = obj.fields[name]
        if f.column is not None:
            columns[f.column] = value
        else:
            custom = custom if custom is not None else stored_custom(row)
            if value is None:
                custom.pop(name, None)
            else:
                custom[name] = api(f, value)
    if custom is not None:
        columns["custom"] = custom
    record = dict(current)
    for name, value in changed.items():
        record[name] = api(obj.fields[name], value)
    record["updatedAt"] = api(obj.fields["updatedAt"], now)
    record["updatedBy"] = svc.actor.to_dict()
    out = Change(rid, record, columns, svc.search.touches(obj, changed), unique)
    if event is not None:
        action, changes, previous_values = event
        out.events.append(
            outbox.make(
                obj.name, action, record, svc.actor, changes=changes, previous=previous_values
            )
        )
        return out
    previous = {name: current.get(name) for name in changed}
    out.events.append(
        outbox.make(
            obj.name, outbox.UPDATED, record, svc.actor, changes=list(changed), previous=previous
        )
    )
    if rules.completes(obj, changed):
        out.events.append(outbox.make(obj.name, outbox.COMPLETED, record, svc.actor))
    return out

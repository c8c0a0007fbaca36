"""The event catalogue: every event type a webhook can receive, with its payload's JSON Schema.

Generated from the registry, so custom objects and fields appear as soon as
they exist: for each object ``created``, ``updated``, ``changed`` (an alias
of ``updated``), ``deleted`` and ``merged`` (duplicates merged into it);
``completed`` for objects with ``Behaviour.COMPLETION`` (tasks); ``webhook.disabled``;
and any other type already present in the workspace's outbox.
"""

from __future__ import annotations

import functools
import uuid
from datetime import timedelta
from typing import Any

from rolodex.kit import clock
from rolodex.metadata.field_schema import field_schema, nullable
from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.fieldtypes.actor import SAMPLE_ACTOR
from rolodex.metadata.model import Behaviour, FieldDef, FieldType, ObjectDef, RelationKind
from rolodex.metadata.registry import Registry

ACTIONS = ("created", "updated", "changed", "deleted", "merged")
DESCRIPTIONS = {
    "created": "A {label} was created.",
    "updated": "A {label} was updated; `changes` names the fields and `previous` their old values.",
    "changed": "SuperOffice's name for {name}.updated (same events, delivered under this name).",
    "deleted": "A {label} was deleted; `data` is the record as it was.",
    "completed": "A task's status became DONE.",
    "merged": "Duplicates were merged into this {label}; `previous.mergedIds` names them "
    "(now soft-deleted) and `changes` the fields taken from them.",
    "disabled": "A webhook was disabled after failing for too long or answering 410 Gone.",
}
_ACTOR_FIELD = FieldDef("actor", FieldType.ACTOR, "Actor")
_ACTOR = kind(_ACTOR_FIELD)
_NAMESPACE = uuid.UUID("4f1c2a0e-6c1b-4b8e-9a57-52f0d7f0a1c3")


def object_id(obj: ObjectDef | None, name: str) -> str:
    """An object's metadata id: custom objects have one; standard ones get a stable one."""
    if obj is not None and obj.id is not None:
        return str(obj.id)
    return _stable_id(name)


@functools.lru_cache(maxsize=1024)
def _stable_id(name: str) -> str:
    # Once per name, not once per delivery: a seventh of the fan-out's CPU
    # with 1,000 webhooks on one workspace.
    return str(uuid.uuid5(_NAMESPACE, f"object:{name}"))


def to_one(obj: ObjectDef) -> list[FieldDef]:
    """The to-one relations a payload embeds as ``{id, name}``."""
    return [
        f
        for f in obj.relations
        if f.relation is not None and f.relation.kind is RelationKind.MANY_TO_ONE
    ]


def record_schema(obj: ObjectDef) -> dict[str, Any]:
    """The record in a payload: the REST record plus to-one relations as ``{id, name}``."""
    props: dict[str, Any] = {}
    for f in obj.fields.values():
        if f.type is not FieldType.RELATION:
            props[f.name] = field_schema(f, output=True)
    for f in to_one(obj):
        props[f.name] = nullable(
            {
                "type": "object",
                "title": f.label,
                "properties": {
                    "id": {"type": "string", "format": "uuid"},
                    "name": {"type": ["string", "null"]},
                },
                "required": ["id", "name"],
            }
        )
    return {"type": "object", "title": obj.label, "properties": props}


def payload_schema(event_type: str, obj: ObjectDef | None) -> dict[str, Any]:
    """JSON Schema of the canonical (``rolodex`` format) payload of ``event_type``."""
    data: dict[str, Any] = record_schema(obj) if obj is not None else {"type": "object"}
    action = event_type.rsplit(".", 1)[-1]
    props: dict[str, Any] = {
        "event": {"const": event_type},
        "data": data,
        "timestamp": {"type": "string", "format": "date-time"},
        "eventId": {"type": "string", "format": "uuid", "description": "Same on every retry."},
        "object": {"type": "string"},
        "recordId": {"type": ["string", "null"], "format": "uuid"},
        "workspaceId": {"type": "string", "format": "uuid"},
        "webhookId": {"type": "string", "format": "uuid"},
        "webhookName": {"type": "string"},
        "actor": _ACTOR.json_schema(_ACTOR_FIELD),
        "changes": {"type": "array", "items": {"type": "string"}},
    }
    required = [k for k in props if k != "recordId"]
    if action in ("updated", "changed"):
        props["previous"] = {
            "type": "object",
            "description": "The changed fields' values before the change.",
            "properties": dict(data.get("properties") or {}),
        }
        required.append("previous")
    elif action == "merged":
        props["previous"] = {
            "type": "object",
            "properties": {
                "mergedIds": {
                    "type": "array",
                    "items": {"type": "string", "format": "uuid"},
                    "description": "The records merged into this one, now soft-deleted.",
                }
            },
            "required": ["mergedIds"],
        }
        required.append("previous")
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": event_type,
        "type": "object",
        "properties": props,
        "required": required,
    }


def event_types(registry: Registry, seen: list[str]) -> list[dict[str, Any]]:
    """The catalogue: registry events, then types found in the outbox (``seen``)."""
    out: list[dict[str, Any]] = []
    names: set[str] = set()

    def add(name: str, obj: ObjectDef | None, **extra: Any) -> None:
        if name in names:
            return
        names.add(name)
        obj_name, _, action = name.partition(".")
        label = obj.label.lower() if obj is not None else obj_name
        text = DESCRIPTIONS.get(action, "An event of type {name}.")
        out.append(
            {
                "name": name,
                "object": obj_name,
                "action": action,
                "description": text.format(label=label, name=obj_name),
                **extra,
                "schema": payload_schema(name, obj),
            }
        )

    for obj in registry.objects.values():
        for action in ACTIONS:
            extra = {"aliasOf": f"{obj.name}.updated"} if action == "changed" else {}
            add(f"{obj.name}.{action}", obj, **extra)
        if Behaviour.COMPLETION in obj.behaviours:
            add(f"{obj.name}.completed", obj)
    add("webhook.disabled", None)
    for name in seen:
        obj_name = name.partition(".")[0]
        add(name, registry.objects.get(obj_name))
    return out


# -- sample events (for POST /rest/webhooks/{id}/test) -------------------------
_SYSTEM_ACTOR = SAMPLE_ACTOR


def _example(f: FieldDef) -> Any:
    """A sample value of ``f``: each field type gives its own (metadata/fieldtypes)."""
    return kind(f).example(f)


def sample_record(obj: ObjectDef, action: str = "created") -> dict[str, Any]:
    """A record as an ``action`` event would carry it, consistent with itself.

    Names agree (``name`` is ``firstName lastName``), times are in order
    (created, then updated, then deleted), ``deletedAt`` is set only on a
    deleted record, and a task is DONE with ``completedAt`` only if completed.
    """
    now = clock.now()
    created = now - timedelta(days=1)
    names: dict[str, Any] = {obj.label_field: f"Sample {obj.label.lower()}"}
    names.update(name="Ada Lovelace", firstName="Ada", lastName="Lovelace")
    system: dict[str, Any] = {
        "id": str(uuid.uuid4()),
        "createdAt": clock.iso(created),
        "updatedAt": clock.iso(created if action == "created" else now - timedelta(hours=1)),
        "deletedAt": clock.iso(now) if action in ("deleted", "softdeleted") else None,
        "createdBy": dict(_SYSTEM_ACTOR),
        "updatedBy": dict(_SYSTEM_ACTOR),
    }
    if Behaviour.COMPLETION in obj.behaviours:
        done = action == "completed"
        system["completedAt"] = clock.iso(now) if done else None
        system["status"] = "DONE" if done else "TODO"
    record: dict[str, Any] = {}
    for f in obj.fields.values():
        if f.type is FieldType.RELATION:
            continue
        if f.name in system:
            record[f.name] = system[f.name]
        elif f.name in names and f.type is FieldType.TEXT:
            record[f.name] = names[f.name]
        else:
            record[f.name] = _example(f)
    for f in to_one(obj):
        record[f.name] = None
    return record


def _changed_field(obj: ObjectDef) -> str | None:
    """The field a sample update changes: the record's name (``lastName`` for people)."""
    if "lastName" in obj.fields and "name" in obj.fields:
        return "lastName"
    label = obj.fields.get(obj.label_field)
    if label is not None and label.type is FieldType.TEXT and not label.read_only:
        return label.name
    for f in obj.fields.values():
        if f.type is FieldType.TEXT and not f.system and not f.read_only:
            return f.name
    return None


def sample_event(obj: ObjectDef, action: str) -> dict[str, Any]:
    """``record``, ``changes`` and ``previous`` of a sample ``action`` event, as real ones are."""
    record = sample_record(obj, action)
    changes: list[str] = []
    previous: dict[str, Any] | None = None
    if action == "created":
        changes = [
            k
            for k, v in record.items()
            if v not in (None, [], {}) and k in obj.fields and not obj.fields[k].system
        ]
    elif action in ("updated", "changed"):
        name = _changed_field(obj)
        previous = {}
        if name == "lastName":
            previous = {"lastName": "Byron", "name": f"{record.get('firstName')} Byron"}
        elif name is not None:
            previous = {name: f"Previous {obj.fields[name].label.lower()}"}
        changes = list(previous)
    elif action == "softdeleted":
        changes, previous = ["deletedAt"], {"deletedAt": None}
    elif action == "merged":
        changes, previous = [], {"mergedIds": [str(uuid.uuid4())]}
    elif action == "restored":
        changes, previous = ["deletedAt"], {"deletedAt": clock.iso(clock.now())}
    return {"record": record, "changes": changes, "previous": previous}

"""Attio's webhook vocabulary: its event types, its event bodies and its object filter.

Attio names events by kind, not by object: ``record.created`` fires for a
person, a company or a custom object's record, and a subscription narrows it
with a filter on the event, ``{"field": "id.object_id", "operator": "equals",
"value": ...}``. Here each Rolodex event maps onto at most one Attio type:

=====================================  ==============================
Rolodex                                Attio
=====================================  ==============================
``<record object>.created``/restored   ``record.created``
``<record object>.updated``            ``record.updated``
``<record object>.deleted``/softdel.   ``record.deleted``
``<record object>.merged``             ``record.merged``
``note.*``, ``task.*`` (same actions)  ``note.*``, ``task.*``
``member.created``                     ``workspace-member.created``
=====================================  ==============================

A record object is any object but notes, tasks and members (and the
``webhook``, ``field`` and ``object`` event sources). ``task.completed`` has
no Attio name: it comes with a ``task.updated``, which does.

An Attio subscription's filter is evaluated over the Attio event (so
``id.object_id``, ``parent_object_id``, ``actor.type`` are Attio's), with the
canonical payload beneath it for paths Attio's event does not have
(``data.email``). Where a filter compares an object id, an object's slug or
name (``people``, ``person``, a custom object's plural) stands for its id.
"""

from __future__ import annotations

import hashlib
import hmac
import uuid
from typing import Any

from rolodex.metadata.model import FieldType
from rolodex.metadata.registry import Registry
from rolodex.metadata.standard_fields import FIELD_NAMESPACE
from rolodex.webhooks import catalogue

EVENT_TYPES = (
    "record.created",
    "record.updated",
    "record.deleted",
    "record.merged",
    "note.created",
    "note.updated",
    "note.deleted",
    "task.created",
    "task.updated",
    "task.deleted",
    "workspace-member.created",
)
# Attio's other event types name things Rolodex does not have (lists,
# comments, call recordings, ...); a subscription to one is refused.
UNSUPPORTED = frozenset(
    {
        "activity.created",
        "activity.updated",
        "activity.deleted",
        "activity-attribute.created",
        "activity-attribute.updated",
        "activity-record.created",
        "activity-record.deleted",
        "call-recording.created",
        "comment.created",
        "comment.resolved",
        "comment.unresolved",
        "comment.deleted",
        "list.created",
        "list.updated",
        "list.deleted",
        "list-attribute.created",
        "list-attribute.updated",
        "list-entry.created",
        "list-entry.updated",
        "list-entry.deleted",
        "object-attribute.created",
        "object-attribute.updated",
        "note-content.updated",
    }
)
NOT_RECORDS = frozenset({"note", "task", "member", "webhook", "field", "object"})
_FAMILY = {"note": "note", "task": "task", "member": "workspace-member"}
_ACTIONS = {
    "created": "created",
    "restored": "created",
    "updated": "updated",
    "deleted": "deleted",
    "softdeleted": "deleted",
    "merged": "merged",
}
_ACTOR_TYPES = {"apiKey": "api-token", "member": "workspace-member"}
# Fields of an Attio event that hold an object id (a slug stands for one).
OBJECT_ID_FIELDS = frozenset(
    {"id.object_id", "object_id", "parent_object_id", "duplicate_object_id"}
)
SIGNATURE_HEADERS = ("Attio-Signature", "X-Attio-Signature")


def attio_type(event_type: str) -> str | None:
    """The Attio event type of a Rolodex one (``person.created`` -> ``record.created``)."""
    obj, _, action = event_type.partition(".")
    mapped = _ACTIONS.get(action)
    if mapped is None:
        return None
    family = _FAMILY.get(obj) or (None if obj in NOT_RECORDS else "record")
    if family is None:
        return None
    name = f"{family}.{mapped}"
    return name if name in EVENT_TYPES else None


def subscribed_name(pattern: str, event_type: str) -> str | None:
    """``pattern`` if that Attio event type takes the Rolodex ``event_type``, else None."""
    return pattern if attio_type(event_type) == pattern else None


def actor(raw: Any) -> dict[str, Any]:
    """An Attio actor ``{type, id}``: ``api-token``, ``workspace-member`` or ``system``."""
    if isinstance(raw, dict) and raw.get("type") in _ACTOR_TYPES and raw.get("id"):
        return {"type": _ACTOR_TYPES[raw["type"]], "id": str(raw["id"])}
    return {"type": "system", "id": None}


def attribute_id(registry: Registry | None, object_name: str, field_name: str) -> str:
    """A field's id as Attio's ``attribute_id``: a custom field's own, else a stable one."""
    obj = registry.objects.get(object_name) if registry else None
    f = obj.fields.get(field_name) if obj is not None else None
    if f is not None and f.id is not None:
        return str(f.id)
    return str(uuid.uuid5(FIELD_NAMESPACE, f"{object_name}.{field_name}"))


def _note_parent(event: dict[str, Any], registry: Registry | None) -> tuple[str | None, str | None]:
    """The object id and record id a note hangs on: its first set to-one relation."""
    obj = registry.objects.get(event["object_name"]) if registry else None
    record = event.get("record")
    if obj is None or not isinstance(record, dict):
        return None, None
    for f in catalogue.to_one(obj):
        assert f.relation is not None
        if f.relation.target == "member":
            continue  # the author is not what a note is about
        value = record.get(f.relation.join_field)
        if value:
            target = registry.objects.get(f.relation.target) if registry else None
            return catalogue.object_id(target, f.relation.target), str(value)
    return None, None


def events(
    event: dict[str, Any], registry: Registry | None, workspace_id: str | None = None
) -> list[dict[str, Any]]:
    """The Attio events of one Rolodex event (one, or one per field or merged record).

    ``workspace_id`` stands in for an event that names none (a test sample).
    """
    name = attio_type(event["type"]) or event["type"]
    family = name.partition(".")[0]
    ws = event.get("workspace_id") or workspace_id
    rid = event.get("record_id")
    who = actor(event.get("actor"))
    obj_name = event["object_name"]
    if family == "note":
        parent_object, parent_record = _note_parent(event, registry)
        return [
            {
                "event_type": name,
                "id": {"workspace_id": ws, "note_id": rid},
                "parent_object_id": parent_object,
                "parent_record_id": parent_record,
                "actor": who,
            }
        ]
    if family == "task":
        return [{"event_type": name, "id": {"workspace_id": ws, "task_id": rid}, "actor": who}]
    if family == "workspace-member":
        ident = {"workspace_id": ws, "workspace_member_id": rid}
        return [{"event_type": name, "id": ident, "actor": who}]
    obj = registry.objects.get(obj_name) if registry else None
    object_id = catalogue.object_id(obj, obj_name)
    ident = {"workspace_id": ws, "object_id": object_id, "record_id": rid}
    if name == "record.updated":
        # Attio sends one event per attribute changed.
        fields = [n for n in event.get("changes") or [] if _is_attribute(obj, n)] or [None]
        return [
            {
                "event_type": name,
                "id": {
                    **ident,
                    "attribute_id": attribute_id(registry, obj_name, n) if n else None,
                },
                "actor": who,
            }
            for n in fields
        ]
    if name == "record.merged":
        merged = (event.get("previous") or {}).get("mergedIds") or [None]
        return [
            {
                "event_type": name,
                "id": ident,
                "duplicate_object_id": object_id,
                "duplicate_record_id": str(dup) if dup else None,
                "actor": who,
            }
            for dup in merged
        ]
    return [{"event_type": name, "id": ident, "actor": who}]


def _is_attribute(obj: Any, name: str) -> bool:
    f = obj.fields.get(name) if obj is not None else None
    return f is None or f.type is not FieldType.RELATION


def body(webhook: dict[str, Any], attio_events: list[dict[str, Any]]) -> dict[str, Any]:
    """Attio's delivery body: ``{webhook_id, events}``."""
    return {"webhook_id": webhook["id"], "events": attio_events}


def filter_view(attio_event: dict[str, Any], canonical: dict[str, Any]) -> dict[str, Any]:
    """What an Attio subscription's filter reads: the Attio event over the canonical payload."""
    return {**canonical, **attio_event}


def resolve_objects(flt: dict[str, Any] | None, registry: Registry | None) -> dict[str, Any] | None:
    """``flt`` with object slugs in object-id conditions replaced by those objects' ids.

    The stored filter keeps what the client sent; this copy is what is matched.
    """
    if flt is None or registry is None:
        return flt
    if "$and" in flt or "$or" in flt:
        op = "$and" if "$and" in flt else "$or"
        return {op: [resolve_objects(n, registry) for n in flt[op]]}
    value = flt.get("value")
    if flt.get("field") in OBJECT_ID_FIELDS and isinstance(value, str | list):
        return {**flt, "value": _object_ids(value, registry)}
    return flt


def _object_ids(value: Any, registry: Registry) -> Any:
    if isinstance(value, list):
        return [_object_ids(v, registry) for v in value]
    if not isinstance(value, str):
        return value
    for obj in registry.objects.values():
        if value in (obj.name, obj.plural):
            return catalogue.object_id(obj, obj.name)
    return value


def _canonical_filter(flt: Any) -> Any:
    """A filter in one spelling: Attio ignores key order and the order of operations."""
    if isinstance(flt, dict):
        if "$and" in flt or "$or" in flt:
            op = "$and" if "$and" in flt else "$or"
            items = sorted((_canonical_filter(n) for n in flt[op]), key=repr)
            return (op, tuple(items))
        return tuple(sorted((k, _canonical_filter(v)) for k, v in flt.items()))
    if isinstance(flt, list):
        return tuple(_canonical_filter(v) for v in flt)
    return flt


def subscription_keys(target_url: str, subscriptions: list[dict[str, Any]] | None) -> list[Any]:
    """What Attio keeps unique in a workspace: (target URL, event type, filter) per subscription."""
    return [
        (target_url, s["eventType"], _canonical_filter(s.get("filter")))
        for s in subscriptions or []
    ]


def signature(secret: str, body_bytes: bytes) -> str:
    """``Attio-Signature``: the hex HMAC-SHA256 of the body, keyed by the secret string."""
    return hmac.new(secret.encode(), body_bytes, hashlib.sha256).hexdigest()

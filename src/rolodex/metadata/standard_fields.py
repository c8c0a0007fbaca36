"""Marking standard fields indexed: ``PATCH /rest/metadata/fields/person.phone``.

Standard fields are the same for every workspace and their definitions do
not change, except ``isIndexed``: a workspace that filters or orders people
by ``phone`` can ask for the index that makes it one index range instead of
a scan of its records. The fields lists filter and order on most are
indexed for everyone already (migrations 0005, 0008, 0010: ``isIndexed`` is
true on them, and their indexes cannot be dropped through the API).
"""

from __future__ import annotations

import uuid
from dataclasses import replace
from typing import Any, Protocol

from rolodex.events import outbox
from rolodex.kit.errors import NotFound, ValidationError
from rolodex.kit.show import shown
from rolodex.metadata import index_repository, options_repository, repository, schemas
from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.model import FieldDef, ObjectDef
from rolodex.metadata.registry import Registry, standard


class FieldWriter(Protocol):
    """What marking a field needs of the field service (which calls this module)."""

    conn: Any
    ws: uuid.UUID
    actor: Any


# The namespace of standard fields' event record ids (uuid5 of "person.phone").
FIELD_NAMESPACE = uuid.UUID("6f1c4a52-8e0b-5d5e-9a61-3b7f0e2d9c10")
# Free text that runs long (a note's body): a b-tree entry holds at most 2,704
# bytes, so an index would refuse long values, for every workspace.
_DOCUMENTS = frozenset({"body"})


def lookup(registry: Registry, field_id: Any) -> tuple[ObjectDef, FieldDef] | None:
    """The standard object and field an id such as ``person.phone`` names, or None
    for a custom field's id (a UUID)."""
    if not isinstance(field_id, str) or "." not in field_id:
        return None
    object_name, _, name = field_id.partition(".")
    obj = registry.objects.get(object_name)
    f = obj.fields.get(name) if obj is not None else None
    if obj is None or obj.is_custom or f is None or f.is_custom:
        raise NotFound(
            f"No standard field {shown(field_id)}; standard fields are named "
            "<object>.<field>, such as person.phone",
            field="id",
        )
    return obj, f


def built_in(obj: ObjectDef, f: FieldDef) -> bool:
    """Whether every workspace has the field's index (made by a migration)."""
    std = standard().objects[obj.name].fields[f.name]
    return std.indexed or std.unique or std.relation is not None


async def update(service: FieldWriter, obj: ObjectDef, f: FieldDef, body: Any) -> dict[str, Any]:
    """Apply ``isIndexed`` (the one property of a standard field that changes)."""
    if not isinstance(body, dict):
        raise ValidationError("The body must be a JSON object.")
    editable = bool(standard().objects[obj.name].fields[f.name].settings.get("editableOptions"))
    for key in body:
        if key != "isIndexed" and not (key == "options" and editable):
            raise ValidationError(
                f"{obj.name}.{f.name} is a standard field: only isIndexed can change, "
                f"not {shown(key)}",
                field=key,
            )
    if "options" in body:
        return await _options(service, obj, f, body)
    before = schemas.field_to_dict(obj, f)
    wanted = body.get("isIndexed", f.indexed)
    if not isinstance(wanted, bool):
        raise ValidationError("isIndexed must be true or false", field="isIndexed")
    if built_in(obj, f):
        if not wanted:
            raise ValidationError(
                f"{obj.name}.{f.name} is indexed for every workspace; its index cannot be dropped",
                field="isIndexed",
            )
        return before
    # A b-tree of (workspace_id, column, id) serves the types that lists can be
    # ordered by; JSON documents and lists are filtered by containment, and
    # relations are indexed already.
    if not kind(f).orderable or f.column is None or f.name in _DOCUMENTS:
        why = (
            "long free text, which an index would refuse"
            if f.name in _DOCUMENTS
            else "lists and documents are not indexed this way"
        )
        raise ValidationError(
            f"{obj.name}.{f.name} ({f.type}) cannot be indexed: {why}", field="isIndexed"
        )
    if wanted == f.indexed:
        return before
    args = (service.conn, service.ws, obj.name, f.name, obj.table, f.column)
    if wanted:
        await index_repository.mark(*args)
    else:
        await index_repository.unmark(*args)
    after = {**before, "isIndexed": wanted}
    await repository.bump_version(service.conn, service.ws)
    event = outbox.make(
        "field",
        "updated",
        after,
        service.actor,
        changes=["isIndexed"],
        previous={"isIndexed": before["isIndexed"]},
    )
    # An event names its record by a UUID; a standard field's is derived from its name.
    event.record_id = str(uuid.uuid5(FIELD_NAMESPACE, f"{obj.name}.{f.name}"))
    await outbox.write(service.conn, service.ws, [event])
    return after


async def _options(service: FieldWriter, obj: ObjectDef, f: FieldDef, body: Any) -> dict[str, Any]:
    """The workspace's own options for a standard select field that allows them (an
    opportunity's stage). Records keep their values; the default must stay an option."""
    if set(body) != {"options"}:
        raise ValidationError("Change options alone, then isIndexed", field="isIndexed")
    before = schemas.field_to_dict(obj, f)
    items = schemas.options(body["options"], f.type)
    if f.default is not None and f.default not in {o["value"] for o in items}:
        raise ValidationError(
            f"{obj.name}.{f.name}'s options must keep its default {shown(f.default)}",
            field="options",
        )
    await options_repository.put(service.conn, service.ws, obj.name, f.name, items)
    after = schemas.field_to_dict(obj, replace(f, options=schemas.option_defs(items)))
    await repository.bump_version(service.conn, service.ws)
    event = outbox.make(
        "field",
        "updated",
        after,
        service.actor,
        changes=["options"],
        previous={"options": before.get("options")},
    )
    event.record_id = str(uuid.uuid5(FIELD_NAMESPACE, f"{obj.name}.{f.name}"))
    await outbox.write(service.conn, service.ws, [event])
    return after

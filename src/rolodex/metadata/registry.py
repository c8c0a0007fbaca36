"""The metadata registry: what objects and fields a workspace has, at a version.

Standard objects are code; custom objects and fields are rows in
``object_metadata`` and ``field_metadata``. A
workspace's registry is rebuilt when its ``metadata_version`` changes, which
every process checks in the database at most once a second, so a field added
through one process appears in all of them without a restart.
"""

from __future__ import annotations

import copy
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from rolodex.config import Settings
from rolodex.kit.db import Conn
from rolodex.kit.errors import NotFound
from rolodex.kit.lru import LRU
from rolodex.metadata import fieldtypes, index_repository, options_repository, repository
from rolodex.metadata.definitions import system_fields
from rolodex.metadata.model import (
    FieldDef,
    FieldType,
    ObjectDef,
    Option,
    Relation,
    RelationKind,
    unknown_object,
)
from rolodex.metadata.standard import standard_objects


class Registry:
    """Every object of one workspace at one metadata version."""

    def __init__(self, version: int, objects: Iterable[ObjectDef]) -> None:
        self.version = version
        self.objects: dict[str, ObjectDef] = {}
        self._by_any_name: dict[str, ObjectDef] = {}
        for obj in objects:
            self.objects[obj.name] = obj
            for alias in (obj.name, obj.plural):
                self._by_any_name[alias] = obj
        member = self.objects.get("member")
        if member is not None:  # Twenty's name for the same object
            self._by_any_name.setdefault("workspaceMember", member)
            self._by_any_name.setdefault("workspaceMembers", member)

    def object(self, name: str) -> ObjectDef:
        """The object called ``name`` (singular or plural), or a 404 with a suggestion."""
        obj = self._by_any_name.get(name)
        if obj is None:
            raise self._unknown(name)
        return obj

    def by_plural(self, plural: str) -> ObjectDef:
        """The object whose REST path segment is ``plural``, or a 404 with a suggestion."""
        obj = self._by_any_name.get(plural)
        if obj is None or (plural != obj.plural and not plural.startswith("workspaceMember")):
            raise self._unknown(plural)
        return obj

    def _unknown(self, name: str) -> NotFound:
        # Suggest the plural for a singular or a naive plural ("persons").
        guesses = {}
        for o in self.objects.values():
            for alias in (o.name, o.name + "s", o.name + "es", o.plural):
                guesses[alias.lower()] = o.plural
        exact = guesses.get(name.lower())
        if exact is not None and exact != name:
            return NotFound(
                f"Unknown object '{name}'. Did you mean '{exact}'?", field="object", object=name
            )
        return unknown_object(name, self.objects.values())


_STANDARD = standard_objects()


def custom_object(row: repository.ObjectRow) -> ObjectDef:
    """A custom object: the system fields, a ``name``, and (later) its custom fields."""
    fields = system_fields()
    name = FieldDef(
        "name", FieldType.TEXT, "Name", description="What the record is called.", searchable=True
    )
    return ObjectDef(
        name=row.name,
        plural=row.plural,
        label=row.label,
        label_plural=row.label_plural,
        table="custom_record",
        fields={f.name: f for f in [fields[0], name, *fields[1:]]},
        description=row.description,
        is_custom=True,
        id=row.id,
    )


def schemas_options(items: list[Any]) -> tuple[Option, ...]:
    """Stored options (``{value, label, color}``) as the field's options."""
    return tuple(Option(o["value"], o.get("label") or o["value"], o.get("color")) for o in items)


def build(
    version: int,
    custom_fields: Iterable[repository.FieldRow],
    custom_objects: Iterable[repository.ObjectRow] = (),
    inactive_fields: Iterable[repository.FieldRow] = (),
    indexed: Iterable[tuple[str, str]] = (),
    options: Iterable[tuple[str, str, list[Any]]] = (),
) -> Registry:
    """A registry: the standard objects plus the workspace's custom objects and fields.

    ``inactive_fields`` (deactivated, not yet purged) are not part of it; only
    their keys are noted, because their values are still in the records.
    ``indexed`` names the standard fields the workspace marked indexed, and
    ``options`` gives the workspace's own options of standard select fields.
    """
    objects = {name: copy.copy(obj) for name, obj in _STANDARD.items()}
    for obj in objects.values():
        obj.fields = dict(obj.fields)
        obj.cache = {}
    for row in custom_objects:
        if row.name not in objects:
            objects[row.name] = custom_object(row)
    for field_row in custom_fields:
        for object_name, f in fields_from_row(field_row):
            target = objects.get(object_name)
            if target is not None and f.name not in target.fields:
                target.fields[f.name] = f
    for object_name, name in indexed:
        target = objects.get(object_name)
        marked = target.fields.get(name) if target is not None else None
        if target is not None and marked is not None and not marked.is_custom:
            target.fields[name] = replace(marked, indexed=True)
    for object_name, name, items in options:
        target = objects.get(object_name)
        chosen = target.fields.get(name) if target is not None else None
        if target is not None and chosen is not None and not chosen.is_custom:
            target.fields[name] = replace(chosen, options=schemas_options(items))
    for field_row in inactive_fields:
        target = objects.get(field_row.object_name)
        if target is not None:
            target.hidden_keys = (*target.hidden_keys, field_row.document_key)
    return Registry(version, objects.values())


def field_from_row(row: repository.FieldRow) -> FieldDef:
    """The field a row defines (for a relation: its relation field)."""
    fields = fields_from_row(row)
    return fields[1][1] if len(fields) > 1 else fields[0][1]


def fields_from_row(row: repository.FieldRow) -> list[tuple[str, FieldDef]]:
    """The fields a custom field row adds, with the object each belongs to.

    A RELATION adds three: the id field and the relation field on its object,
    and the inverse list on the target (``deal.company`` / ``company.deals``).
    """
    d = row.definition
    t = fieldtypes.parse(row.type)
    common: dict[str, Any] = {
        "label": row.label,
        "description": row.description,
        "is_custom": True,
        "id": row.id,
    }
    if t is FieldType.RELATION:
        target, inverse = d["target"], d["inverse"]
        join = row.document_key
        return [
            (
                row.object_name,
                FieldDef(
                    join,
                    FieldType.UUID,
                    **{**common, "label": f"{row.label} id"},
                    indexed=d.get("indexed", False),
                ),
            ),
            (
                row.object_name,
                FieldDef(
                    row.name,
                    FieldType.RELATION,
                    **common,
                    relation=Relation(RelationKind.MANY_TO_ONE, target, join, inverse),
                ),
            ),
            (
                target,
                FieldDef(
                    inverse,
                    FieldType.RELATION,
                    label=d.get("inverseLabel", inverse),
                    is_custom=True,
                    id=row.id,
                    relation=Relation(RelationKind.ONE_TO_MANY, row.object_name, join, row.name),
                ),
            ),
        ]
    return [
        (
            row.object_name,
            FieldDef(
                name=row.name,
                type=t,
                nullable=d.get("nullable", True),
                unique=d.get("unique", False),
                indexed=d.get("indexed", False),
                searchable=d.get("searchable", False),
                default=d.get("default"),
                options=tuple(
                    Option(o["value"], o.get("label", o["value"]), o.get("color"))
                    for o in d.get("options", [])
                ),
                settings=d.get("settings", {}),
                **common,
            ),
        )
    ]


class RegistryCache:
    """Per-process cache of registries, checked against the database once a second.

    At most ``size`` workspaces' registries (``ROLODEX_REGISTRY_CACHE``): the
    least recently used is dropped, and read again from the database (four
    small queries) when its workspace comes back.
    """

    def __init__(self, check_interval: float = 1.0, size: int | None = None) -> None:
        self.check_interval = check_interval
        self._entries: LRU[uuid.UUID, tuple[float, Registry]] = LRU(
            size if size is not None else Settings().registry_cache
        )

    def __len__(self) -> int:
        return len(self._entries)

    async def get(self, conn: Conn, workspace_id: uuid.UUID) -> Registry:
        now = time.monotonic()
        entry = self._entries.get(workspace_id)
        if entry is not None and now - entry[0] < self.check_interval:
            return entry[1]
        version = await repository.metadata_version(conn, workspace_id)
        if entry is not None and entry[1].version == version:
            self._entries.put(workspace_id, (now, entry[1]))
            return entry[1]
        objects = await repository.active_objects(conn, workspace_id)
        fields = await repository.all_fields(conn, workspace_id)
        registry = build(
            version,
            [row for row, active in fields if active],
            objects,
            [row for row, active in fields if not active],
            await index_repository.marked(conn, workspace_id),
            await options_repository.overrides(conn, workspace_id),
        )
        self._entries.put(workspace_id, (now, registry))
        return registry

    def invalidate(self, workspace_id: uuid.UUID) -> None:
        self._entries.pop(workspace_id)

    def stale(self, workspace_id: uuid.UUID) -> Callable[[], None]:
        """The effect that invalidates ``workspace_id``: equal for equal workspaces, so a
        session that changes metadata twice invalidates once."""
        return _Invalidate(self, workspace_id)


@dataclass(frozen=True, slots=True)
class _Invalidate:
    cache: RegistryCache
    workspace_id: uuid.UUID

    def __call__(self) -> None:
        self.cache.invalidate(self.workspace_id)


def standard() -> Registry:
    """The registry of a workspace with no custom fields (for docs and tests)."""
    return build(0, [])


__all__ = ["Registry", "RegistryCache", "build", "replace", "standard"]

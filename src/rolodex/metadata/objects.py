"""Custom objects: creating, renaming, deactivating, restoring and purging them.

A custom object's records live in the shared ``custom_record`` table, keyed by
the object's id, so renaming an object never moves data.
"""

from __future__ import annotations

import re
import uuid
from typing import Any

from rolodex.auth.schemas import Actor
from rolodex.events import outbox
from rolodex.kit import clock
from rolodex.kit.db import Conn
from rolodex.kit.effects import AfterCommit
from rolodex.kit.errors import Conflict, NotFound, ValidationError
from rolodex.kit.ids import uuid7
from rolodex.metadata import repository, schemas
from rolodex.metadata.registry import Registry, RegistryCache, custom_object
from rolodex.metadata.standard import RESERVED_PLURALS
from rolodex.search.service import SearchIndex

_IDENT = re.compile(r"^[a-z][a-zA-Z0-9]{0,62}$")
CREATE_KEYS = frozenset(
    {
        "nameSingular",
        "namePlural",
        "name",
        "plural",
        "labelSingular",
        "labelPlural",
        "label",
        "description",
    }
)
UPDATE_KEYS = CREATE_KEYS | {"isActive"}


def _ident(value: Any, field: str) -> str:
    if not isinstance(value, str) or not _IDENT.match(schemas.camel(value.strip())):
        raise ValidationError(
            f"{field} must start with a lowercase letter and hold only letters and digits "
            "(snake_case is converted), at most 63 characters",
            field=field,
        )
    return schemas.camel(value.strip())


def _named(body: dict[str, Any], key: str, alias: str) -> str | None:
    """``body[key]`` or its alias (``nameSingular`` or ``name``), checked; both must agree."""
    names = {_ident(body[k], key) for k in (key, alias) if body.get(k) is not None}
    if len(names) > 1:
        raise ValidationError(f"{key} and {alias} name the same thing and differ", field=key)
    return names.pop() if names else None


def _label(value: Any, field: str, default: str) -> str:
    if value is None:
        return default
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ValidationError(f"{field} is a string of 1 to 200 characters", field=field)
    return value.strip()


class ObjectService:
    """Custom object changes for one workspace, on the caller's transaction."""

    def __init__(
        self,
        conn: Conn,
        registry: Registry,
        workspace_id: uuid.UUID,
        actor: Actor,
        *,
        after_commit: AfterCommit | None = None,
        registries: RegistryCache | None = None,
    ) -> None:
        self.conn = conn
        self.registry = registry
        self.ws = workspace_id
        self.actor = actor
        if after_commit is not None and registries is not None:
            # The cached registry is stale once the change commits; read it again.
            after_commit(registries.stale(workspace_id))

    async def create(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ValidationError("The body must be a JSON object describing the object.")
        schemas.reject_unknown(body, CREATE_KEYS)
        name = _named(body, "nameSingular", "name") or _ident(None, "nameSingular")
        plural = _named(body, "namePlural", "plural") or _ident(name + "s", "namePlural")
        await self._check_names(name, plural, ignore=None)
        label = _label(
            body.get("labelSingular") or body.get("label"),
            "labelSingular",
            name[:1].upper() + name[1:],
        )
        now = clock.now()
        row = repository.ObjectRow(
            id=uuid7(),
            name=name,
            plural=plural,
            label=label,
            label_plural=_label(
                body.get("labelPlural"), "labelPlural", plural[:1].upper() + plural[1:]
            ),
            description=_description(body),
        )
        await repository.insert_object(
            self.conn,
            {
                "workspace_id": self.ws,
                "id": row.id,
                "name": row.name,
                "plural": row.plural,
                "label": row.label,
                "label_plural": row.label_plural,
                "description": row.description,
                "is_active": True,
                "created_at": now,
                "updated_at": now,
            },
        )
        after = self._to_dict(row)
        await self._changed("created", after, None)
        return after

    async def update(self, name: str, body: Any) -> dict[str, Any]:
        row = await self._load(name)
        if not isinstance(body, dict):
            raise ValidationError("The body must be a JSON object.")
        schemas.reject_unknown(body, UPDATE_KEYS)
        before = self._to_dict(row)
        values: dict[str, Any] = {}
        new_name = _named(body, "nameSingular", "name") or row.name
        new_plural = _named(body, "namePlural", "plural") or row.plural
        if (new_name, new_plural) != (row.name, row.plural):
            if new_name != row.name:
                raise ValidationError(
                    "A custom object's singular name is fixed (its fields refer to it); "
                    "change namePlural or the labels",
                    field="nameSingular",
                )
            await self._check_names(new_name, new_plural, ignore=row.id)
            values["plural"] = new_plural
        if "labelSingular" in body or "label" in body:
            values["label"] = _label(
                body.get("labelSingular") or body.get("label"), "labelSingular", row.label
            )
        if "labelPlural" in body:
            values["label_plural"] = _label(body["labelPlural"], "labelPlural", row.label_plural)
        if "description" in body:
            values["description"] = _description(body)
        if "isActive" in body:
            if not isinstance(body["isActive"], bool):
                raise ValidationError("isActive must be true or false", field="isActive")
            values["is_active"] = body["isActive"]
        if not values:
            return before
        values["updated_at"] = clock.now()
        await repository.update_object(self.conn, self.ws, row.id, values)
        after = self._to_dict(await self._load(row.name))
        await self._changed("updated", after, before)
        return after

    async def deactivate(self, name: str) -> dict[str, Any]:
        """Hide an object and its records; ``restore`` brings them back."""
        return await self.update(name, {"isActive": False})

    async def restore(self, name: str) -> dict[str, Any]:
        return await self.update(name, {"isActive": True})

    async def purge(self, name: str) -> dict[str, Any]:
        """Delete a deactivated object's records and fields, for good."""
        row = await self._load(name)
        if row.is_active:
            raise ValidationError("Deactivate the object (DELETE) before purging it.", field="name")
        before = self._to_dict(row)
        await repository.purge_object(self.conn, self.ws, row)
        await SearchIndex(self.conn, self.ws).drop_object(row.name)
        await self._changed("purged", before, before)
        return before

    # -- helpers ------------------------------------------------------------------
    async def _load(self, name: str) -> repository.ObjectRow:
        for row in await repository.all_objects(self.conn, self.ws):
            if name in (row.name, row.plural, str(row.id)):
                return row
        if name in self.registry.objects or any(
            o.plural == name for o in self.registry.objects.values()
        ):
            raise ValidationError(
                f"'{name}' is a standard object and cannot be changed", field="name"
            )
        raise NotFound(f"No custom object '{name}'.", field="name")

    async def _check_names(self, name: str, plural: str, ignore: uuid.UUID | None) -> None:
        if name == plural:
            raise ValidationError("namePlural must differ from nameSingular", field="namePlural")
        for value, field in ((name, "nameSingular"), (plural, "namePlural")):
            if value in RESERVED_PLURALS or value in schemas.RESERVED:
                raise ValidationError(
                    f"'{value}' is reserved (a route or system name)", field=field
                )
        taken: set[str] = set()
        for obj in self.registry.objects.values():
            if obj.id is None or obj.id != ignore:
                taken |= {obj.name.lower(), obj.plural.lower()}
        for row in await repository.all_objects(self.conn, self.ws):
            if row.id != ignore:
                taken |= {row.name.lower(), row.plural.lower()}
        for value, field in ((name, "nameSingular"), (plural, "namePlural")):
            if value.lower() in taken:
                raise Conflict(f"An object named '{value}' already exists", field=field)

    def _to_dict(self, row: repository.ObjectRow) -> dict[str, Any]:
        live = self.registry.objects.get(row.name)
        obj = live if live is not None and live.id == row.id else custom_object(row)
        out = schemas.object_to_dict(obj)
        out.update(
            namePlural=row.plural,
            labelSingular=row.label,
            labelPlural=row.label_plural,
            description=row.description,
            isActive=row.is_active,
        )
        return out

    async def _changed(
        self, action: str, after: dict[str, Any], before: dict[str, Any] | None
    ) -> None:
        await repository.bump_version(self.conn, self.ws)
        keys = [k for k in after if k != "fields"]
        changes = [k for k in keys if before is None or before.get(k) != after.get(k)]
        event = outbox.make(
            "object",
            action,
            after,
            self.actor,
            changes=changes,
            previous=None if before is None else {k: before.get(k) for k in changes},
        )
        await outbox.write(self.conn, self.ws, [event])


def _description(body: dict[str, Any]) -> str:
    value = body.get("description") or ""
    if not isinstance(value, str) or len(value) > 2000:
        raise ValidationError(
            "description is a string of at most 2000 characters", field="description"
        )
    return value

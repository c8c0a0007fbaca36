"""The metadata service: describing the schema, and changing custom fields safely.

Every change bumps the workspace's metadata version (so every process
rebuilds its registry within a second) and is audited as an event
(``field.created``, ``field.updated``, ``field.deleted``, ...) carrying the
actor, the definition before and after, and the time.
"""

from __future__ import annotations

import uuid
from typing import Any

from rolodex.auth.schemas import Actor
from rolodex.events import outbox
from rolodex.kit import clock
from rolodex.kit.db import Conn
from rolodex.kit.effects import AfterCommit
from rolodex.kit.errors import Conflict, NotFound, ValidationError
from rolodex.kit.ids import parse_uuid, uuid7
from rolodex.metadata import field_storage, fieldtypes, repository, schemas, standard_fields
from rolodex.metadata.model import FieldDef, FieldType, ObjectDef
from rolodex.metadata.registry import Registry, RegistryCache, field_from_row
from rolodex.metadata.types import kind


class FieldService:
    """Custom field changes for one workspace, on the caller's transaction."""

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

    async def list(self, object_name: str | None, include_inactive: bool) -> list[dict[str, Any]]:
        wanted = self.registry.object(object_name).name if object_name else None
        out = []
        for row, active in await repository.all_fields(self.conn, self.ws):
            if (wanted and row.object_name != wanted) or (not active and not include_inactive):
                continue
            out.append(self._to_dict(row, active))
        return out

    async def get(self, field_id: Any) -> dict[str, Any]:
        found = standard_fields.lookup(self.registry, field_id)
        if found is not None:
            return schemas.field_to_dict(*found)
        row, active = await self._load(field_id)
        return self._to_dict(row, active)

    async def create(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, dict):
            raise ValidationError("The body must be a JSON object describing the field.")
        schemas.reject_unknown(body, schemas.CREATE_KEYS)
        obj = self.registry.object(
            _text(body.get("objectName") or body.get("object"), "objectName")
        )
        name = schemas.field_name(body.get("name"))
        schemas.check_unused(obj, name)
        for row, _ in await repository.all_fields(self.conn, self.ws):
            if row.object_name == obj.name and row.name.lower() == name.lower():
                raise Conflict(
                    f"{obj.name} has an inactive field '{row.name}'; restore it or purge it first",
                    field="name",
                )
        t = schemas.field_type(body.get("type"))
        if t is FieldType.RELATION:
            schemas.searchable(body, t, False)  # a 400 if asked: a relation holds no text
            return await self._create_relation(obj, name, body)
        definition = {
            "nullable": _bool(body, "isNullable", True),
            "unique": _bool(body, "isUnique", False),
            "indexed": _bool(body, "isIndexed", False),
            "searchable": schemas.searchable(body, t, False),
            "options": schemas.options(body.get("options"), t),
            "settings": schemas.settings(body.get("settings"), t),
            "default": None,
        }
        label = _text(body.get("label") or name, "label")
        description = body.get("description") or ""
        if not isinstance(description, str):
            raise ValidationError("description must be a string", field="description")
        probe = self._field(name, t, label, description, definition)
        definition["default"] = self._default(probe, body.get("defaultValue"))
        fid = uuid7()
        now = clock.now()
        await repository.insert_field(
            self.conn,
            {
                "workspace_id": self.ws,
                "id": fid,
                "object_name": obj.name,
                "name": name,
                "type": str(t),
                "label": label,
                "description": description,
                "definition": definition,
                "is_active": True,
                "created_at": now,
                "updated_at": now,
            },
        )
        if definition["unique"] or definition["indexed"]:
            await field_storage.index_field(
                self.conn, self.ws, obj, fid, probe, unique=definition["unique"] is True
            )
        row, _ = await self._load(fid)
        after = self._to_dict(row, True)
        await self._changed("created", after, None)
        return after

    async def _create_relation(
        self, obj: ObjectDef, name: str, body: dict[str, Any]
    ) -> dict[str, Any]:
        """A to-one relation to another object, with the inverse list on that object."""
        target = self.registry.object(_text(body.get("relationTarget"), "relationTarget"))
        schemas.check_unused(obj, name + "Id")
        inverse = schemas.field_name(body.get("inverseName") or obj.plural)
        schemas.check_unused(target, inverse)
        label = _text(body.get("label") or name, "label")
        definition = {
            "target": target.name,
            "inverse": inverse,
            "inverseLabel": body.get("inverseLabel") or obj.label_plural,
        }
        fid = uuid7()
        now = clock.now()
        await repository.insert_field(
            self.conn,
            {
                "workspace_id": self.ws,
                "id": fid,
                "object_name": obj.name,
                "name": name,
                "type": FieldType.RELATION.value,
                "label": label,
                "description": body.get("description") or "",
                "definition": definition,
                "is_active": True,
                "created_at": now,
                "updated_at": now,
            },
        )
        join = FieldDef(name + "Id", FieldType.UUID, label, is_custom=True)
        await field_storage.index_field(self.conn, self.ws, obj, fid, join, unique=False)
        row, _ = await self._load(fid)
        after = self._to_dict(row, True)
        await self._changed("created", after, None)
        return after

    async def update(self, field_id: Any, body: Any) -> dict[str, Any]:
        found = standard_fields.lookup(self.registry, field_id)
        if found is not None:  # person.phone: a standard field, only isIndexed changes
            return await standard_fields.update(self, *found, body)
        row, active = await self._load(field_id)
        if not isinstance(body, dict):
            raise ValidationError("The body must be a JSON object.")
        schemas.reject_unknown(body, schemas.UPDATE_KEYS)
        if row.type == FieldType.RELATION.value and set(body) - {"label", "description"}:
            other = sorted(set(body) - {"label", "description"})[0]
            raise ValidationError(
                f"Only a relation field's label and description can change, not {other}; "
                "to change more, delete the relation and create another",
                field=other,
            )
        if "type" in body and schemas.field_type(body["type"]) is FieldType.RELATION:
            raise ValidationError(
                f"{row.name} cannot become a relation: a relation is a new field. Create it "
                'with POST /rest/metadata/fields {"objectName": ..., "name": ..., '
                '"type": "RELATION", "relationTarget": "company"} (GraphQL: createField), '
                "then copy the ids into its ...Id field and delete this one",
                field="type",
            )
        before = self._to_dict(row, active)
        obj = self.registry.object(row.object_name)
        definition = dict(row.definition)
        values: dict[str, Any] = {}
        t = fieldtypes.parse(row.type)
        if "type" in body and schemas.field_type(body["type"]) != t:
            t = schemas.field_type(body["type"])
            values["type"] = str(t)
        if "options" in body or "type" in values:
            definition["options"] = schemas.options(
                body.get("options", definition.get("options")), t
            )
        if "settings" in body:
            definition["settings"] = schemas.settings(body["settings"], t)
        if "isNullable" in body:
            definition["nullable"] = _bool(body, "isNullable", True)
        if "label" in body:
            values["label"] = _text(body["label"], "label")
        if "description" in body:
            if not isinstance(body["description"], str):
                raise ValidationError("description must be a string", field="description")
            values["description"] = body["description"]
        name = row.name
        if "name" in body and schemas.field_name(body["name"]) != row.name:
            name = schemas.field_name(body["name"])
            schemas.check_unused(obj, name, ignore=row.name)
            values["name"] = name
        probe = self._field(name, t, values.get("label", row.label), "", definition)
        if "defaultValue" in body or "type" in values:
            definition["default"] = self._default(
                probe, body.get("defaultValue", definition.get("default"))
            )
        if "type" in values or "name" in values or "options" in body:
            await field_storage.rewrite_values(self.conn, self.ws, obj, row, probe)
        indexed = _bool(body, "isIndexed", definition.get("indexed", False))
        if indexed != definition.get("indexed", False) and not definition.get("unique"):
            definition["indexed"] = indexed
            if indexed:
                await field_storage.index_field(
                    self.conn, self.ws, obj, row.id, probe, unique=False
                )
            else:
                await repository.drop_custom_index(self.conn, obj.table, self.ws, row.id)
        elif ("name" in values or "type" in values) and (
            definition.get("indexed") or definition.get("unique")
        ):
            # The indexed expression names the field and casts by type: rebuild it.
            await repository.drop_custom_index(self.conn, obj.table, self.ws, row.id)
            await field_storage.index_field(
                self.conn, self.ws, obj, row.id, probe, unique=definition.get("unique") is True
            )
        was_active = active
        if "isActive" in body:
            active = _bool(body, "isActive", True)
            values["is_active"] = active
        searched = bool(definition.get("searchable"))
        if "isSearchable" in body or "type" in values:
            definition["searchable"] = schemas.searchable(
                body, t, searched, changing_type="type" in values
            )
        values["definition"] = definition
        values["updated_at"] = clock.now()
        await repository.update_field(self.conn, self.ws, row.id, values)
        old_name = row.name
        row, active = await self._load(row.id)
        now_searched = bool(definition.get("searchable"))
        if (searched and was_active) != (now_searched and active):
            await field_storage.reindex(self.conn, self.ws, obj, old_name, row, active)
        after = self._to_dict(row, active)
        if after != before:
            await self._changed("updated", after, before)
        return after

    async def deactivate(self, field_id: Any) -> dict[str, Any]:
        """Hide a field; its data stays and ``restore`` brings it back."""
        row, active = await self._load(field_id)
        if active:
            await repository.update_field(
                self.conn, self.ws, row.id, {"is_active": False, "updated_at": clock.now()}
            )
            if row.definition.get("searchable"):
                await field_storage.reindex(
                    self.conn, self.ws, self.registry.object(row.object_name), row.name, row, False
                )
            await self._changed("deactivated", self._to_dict(row, False), self._to_dict(row, True))
        return self._to_dict(row, False)

    async def restore(self, field_id: Any) -> dict[str, Any]:
        row, active = await self._load(field_id)
        if not active:
            obj = self.registry.object(row.object_name)
            schemas.check_unused(obj, row.name)
            await repository.update_field(
                self.conn, self.ws, row.id, {"is_active": True, "updated_at": clock.now()}
            )
            if row.definition.get("searchable"):
                await field_storage.reindex(self.conn, self.ws, obj, row.name, row, True)
            await self._changed("restored", self._to_dict(row, True), self._to_dict(row, False))
        return self._to_dict(row, True)

    async def purge(self, field_id: Any) -> dict[str, Any]:
        """Remove a deactivated field and its values from every record, for good."""
        row, active = await self._load(field_id)
        if active:
            raise ValidationError("Deactivate the field (DELETE) before purging it.", field="id")
        obj = self.registry.object(row.object_name)
        key = row.document_key
        docs = await repository.custom_documents(self.conn, obj.table, self.ws, obj.id)
        changed = [(rid, {k: v for k, v in d.items() if k != key}) for rid, d in docs if key in d]
        await repository.write_custom_documents(self.conn, obj.table, self.ws, obj.id, changed)
        await repository.drop_custom_index(self.conn, obj.table, self.ws, row.id)
        await repository.delete_field(self.conn, self.ws, row.id)
        before = self._to_dict(row, False)
        await self._changed("purged", before, before)
        return before

    # -- helpers ------------------------------------------------------------------
    async def _load(self, field_id: Any) -> tuple[repository.FieldRow, bool]:
        fid = parse_uuid(field_id, field="id")
        found = await repository.get_field(self.conn, self.ws, fid)
        if found is None:
            raise NotFound(f"No custom field with id {fid}.", field="id")
        return found

    def _to_dict(self, row: repository.FieldRow, active: bool) -> dict[str, Any]:
        obj = self.registry.objects.get(row.object_name)
        f = field_from_row(row)
        if obj is None:
            return {"id": str(row.id), "objectName": row.object_name, "name": row.name}
        return schemas.field_to_dict(obj, f, active=active)

    def _field(
        self, name: str, t: str, label: str, description: str, definition: dict[str, Any]
    ) -> FieldDef:
        return FieldDef(
            name=name,
            type=t,
            label=label,
            description=description,
            is_custom=True,
            options=schemas.option_defs(definition.get("options") or []),
            settings=definition.get("settings") or {},
        )

    def _default(self, f: FieldDef, raw: Any) -> Any:
        if raw is None:
            return None
        k = kind(f)
        # Text types take a string as the value; the others parse it (NUMBER "42").
        value = (
            k.from_string(f, raw)
            if isinstance(raw, str) and not k.text_literal
            else k.validate(f, raw)
        )
        return None if value is None else kind(f).to_json(value)

    async def _changed(
        self, action: str, after: dict[str, Any], before: dict[str, Any] | None
    ) -> None:
        await repository.bump_version(self.conn, self.ws)
        changes = [k for k in after if before is None or before.get(k) != after.get(k)]
        event = outbox.make(
            "field",
            action,
            after,
            self.actor,
            changes=changes,
            previous=None if before is None else {k: before.get(k) for k in changes},
        )
        await outbox.write(self.conn, self.ws, [event])


def _text(value: Any, field: str) -> str:
    if not isinstance(value, str) or not value.strip() or len(value) > 200:
        raise ValidationError(f"{field} is required: a string of 1 to 200 characters", field=field)
    return value.strip()


def _bool(body: dict[str, Any], key: str, default: bool) -> bool:
    value = body.get(key, default)
    if value is None:
        return default
    if not isinstance(value, bool):
        raise ValidationError(f"{key} must be true or false", field=key)
    return value

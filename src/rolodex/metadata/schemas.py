"""Shapes of the metadata API: field definitions in and out, objects out."""

from __future__ import annotations

import re
from typing import Any

from rolodex.kit.errors import ValidationError
from rolodex.kit.show import shown
from rolodex.metadata import fieldtypes
from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.model import FieldDef, FieldType, ObjectDef, Option

_NAME = re.compile(r"^[a-z][a-zA-Z0-9]{0,62}$")
# Names the APIs themselves use: a field called "edges" or "and" would shadow them.
RESERVED = frozenset(
    {
        "id",
        "createdAt",
        "updatedAt",
        "deletedAt",
        "createdBy",
        "updatedBy",
        "customFields",
        "custom",
        "cursor",
        "edges",
        "node",
        "nodes",
        "pageInfo",
        "totalCount",
        "totalCountIsExact",
        "and",
        "or",
        "not",
        "filter",
        "orderBy",
        "data",
        "depth",
        "limit",
        "upsert",
        "workspaceId",
        "workspace",
        "object",
        "event",
        "typename",
        "position",
        "searchVector",
        "recordId",
    }
)
_OPTION_KEYS = frozenset({"value", "label", "color"})
CREATE_KEYS = frozenset(
    {
        "objectName",
        "object",
        "name",
        "label",
        "type",
        "description",
        "options",
        "defaultValue",
        "isNullable",
        "isUnique",
        "isIndexed",
        "isSearchable",
        "settings",
        "relationTarget",
        "inverseName",
        "inverseLabel",
    }
)
UPDATE_KEYS = frozenset(
    {
        "name",
        "label",
        "type",
        "description",
        "options",
        "defaultValue",
        "isNullable",
        "isIndexed",
        "isSearchable",
        "settings",
        "isActive",
    }
)


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def field_name(raw: Any) -> str:
    """A custom field's name: camelCase; snake_case input is converted (lead_score -> leadScore)."""
    if not isinstance(raw, str) or not raw.strip():
        raise ValidationError("name is required and must be a string", field="name")
    name = camel(raw.strip())
    if not _NAME.match(name):
        raise ValidationError(
            f"name {shown(raw)} must start with a lowercase letter and hold only letters and "
            "digits (snake_case is converted to camelCase), at most 63 characters",
            field="name",
        )
    if name in RESERVED:
        raise ValidationError(f"name {name!r} is reserved", field="name")
    return name


def check_unused(obj: ObjectDef, name: str, *, ignore: str | None = None) -> None:
    """A new name must not collide with a field, a relation's id or list field, any case."""
    taken = {}
    for f in obj.fields.values():
        if f.name == ignore:
            continue
        taken[f.name.lower()] = f.name
        if f.relation is not None:
            taken[f"{f.name}list".lower()] = f"{f.name}List"
    clash = taken.get(name.lower())
    if clash is not None:
        raise ValidationError(
            f"{obj.name} already has a field {clash!r}; choose another name", field="name"
        )


def field_type(raw: Any) -> str:
    """A requested custom field type: a registered type that custom fields may have."""
    custom = fieldtypes.custom_types()
    allowed = ", ".join(custom)
    upper = raw.upper() if isinstance(raw, str) else ""
    if upper not in custom:
        raise ValidationError(f"type must be one of {allowed}", field="type")
    return fieldtypes.parse(upper)


def options(raw: Any, t: str) -> list[dict[str, Any]]:
    needs = fieldtypes.KINDS[t].has_options
    if raw is None or (raw == [] and not needs):
        if needs:
            raise ValidationError(f"A {t} field needs options", field="options")
        return []
    if not needs:
        raise ValidationError("Only SELECT and MULTI_SELECT fields have options", field="options")
    if not isinstance(raw, list) or not raw or len(raw) > 500:
        raise ValidationError("options must be a list of 1 to 500 options", field="options")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in raw:
        if isinstance(item, str):
            item = {"value": item}
        if not isinstance(item, dict) or set(item) - _OPTION_KEYS:
            raise ValidationError(
                "each option is a string or {value, label, color}", field="options"
            )
        value = item.get("value")
        if not isinstance(value, str) or not value.strip() or len(value) > 100:
            raise ValidationError("option values are non-empty strings", field="options")
        if value in seen:
            raise ValidationError(f"option {shown(value)} appears twice", field="options")
        seen.add(value)
        label = item.get("label") or value
        color = item.get("color")
        if not isinstance(label, str) or (color is not None and not isinstance(color, str)):
            raise ValidationError("option labels and colors are strings", field="options")
        out.append({"value": value, "label": label, "color": color})
    return out


def settings(raw: Any, t: str) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValidationError("settings must be an object", field="settings")
    rules = fieldtypes.KINDS[t].settings_rules
    for key, value in raw.items():
        check = rules.get(key)  # an allow-list: a setting the type has no rule for is refused
        if check is None or isinstance(value, bool) or not check(value):
            raise ValidationError(
                f"setting {shown(key)}={shown(value)} does not apply to {t}",
                field="settings",
            )
    return dict(raw)


def field_to_dict(obj: ObjectDef, f: FieldDef, *, active: bool = True) -> dict[str, Any]:
    rel = f.relation
    return {
        "id": str(f.id) if f.id else f"{obj.name}.{f.name}",
        "objectName": obj.name,
        "name": f.name,
        "label": f.label,
        "type": str(f.type),
        "description": f.description,
        "isCustom": f.is_custom,
        "isSystem": f.system,
        "isReadOnly": f.read_only or f.system,
        "isNullable": f.nullable,
        "isRequired": f.required,
        "isUnique": f.unique,
        "isIndexed": f.indexed or f.unique,
        "isSearchable": f.searchable,
        "isActive": active,
        "defaultValue": f.default,
        "options": [{"value": o.value, "label": o.label, "color": o.color} for o in f.options]
        if f.options
        else None,
        "settings": f.settings or None,
        "relationTarget": rel.target if rel else None,
        "relationType": rel.kind.value if rel else None,
        "relationJoinField": rel.join_field if rel else None,
        "schema": kind(f).json_schema(f),
    }


def object_to_dict(obj: ObjectDef) -> dict[str, Any]:
    return {
        "id": str(obj.id) if obj.id else obj.name,
        "name": obj.name,
        "nameSingular": obj.name,
        "namePlural": obj.plural,
        "labelSingular": obj.label,
        "labelPlural": obj.label_plural,
        "description": obj.description,
        "isCustom": obj.is_custom,
        "uniqueKeys": list(obj.unique_keys),
        "fields": [field_to_dict(obj, f) for f in obj.fields.values()],
    }


def option_defs(items: list[dict[str, Any]]) -> tuple[Option, ...]:
    return tuple(Option(o["value"], o.get("label") or o["value"], o.get("color")) for o in items)


def reject_unknown(body: dict[str, Any], allowed: frozenset[str]) -> None:
    """Unknown properties in a definition are a 400 naming them (typos must not pass)."""
    for key in body:
        if key not in allowed:
            raise ValidationError(
                f"Unknown property {shown(key)}; allowed: {', '.join(sorted(allowed))}",
                field=key,
            )


def describe(registry: Any) -> list[dict[str, Any]]:
    """Every object of a registry with its fields, as the metadata API shows them."""
    return [object_to_dict(o) for o in registry.objects.values()]


def picklists(registry: Any) -> list[dict[str, Any]]:
    """The options of every select field, for building forms."""
    out = []
    for obj in registry.objects.values():
        for f in obj.fields.values():
            if f.options:
                out.append(
                    {
                        "objectName": obj.name,
                        "fieldName": f.name,
                        "type": str(f.type),
                        "options": [
                            {"value": o.value, "label": o.label, "color": o.color}
                            for o in f.options
                        ],
                    }
                )
    return out


# The types whose text search can keep (``isSearchable``).
SEARCHABLE_TYPES = frozenset({FieldType.TEXT, FieldType.EMAIL, FieldType.PHONE, FieldType.LINK})


def searchable(body: dict[str, Any], t: str, default: bool, *, changing_type: bool = False) -> bool:
    """``isSearchable``: only text types; a field that stops being text stops being searched."""
    wanted = body.get("isSearchable", default)
    if wanted is None:
        wanted = default
    if not isinstance(wanted, bool):
        raise ValidationError("isSearchable must be true or false", field="isSearchable")
    if wanted and t not in SEARCHABLE_TYPES:
        if "isSearchable" not in body and changing_type:
            return False
        raise ValidationError(
            f"isSearchable applies to text fields (TEXT, EMAIL, PHONE, LINK), not {t}",
            field="isSearchable",
        )
    return wanted

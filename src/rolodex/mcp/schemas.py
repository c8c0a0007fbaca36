"""JSON Schemas of the tools' arguments and the schema description, from the registry.

Built per registry version (``tools.Catalogue`` caches them), so a custom
field or object appears in the tools' schemas as soon as it is added. Record
inputs are REST's own (``api/rest/openapi_schemas.py``), so what a schema
allows is what the record service accepts.
"""

from __future__ import annotations

from typing import Any

from rolodex.api.rest.openapi_schemas import create_input_schema, update_input_schema
from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.model import FieldDef, FieldType, ObjectDef
from rolodex.metadata.registry import Registry

Schema = dict[str, Any]


def objects_enum(registry: Registry) -> Schema:
    plurals = [o.plural for o in registry.objects.values()]
    return {
        "type": "string",
        "enum": plurals,
        "description": "The object, by its plural (singular names are accepted too).",
    }


# What a model does not need to fill a field in, and would pay for in context on
# every tools/list: the server checks them anyway (the email pattern alone is
# 400 characters).
_NOISE = ("pattern", "title")
_LOOSE_MAX = 10_000


def _compact(schema: Schema) -> Schema:
    out = {k: v for k, v in schema.items() if k not in _NOISE}
    if isinstance(out.get("maxLength"), int) and out["maxLength"] >= _LOOSE_MAX:
        del out["maxLength"]
    if isinstance(out.get("items"), dict):
        out["items"] = _compact(out["items"])
    return out


def _trimmed(schema: Schema) -> Schema:
    """REST's input schema, compacted, without its object description (the ``data``
    argument has one) and without the ``customFields`` pair form: custom fields are
    set by name, and the second spelling would only cost an agent context."""
    out = {k: v for k, v in schema.items() if k != "description"}
    props = {k: _compact(v) for k, v in out.get("properties", {}).items()}
    props.pop("customFields", None)
    out["properties"] = props
    return out


def record_inputs(registry: Registry, *, creating: bool) -> dict[str, Schema]:
    """Each object's create (or update) input, keyed by the object's plural."""
    build = create_input_schema if creating else update_input_schema
    return {o.plural: _trimmed(build(o)) for o in registry.objects.values()}


def data_argument(registry: Registry, *, creating: bool) -> tuple[Schema, dict[str, Schema]]:
    """The ``data`` argument (one of the objects' inputs) and the ``$defs`` it refers to."""
    defs = record_inputs(registry, creating=creating)
    schema: Schema = {
        "description": "The record's fields, as REST takes them: the input of the object named "
        "by `object` (see $defs, by plural). Relations are set through id fields such as "
        "companyId; unknown and read-only fields are refused.",
        "anyOf": [{"$ref": f"#/$defs/{plural}"} for plural in defs],
    }
    return schema, defs


def relation_names(registry: Registry) -> list[str]:
    names = {f.name for o in registry.objects.values() for f in o.relations}
    return sorted(names)


def _field(f: FieldDef) -> dict[str, Any]:
    k = kind(f)
    out: dict[str, Any] = {"name": f.name, "type": str(f.type), "label": f.label}
    if f.description:
        out["description"] = f.description
    flags = [
        name
        for name, on in (
            ("required", f.required),
            ("unique", f.unique),
            ("readOnly", f.read_only or f.system),
            ("custom", f.is_custom),
        )
        if on
    ]
    if flags:
        out["flags"] = flags
    if f.options:
        out["options"] = [o.value for o in f.options]
    if f.default is not None:
        out["default"] = f.default
    if f.relation is not None:
        out["relation"] = {
            "kind": str(f.relation.kind),
            "target": f.relation.target,
            "joinField": f.relation.join_field,
        }
    elif k.ops:
        out["filterOperators"] = sorted(k.ops)
    if f.type is not FieldType.RELATION and k.orderable:
        out["orderable"] = True
    return out


def describe_object(obj: ObjectDef) -> dict[str, Any]:
    return {
        "name": obj.name,
        "plural": obj.plural,
        "label": obj.label,
        "description": obj.description,
        "custom": obj.is_custom,
        "labelField": obj.label_field,
        "uniqueKeys": list(obj.unique_keys),
        "fields": [_field(f) for f in obj.fields.values()],
    }


def describe(registry: Registry, only: ObjectDef | None = None) -> dict[str, Any]:
    """The workspace's objects, fields, types, relations and picklists."""
    objects = [only] if only is not None else list(registry.objects.values())
    return {
        "metadataVersion": registry.version,
        "objects": [describe_object(o) for o in objects],
        "filterGrammar": FILTER_HELP,
    }


FILTER_HELP = (
    "filter: field[op]:value items joined by commas (AND), with and(...), or(...), not(...); "
    "ops: eq, neq, in ([a,b]), gt, gte, lt, lte, like, ilike (% wildcards), startsWith, "
    "contains, is (NULL or NOT_NULL). Quote values holding commas or parentheses. "
    'Example: or(email[ilike]:"%@acme.com",jobTitle[eq]:CTO). orderBy: field[AscNullsFirst|'
    "DescNullsLast|asc|desc], comma-separated."
)

"""JSON Schemas for the OpenAPI document: records and their inputs, from the registry.

Each field's schema comes from its kind (``json_schema``, narrowed for input by
``openapi_input`` to what the kind's ``validate`` accepts); this module
adds nullability, labels and the shapes of the envelopes, errors and keys the
REST API returns.
"""

from __future__ import annotations

from rolodex.api.rest.openapi_common import Schema, nullable, ref
from rolodex.metadata.field_schema import field_schema
from rolodex.metadata.model import FieldDef, FieldType, ObjectDef, RelationKind
from rolodex.metadata.registry import Registry
from rolodex.metadata.types import kind
from rolodex.records.query import Direction
from rolodex.records.relations import TO_MANY_LIMIT
from rolodex.records.routes import DEFAULT_LIMIT, MAX_LIMIT


def _relation_schema(registry: Registry, f: FieldDef) -> Schema:
    rel = f.relation
    assert rel is not None
    target = registry.objects.get(rel.target)
    item = ref(target.cap) if target is not None else {"type": "object"}
    if rel.kind is RelationKind.MANY_TO_ONE:
        return {
            "anyOf": [item, {"type": "null"}],
            "title": f.label,
            "description": (
                f"The {rel.target} named by `{rel.join_field}`; present only with depth=1."
            ),
        }
    return {
        "type": "array",
        "items": item,
        "maxItems": TO_MANY_LIMIT,
        "title": f.label,
        "description": (
            f"Up to {TO_MANY_LIMIT} {target.plural if target else rel.target} whose "
            f"`{rel.join_field}` is this record; present only with depth=1."
        ),
    }


def record_schema(registry: Registry, obj: ObjectDef) -> Schema:
    """A record as every read and write returns it: all stored fields, always present."""
    props: dict[str, Schema] = {}
    required: list[str] = []
    for f in obj.fields.values():
        if f.type is FieldType.RELATION:
            props[f.name] = _relation_schema(registry, f)
        else:
            props[f.name] = field_schema(f, output=True)
            required.append(f.name)
    return {
        "type": "object",
        "title": obj.label,
        "description": obj.description or obj.label,
        "properties": props,
        "required": required,
    }


def _writable(obj: ObjectDef) -> list[FieldDef]:
    return [
        f
        for f in obj.fields.values()
        if f.type is not FieldType.RELATION and not f.read_only and not f.system
    ]


def _custom_fields_form(obj: ObjectDef) -> Schema:
    """The seed's ``customFields: [{fieldId, value}]`` form, for this object's custom fields."""
    custom = [f for f in _writable(obj) if f.is_custom]
    ids = [f.name for f in custom] + [str(f.id) for f in custom if f.id is not None]
    item: Schema = {
        "type": "object",
        "properties": {"fieldId": {"type": "string", "enum": ids} if ids else {"type": "string"}},
        "required": ["fieldId"],
        "additionalProperties": False,
    }
    item["properties"]["value"] = {"description": "The field's value, as the field takes it."}
    out: Schema = {
        "type": "array",
        "items": item,
        "description": "Custom fields as `{fieldId, value}` pairs (a name or an id); the same "
        "as setting each field by its name.",
    }
    if not ids:
        out["maxItems"] = 0
    return out


def _inputs(obj: ObjectDef, *, creating: bool) -> dict[str, Schema]:
    props: dict[str, Schema] = {}
    for f in _writable(obj):
        schema = field_schema(f, output=False)
        if creating and not f.required:
            schema = nullable(schema)  # null on create means "not set"
        props[f.name] = schema
    props["customFields"] = _custom_fields_form(obj)
    return props


def create_input_schema(obj: ObjectDef) -> Schema:
    props: dict[str, Schema] = {}
    id_field = obj.fields.get("id")
    if id_field is not None:
        props["id"] = {
            **nullable(field_schema(id_field, output=False)),
            "description": "Optional: choose the new record's id.",
        }
    props.update(_inputs(obj, creating=True))
    schema: Schema = {
        "type": "object",
        "title": f"New {obj.label.lower()}",
        "description": (
            f"The fields of a new {obj.name}. Relations are set through their id "
            "fields (such as `companyId`); snake_case names (`job_title`) are accepted as "
            "aliases. Unknown and read-only fields are refused with a 400, and so is a "
            "body that sets no field."
        ),
        "properties": props,
        "additionalProperties": False,
        "minProperties": 1,
    }
    required = [f.name for f in obj.fields.values() if f.required]
    if required:
        schema["required"] = required
    return schema


def update_input_schema(obj: ObjectDef) -> Schema:
    props: dict[str, Schema] = {
        "id": {
            "type": "string",
            "format": "uuid",
            "description": "Optional; when sent it must be the id in the path.",
        }
    }
    props.update(_inputs(obj, creating=False))
    return {
        "type": "object",
        "title": f"{obj.label} changes",
        "description": "The fields to change; those left out keep their values. "
        "null clears a field that allows it. Unknown and read-only fields are refused "
        "with a 400.",
        "properties": props,
        "additionalProperties": False,
    }


def object_schemas(registry: Registry, obj: ObjectDef) -> dict[str, Schema]:
    return {
        obj.cap: record_schema(registry, obj),
        f"{obj.cap}CreateInput": create_input_schema(obj),
        f"{obj.cap}UpdateInput": update_input_schema(obj),
    }


# -- query parameters -----------------------------------------------------------
FILTER_GRAMMAR = """\
Twenty's filter grammar. A condition is `field[op]:value`; conditions separated by \
commas are AND-ed, and `and(...)`, `or(...)`, `not(...)` group them. Operators: \
`eq`, `neq`, `in`, `gt`, `gte`, `lt`, `lte`, `like`, `ilike`, `startsWith`, \
`contains`, `is`. `in` takes a list such as `[a,b]`; `is` takes `NULL` or `NOT_NULL`; \
`like` and `ilike` use `%` as a wildcard. Quote a value holding `,` or `)` with double \
quotes. Example: `or(email[ilike]:%@acme.com,and(jobTitle[eq]:CTO,createdAt[gte]:2024-01-01))`. \
A condition can follow one relation by its name: `company.name[eq]:Acme` (the related \
record matches), `notes.body[ilike]:%pricing%` (at least one related record matches)."""

DIRECTIONS = [
    *(v for d in Direction for v in (d.value, d.value.lower(), d.value.upper())),
    *("asc", "desc", "ASC", "DESC", "Asc", "Desc"),
]
ORDER_GRAMMAR = (
    "Comma-separated `field[direction]`; direction is one of AscNullsFirst, AscNullsLast, "
    "DescNullsFirst, DescNullsLast (or asc, desc). Example: `createdAt[DescNullsLast],name`. "
    "A to-one relation's field orders too: `company.name[AscNullsLast]`."
)

PARAMETERS: dict[str, Schema] = {
    "Limit": {
        "name": "limit",
        "in": "query",
        "description": "How many records a page holds.",
        "schema": {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT, "default": DEFAULT_LIMIT},
    },
    "StartingAfter": {
        "name": "starting_after",
        "in": "query",
        "description": "A cursor (`pageInfo.endCursor`): the page after it. "
        "Not with `ending_before`.",
        "schema": {"type": "string"},
    },
    "EndingBefore": {
        "name": "ending_before",
        "in": "query",
        "description": "A cursor (`pageInfo.startCursor`): the page before it.",
        "schema": {"type": "string"},
    },
    "Depth": {
        "name": "depth",
        "in": "query",
        "description": "1 embeds related records (relation fields); 0 leaves them out.",
        "schema": {"type": "integer", "enum": [0, 1], "default": 0},
    },
    "Count": {
        "name": "count",
        "in": "query",
        "description": "How `totalCount` is counted: `estimate` counts exactly up to a bound "
        "(`ROLODEX_COUNT_LIMIT`, 10,000 by default) and estimates beyond it; `exact` counts "
        "every match, at a cost that grows with them; `none` does not count (`totalCount` "
        "is null). `totalCountIsExact` says which one the response holds.",
        "schema": {"type": "string", "enum": ["estimate", "exact", "none"], "default": "estimate"},
    },
    "RecordId": {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    },
}


def order_parameter(obj: ObjectDef) -> Schema:
    """``order_by``, its pattern naming the fields the object can be ordered by."""
    names = sorted(f.name for f in obj.stored_fields if kind(f).orderable)
    # A to-one relation's fields: ``company.name`` (the target's fields are not known here).
    names += sorted(
        f"{f.name}\\.[A-Za-z_][A-Za-z0-9_]*"
        for f in obj.relations
        if f.relation is not None and f.relation.kind is RelationKind.MANY_TO_ONE
    )
    item = f"\\s*(?:{'|'.join(names)})\\s*(?:\\[\\s*(?:{'|'.join(DIRECTIONS)})\\s*\\])?\\s*"
    return {
        "name": "order_by",
        "in": "query",
        "description": ORDER_GRAMMAR + " A field appears once.",
        "schema": {"type": "string", "pattern": f"^{item}(?:,{item})*$"},
    }


def filter_parameter(obj: ObjectDef) -> Schema:
    lines = [
        f"- `{f.name}`: {', '.join(sorted(kind(f).ops))}" for f in obj.stored_fields if kind(f).ops
    ]
    return {
        "name": "filter",
        "in": "query",
        "description": FILTER_GRAMMAR + "\n\nFields and their operators:\n" + "\n".join(lines),
        "schema": {"type": "string"},
        "example": "createdAt[gte]:2024-01-01",
    }


def upsert_parameter(obj: ObjectDef) -> Schema:
    match = ", ".join(f"`{k}`" for k in obj.unique_keys) or "`id`"
    return {
        "name": "upsert",
        "in": "query",
        "description": f"Update the record matching on {match} instead of failing with 409.",
        "schema": {"type": "boolean", "default": False},
    }


PAGE_INFO: Schema = {
    "type": "object",
    "properties": {
        "hasNextPage": {"type": "boolean"},
        "hasPreviousPage": {"type": "boolean"},
        "startCursor": {
            "type": ["string", "null"],
            "description": "Pass as `ending_before` for the previous page.",
        },
        "endCursor": {
            "type": ["string", "null"],
            "description": "Pass as `starting_after` for the next page.",
        },
    },
    "required": ["hasNextPage", "hasPreviousPage", "startCursor", "endCursor"],
}

"""JSON Schemas for the OpenAPI document: records and their inputs, from the registry.

Each field's schema comes from its kind (``kind(f).json_schema``); this module
adds nullability, labels and the shapes of the envelopes, errors and keys the
REST API returns.
"""

from __future__ import annotations

from typing import Any

from rolodex.auth.scopes import Scope
from rolodex.metadata.model import FieldDef, FieldType, ObjectDef, RelationKind
from rolodex.metadata.registry import Registry
from rolodex.metadata.types import kind
from rolodex.records.relations import TO_MANY_LIMIT
from rolodex.records.routes import DEFAULT_LIMIT, MAX_LIMIT

Schema = dict[str, Any]


def ref(name: str, section: str = "schemas") -> Schema:
    return {"$ref": f"#/components/{section}/{name}"}


def nullable(schema: Schema) -> Schema:
    """``schema`` that also admits ``null``."""
    if not schema:
        return schema  # the empty schema admits anything, null included
    out = dict(schema)
    if "enum" in out and None not in out["enum"]:
        out["enum"] = [*out["enum"], None]
    kind_ = out.get("type")
    if isinstance(kind_, str):
        out["type"] = [kind_, "null"]
    elif isinstance(kind_, list):
        if "null" not in kind_:
            out["type"] = [*kind_, "null"]
    else:
        return {"anyOf": [out, {"type": "null"}]}
    return out


def field_schema(f: FieldDef, *, output: bool) -> Schema:
    """One stored field as the API reads (``output``) or accepts it."""
    schema = dict(kind(f).json_schema(f))
    # A custom field reads as null on records written before it existed,
    # whatever its definition says about null.
    if f.nullable or (output and f.is_custom):
        schema = nullable(schema)
    schema["title"] = f.label
    if f.description:
        schema["description"] = f.description
    if output and f.read_only:
        schema["readOnly"] = True
    if not output and f.default is not None:
        schema["default"] = f.default
    return schema


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


def create_input_schema(obj: ObjectDef) -> Schema:
    props: dict[str, Schema] = {}
    id_field = obj.fields.get("id")
    if id_field is not None:
        props["id"] = {
            **field_schema(id_field, output=False),
            "description": "Optional: choose the new record's id.",
        }
    for f in _writable(obj):
        props[f.name] = field_schema(f, output=False)
    schema: Schema = {
        "type": "object",
        "title": f"New {obj.label.lower()}",
        "description": (
            f"The fields of a new {obj.name}. Relations are set through their id "
            "fields (such as `companyId`); snake_case names are accepted too."
        ),
        "properties": props,
    }
    required = [f.name for f in obj.fields.values() if f.required]
    if required:
        schema["required"] = required
    return schema


def update_input_schema(obj: ObjectDef) -> Schema:
    return {
        "type": "object",
        "title": f"{obj.label} changes",
        "description": "The fields to change; those left out keep their values. "
        "null clears a field that allows it.",
        "properties": {f.name: field_schema(f, output=False) for f in _writable(obj)},
    }


def object_schemas(registry: Registry, obj: ObjectDef) -> dict[str, Schema]:
    return {
        obj.cap: record_schema(registry, obj),
        f"{obj.cap}CreateInput": create_input_schema(obj),
        f"{obj.cap}UpdateInput": update_input_schema(obj),
    }


def data(key: str, schema: Schema, **extra: Schema) -> Schema:
    """The envelope ``{"data": {key: schema}}`` (plus ``extra`` top-level members)."""
    return {
        "type": "object",
        "properties": {
            "data": {"type": "object", "properties": {key: schema}, "required": [key]},
            **extra,
        },
        "required": ["data", *extra],
    }


# -- query parameters -----------------------------------------------------------
FILTER_GRAMMAR = """\
Twenty's filter grammar. A condition is `field[op]:value`; conditions separated by \
commas are AND-ed, and `and(...)`, `or(...)`, `not(...)` group them. Operators: \
`eq`, `neq`, `in`, `gt`, `gte`, `lt`, `lte`, `like`, `ilike`, `startsWith`, \
`contains`, `is`. `in` takes a list such as `[a,b]`; `is` takes `NULL` or `NOT_NULL`; \
`like` and `ilike` use `%` as a wildcard. Quote a value holding `,` or `)` with double \
quotes. Example: `or(email[ilike]:%@acme.com,and(jobTitle[eq]:CTO,createdAt[gte]:2024-01-01))`."""

ORDER_GRAMMAR = (
    "Comma-separated `field[direction]`; direction is one of AscNullsFirst, AscNullsLast, "
    "DescNullsFirst, DescNullsLast (or asc, desc). Example: `createdAt[DescNullsLast],name`."
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
    "OrderBy": {
        "name": "order_by",
        "in": "query",
        "description": ORDER_GRAMMAR,
        "schema": {"type": "string"},
    },
    "Depth": {
        "name": "depth",
        "in": "query",
        "description": "1 embeds related records (relation fields); 0 leaves them out.",
        "schema": {"type": "integer", "enum": [0, 1], "default": 0},
    },
    "RecordId": {
        "name": "id",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    },
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


# -- fixed shapes -------------------------------------------------------------
ERROR: Schema = {
    "type": "object",
    "description": "Every error has this shape; some carry extra members (such as `allowed`).",
    "properties": {
        "statusCode": {"type": "integer", "description": "The HTTP status, repeated."},
        "error": {
            "type": "string",
            "description": "A machine code such as VALIDATION_ERROR, NOT_FOUND or CONFLICT.",
        },
        "message": {"type": "string", "description": "What went wrong, for people."},
        "messages": {"type": "array", "items": {"type": "string"}},
        "field": {"type": "string", "description": "The offending field, when there is one."},
    },
    "required": ["statusCode", "error", "message", "messages"],
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

_SCOPES = sorted(s.value for s in Scope)
_TIME = {"type": "string", "format": "date-time"}

API_KEY: Schema = {
    "type": "object",
    "description": "An API key, without its secret.",
    "properties": {
        "id": {"type": "string", "format": "uuid"},
        "workspaceId": {"type": "string", "format": "uuid"},
        "name": {"type": "string"},
        "prefix": {"type": "string", "description": "The secret's first characters."},
        "scopes": {"type": "array", "items": {"type": "string", "enum": _SCOPES}},
        "createdAt": _TIME,
        "expiresAt": nullable(_TIME),
        "revokedAt": nullable(_TIME),
        "lastUsedAt": nullable(_TIME),
    },
}
API_KEY["required"] = list(API_KEY["properties"])  # to_dict writes every one

API_KEY_WITH_SECRET: Schema = {
    "allOf": [
        ref("ApiKey"),
        {
            "type": "object",
            "properties": {
                "key": {
                    "type": "string",
                    "description": "The secret. It is shown in this response only; store it now.",
                }
            },
            "required": ["key"],
        },
    ]
}

API_KEY_INPUT: Schema = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1, "maxLength": 200},
        "scopes": {
            "type": "array",
            "items": {"type": "string", "examples": _SCOPES},
            "description": (
                "Scopes such as `record:read`; `all` grants every scope. Defaults to the "
                "calling key's scopes, and may not exceed them."
            ),
        },
        "expiresAt": {**_TIME, "description": "When the key stops working; in the future."},
    },
    "required": ["name"],
    "additionalProperties": False,
}

STATUS: Schema = {
    "type": "object",
    "properties": {
        "status": {"type": "string", "enum": ["ok", "unavailable"]},
        "database": {"type": "string", "description": "The database kind, when ready."},
        "error": {"type": "string", "description": "Why the server is not ready."},
    },
    "required": ["status"],
}


def fixed_schemas() -> dict[str, Schema]:
    return {
        "Error": ERROR,
        "PageInfo": PAGE_INFO,
        "ApiKey": API_KEY,
        "ApiKeyWithSecret": API_KEY_WITH_SECRET,
        "ApiKeyCreateInput": API_KEY_INPUT,
        "Status": STATUS,
    }


_ERRORS = {
    400: ("BadRequest", "The request is malformed or a value is invalid."),
    401: ("Unauthorized", "The API key is missing, invalid, expired or revoked."),
    403: ("Forbidden", "The API key lacks the scope this operation needs."),
    404: ("NotFound", "No such record (or it is in another workspace)."),
    409: ("Conflict", "A unique field already has this value."),
    413: ("PayloadTooLarge", "The request body is too large."),
    415: ("UnsupportedMediaType", "The body is not sent as JSON."),
    429: ("TooManyRequests", "Too many requests for this key; see Retry-After."),
}


def error_responses() -> dict[str, Schema]:
    out: dict[str, Schema] = {}
    for status, (name, description) in _ERRORS.items():
        response: Schema = {
            "description": description,
            "content": {"application/json": {"schema": ref("Error")}},
        }
        if status == 429:
            response["headers"] = {
                "Retry-After": {
                    "description": "Seconds to wait before retrying.",
                    "schema": {"type": "integer"},
                }
            }
        out[name] = response
    return out


def errors(*statuses: int) -> dict[str, Schema]:
    """Responses for ``statuses``, each a reference to the shared error response."""
    return {str(s): ref(_ERRORS[s][0], "responses") for s in statuses}

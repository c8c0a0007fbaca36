"""A field's JSON Schema: what the API reads and writes, as precisely as JSON Schema says it.

``field_schema`` is the one source for the OpenAPI document (``api/rest``)
and the webhook catalogue (``webhooks/catalogue.py``). Each field type gives
its schema and narrows it to what its ``validate`` accepts (``json_schema``,
``openapi_input``, ``openapi_output`` in metadata/fieldtypes), so that a
request the document allows is one the server accepts.
"""

from __future__ import annotations

from typing import Any

from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.model import FieldDef

Schema = dict[str, Any]


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
    k = kind(f)
    schema = dict(k.json_schema(f))
    schema = k.openapi_output(f, schema) if output else k.openapi_input(f, schema)
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

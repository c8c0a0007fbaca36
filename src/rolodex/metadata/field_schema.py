"""A field's JSON Schema: what the API reads and writes, as precisely as JSON Schema says it.

``field_schema`` is the one source for the OpenAPI document (``api/rest``)
and the webhook catalogue (``webhooks/catalogue.py``).

``kind(f).json_schema`` gives a field's type; the kinds' ``validate`` methods
(metadata/scalar_types.py, doc_types.py) refuse more than the type: NUL
characters, over-long text, phone numbers and links of the wrong form, empty
tags, numbers out of range. These are declared here so that a request the
document allows is one the server accepts.
"""

from __future__ import annotations

from typing import Any

from rolodex.metadata.doc_types import ArrayKind
from rolodex.metadata.model import FieldDef, FieldType
from rolodex.metadata.scalar_types import MAX_SAFE_INT, MAX_TEXT
from rolodex.metadata.types import kind

Schema = dict[str, Any]

NO_NUL = "^[^\\x00]*$"
# Python's whitespace (what str.strip and re's \s take), which ECMA 262's \s is not.
_NOT = (
    "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a"
    "\\u2028\\u2029\\u202f\\u205f\\u3000"
)
WS = f"[{_NOT}]"
# scalar_types._PHONE, spelt without inline flags (JSON Schema patterns are ECMA 262).
PHONE = (
    "^\\s*(?:\\+?[0-9 ()\\-./]*[0-9][0-9 ()\\-./]*"
    "(?:\\s*(?:[xX]|[eE][xX][tT]\\.?)\\s*[0-9]+)?)?\\s*$"
)
# The email check: one @, a dot in the domain, none of the characters below.
_E = f'[^@<>(),;:"\\x00{_NOT}]+'
EMAIL = f"^{WS}*{_E}@{_E}\\.{_E}{WS}*$"
LINK = f"^{WS}*[^\\x00{_NOT}]*\\.[^\\x00{_NOT}]*{WS}*$"
_TAG = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\x00]*\\S[^\\x00]*$"}


def output_schema(f: FieldDef, schema: Schema) -> Schema:
    """``schema`` as values are stored: emails and links as checked, not as RFCs define them."""
    if f.type in (FieldType.EMAIL, FieldType.LINK):
        out = dict(schema)
        out.pop("format", None)
        return out
    return schema


def input_schema(f: FieldDef, schema: Schema) -> Schema:
    """``schema`` (the field's type) narrowed to what ``validate`` accepts."""
    out = dict(schema)
    t = f.type
    if t in (FieldType.TEXT, FieldType.EMAIL, FieldType.PHONE, FieldType.LINK):
        out.update(maxLength=MAX_TEXT, pattern=NO_NUL)
        if t is FieldType.EMAIL:
            out.pop("format", None)  # the server's rule, not RFC 5322's
            out.update(maxLength=320, pattern=EMAIL)
        elif t is FieldType.PHONE:
            out.update(maxLength=64, pattern=PHONE)
        elif t is FieldType.LINK:
            out.pop("format", None)
            out.update(maxLength=2048, pattern=LINK)
    elif t is FieldType.NUMBER:
        lo, hi = f.settings.get("min"), f.settings.get("max", MAX_SAFE_INT)
        out["minimum"] = -MAX_SAFE_INT if lo is None else lo
        out["maximum"] = hi
    elif t is FieldType.ARRAY:
        out["maxItems"] = ArrayKind.max_items
        out["items"] = {**_TAG, **out.get("items", {})}
    elif t is FieldType.MULTI_SELECT:
        out["maxItems"] = ArrayKind.max_items
    elif t is FieldType.CURRENCY:
        props = dict(out.get("properties", {}))
        props["currencyCode"] = {"type": ["string", "null"], "pattern": "^[A-Z]{3}$"}
        out.update(properties=props, additionalProperties=False)
    return out


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
    schema = output_schema(f, schema) if output else input_schema(f, schema)
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

"""The base of composite types: a value is an object of named sub-fields.

A composite value (``{"primaryEmail": ..., "additionalEmails": [...]}``) is
kept as one JSON document, in a JSON column for a standard field or inside
the record's ``custom`` document for a custom one. Each sub-field has a form
(text, e-mail, URL, number, list) that checks it; scalar sub-fields can be
filtered on (``address.addressCity[eq]:Paris``), and the ``primary`` one
orders the field. Written values are complete: keys not sent are empty.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import (
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLString,
)

from rolodex.kit.errors import ValidationError
from rolodex.kit.show import shown
from rolodex.metadata.custom_sql import CustomPart
from rolodex.metadata.fieldtypes.base import Coercer, Schema, js_number
from rolodex.metadata.fieldtypes.graphql import JSON
from rolodex.metadata.fieldtypes.json import JsonDocKind, js_json
from rolodex.metadata.fieldtypes.text import _EMAIL, _PHONE, MAX_TEXT
from rolodex.metadata.model import FieldDef, FieldType

# A sub-field's check: the stored value (None for empty), or a ValidationError message.
Check = Callable[[Any], Any]


class _Bad(Exception):
    """A sub-field's value is refused: what it must be."""


def text(value: Any) -> str | None:
    if not isinstance(value, str):
        raise _Bad("a string")
    if "\x00" in value or len(value) > MAX_TEXT:
        raise _Bad(f"a string without NUL characters, at most {MAX_TEXT} long")
    return value


def email(value: Any) -> str | None:
    out = text(value)
    out = out.strip() if out else out
    if not out:
        return None
    if len(out) > 320 or not _EMAIL.match(out):
        raise _Bad("an email address")
    return out


def phone(value: Any) -> str | None:
    out = text(value)
    out = out.strip() if out else out
    if not out:
        return None
    if len(out) > 64 or not _PHONE.match(out):
        raise _Bad("a phone number such as +1-555-0123")
    return out


def url(value: Any) -> str | None:
    out = text(value)
    out = out.strip() if out else out
    if not out:
        return None
    if len(out) > 2048 or any(c.isspace() for c in out) or "." not in out:
        raise _Bad("a URL such as https://example.com")
    return out


def number(lo: float, hi: float) -> Check:
    def check(value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise _Bad("a number")
        if not math.isfinite(value) or not lo <= value <= hi:
            raise _Bad(f"a number from {js_number(lo)} to {js_number(hi)}")
        return js_number(value)

    return check


def list_of(item: Check, what: str) -> Check:
    def check(value: Any) -> Any:
        if not isinstance(value, list) or len(value) > 100:
            raise _Bad(f"a list (at most 100) of {what}")
        out = [item(v) for v in value]
        return [v for v in out if v is not None]

    return check


def record_of(fields: dict[str, Check], what: str) -> Check:
    """An item of a list of objects (``{"url", "label"}``)."""

    def check(value: Any) -> Any:
        if not isinstance(value, dict) or set(value) - set(fields) - {"__typename"}:
            raise _Bad(what)
        out = {k: None if value.get(k) is None else c(value[k]) for k, c in fields.items()}
        return out if any(v is not None for v in out.values()) else None

    return check


@dataclass(frozen=True, slots=True)
class Sub:
    """One sub-field: its check, how SQL reads it (``text``, ``float``; None: not
    filterable), its JSON Schema and an example."""

    check: Check
    cast: str | None
    schema: Schema
    example: Any


def text_sub(example: str, check: Check = text) -> Sub:
    return Sub(check, "text", {"type": ["string", "null"]}, example)


def number_sub(lo: float, hi: float, example: float) -> Sub:
    return Sub(number(lo, hi), "float", {"type": ["number", "null"]}, example)


def list_sub(check: Check, items: Schema, example: Any) -> Sub:
    return Sub(check, None, {"type": ["array", "null"], "items": items}, example)


class CompositeKind(JsonDocKind):
    """A type whose value is an object of ``subs``; subclasses name them and the
    GraphQL types. Filterable by its scalar sub-fields, orderable by ``primary``."""

    subs: dict[str, Sub]
    primary: str
    graphql_name: str  # FullName, Emails, ...
    custom = True
    orderable = True
    graphql_filter: tuple[str, Any] = ("CompositeFilter", None)

    # -- input --------------------------------------------------------------
    def validate(self, f: FieldDef, value: Any) -> Any:
        if not isinstance(value, dict):
            raise ValidationError(
                f"{f.name} must be an object with {', '.join(self.subs)}, got {shown(value)}",
                field=f.name,
            )
        unknown = set(value) - set(self.subs) - {"__typename"}
        if unknown:
            raise ValidationError(
                f"{f.name} has no sub-field {sorted(unknown)[0]!r}; "
                f"its sub-fields are {', '.join(self.subs)}",
                field=f.name,
            )
        out: dict[str, Any] = {}
        for key, sub in self.subs.items():
            v = value.get(key)
            if v is None:
                out[key] = [] if sub.cast is None else None
                continue
            try:
                out[key] = sub.check(v)
            except _Bad as exc:
                raise ValidationError(
                    f"{f.name}.{key} must be {exc}, got {shown(v)}", field=f"{f.name}.{key}"
                ) from None
        return self.normalise(f, out)

    def normalise(self, f: FieldDef, value: dict[str, Any]) -> Any:
        """A checked value as stored; types with rules across sub-fields override it."""
        return js_json(value, f.name)

    def coercer(self, f: FieldDef) -> Coercer:
        validate = self.validate

        def coerce(value: Any) -> Any:
            return validate(f, value)

        return coerce

    def from_string(self, f: FieldDef, text_value: str) -> Any:
        # Text for a composite field is JSON, or its primary sub-field (a CSV cell).
        stripped = text_value.strip()
        if stripped.startswith("{"):
            return super().from_string(f, stripped)
        return self.validate(f, {self.primary: stripped} if stripped else {})

    # -- sub-fields in SQL --------------------------------------------------
    def part_cast(self, part: str) -> str | None:
        """How SQL reads sub-field ``part`` (text, float), or None: not filterable."""
        sub = self.subs.get(part)
        return None if sub is None else sub.cast

    def part_expr(self, table: Any, f: FieldDef, part: str) -> Any:
        cast = self.part_cast(part) or "text"
        if f.column is not None:
            item = table.c[f.column][part]
            return item.as_float() if cast == "float" else item.as_string()
        return CustomPart(f.name, part, cast)

    def order_expr(self, table: Any, f: FieldDef) -> Any:
        return self.part_expr(table, f, self.primary)

    def order_value(self, value: Any) -> Any:
        return value.get(self.primary) if isinstance(value, dict) else value

    def cursor_value(self, f: FieldDef, value: Any) -> Any:
        if value is None or isinstance(value, str | int | float):
            return value
        raise ValidationError("not a cursor value", field=f.name)

    # -- description --------------------------------------------------------
    def json_schema(self, f: FieldDef) -> Schema:
        return {
            "type": "object",
            "properties": {k: dict(s.schema) for k, s in self.subs.items()},
        }

    def openapi_input(self, f: FieldDef, schema: Schema) -> Schema:
        return {**schema, "additionalProperties": False}

    def graphql_output(self, f: FieldDef) -> Any:
        return _graphql_types(self)[0]

    def graphql_input(self, f: FieldDef) -> Any:
        return _graphql_types(self)[1]

    def filter_parts(self) -> dict[str, str]:
        """The filterable sub-fields and the scalar type they filter as (TEXT, NUMBER)."""
        return {
            k: ("NUMBER" if s.cast == "float" else "TEXT")
            for k, s in self.subs.items()
            if s.cast is not None
        }

    def example(self, f: FieldDef) -> Any:
        return {k: s.example for k, s in self.subs.items()}


_GRAPHQL: dict[str, tuple[GraphQLObjectType, GraphQLInputObjectType]] = {}


def _graphql_types(k: CompositeKind) -> tuple[GraphQLObjectType, GraphQLInputObjectType]:
    """The output and input types of a composite type, made once per type name."""
    made = _GRAPHQL.get(k.graphql_name)
    if made is None:

        def scalar(s: Sub) -> Any:
            return {"text": GraphQLString, "float": GraphQLFloat}.get(s.cast or "", JSON)

        out = GraphQLObjectType(
            k.graphql_name, {n: GraphQLField(scalar(s)) for n, s in k.subs.items()}
        )
        inp = GraphQLInputObjectType(
            f"{k.graphql_name}Input", {n: GraphQLInputField(scalar(s)) for n, s in k.subs.items()}
        )
        made = _GRAPHQL[k.graphql_name] = (out, inp)
    return made


__all__ = ["CompositeKind", "FieldType", "Sub", "email", "phone", "url"]

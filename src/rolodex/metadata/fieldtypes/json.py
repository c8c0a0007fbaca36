"""JSON (any JSON value) and the base of the types kept as JSON documents."""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from rolodex.kit.errors import ValidationError
from rolodex.metadata.fieldtypes.base import FieldKind, Schema, bad, js_number
from rolodex.metadata.fieldtypes.graphql import JSON
from rolodex.metadata.model import FieldDef, FieldType


def js_json(value: Any, field: str | None = None) -> Any:
    """A JSON value normalised so JavaScript's JSON.stringify writes it back unchanged.

    Refused: NUL characters in strings and keys (PostgreSQL's JSON cannot hold
    them), numbers that are not finite, and integers beyond 64 bits (no JSON
    encoder here writes them).
    """
    where = f"{field}: " if field else ""
    if isinstance(value, str):
        if "\x00" in value:
            raise ValidationError(
                f"{where}JSON strings must not contain NUL characters", field=field
            )
        return value
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        if not -(2**63) <= value < 2**63:
            raise ValidationError(f"{where}JSON integers must fit in 64 bits", field=field)
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValidationError(f"{where}JSON numbers must be finite", field=field)
        return js_number(value)
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            key = str(k)
            if "\x00" in key:
                raise ValidationError(
                    f"{where}JSON keys must not contain NUL characters", field=field
                )
            out[key] = js_json(v, field)
        return out
    if isinstance(value, list):
        return [js_json(v, field) for v in value]
    return value


class JsonDocKind(FieldKind):
    """Types whose values are JSON documents: lists and objects. Not orderable."""

    json_stored = True
    ops = frozenset({"is"})
    orderable = False
    text_literal = False
    cast = "json"
    settings_rules: dict[str, Any] = {}
    graphql_filter = ("NullFilter", JSON)

    def sql_type(self, f: FieldDef) -> Any:
        return sa.JSON().with_variant(pg.JSONB(), "postgresql")

    def from_db(self, value: Any, sqlite: bool) -> Any:
        if sqlite and isinstance(value, str):
            from rolodex.kit.jsonutil import loads

            return loads(value)
        return value

    def from_string(self, f: FieldDef, text: str) -> Any:
        from rolodex.kit.jsonutil import loads

        try:
            return self.validate(f, loads(text))
        except ValueError:
            raise bad(f, "JSON", text) from None

    def json_schema(self, f: FieldDef) -> Schema:
        return {}

    def graphql_output(self, f: FieldDef) -> Any:
        return JSON


class JsonKind(JsonDocKind):
    type = FieldType.JSON
    custom = True

    def validate(self, f: FieldDef, value: Any) -> Any:
        return js_json(value, f.name)

    def example(self, f: FieldDef) -> Any:
        return {}

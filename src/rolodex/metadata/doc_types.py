"""Field types whose values are JSON documents: lists, objects and free JSON."""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql as pg

from rolodex.kit.errors import ValidationError
from rolodex.kit.show import shown
from rolodex.metadata.custom_sql import CustomValue
from rolodex.metadata.model import FieldDef, FieldType
from rolodex.metadata.scalar_types import (
    _CURRENCY,
    LIST_OPS,
    Kind,
    _bad,
    js_number,
)


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


class JsonDocKind(Kind):
    """Types whose values are JSON documents: lists and objects."""

    json_stored = True
    ops = frozenset({"is"})

    def sql_type(self, f: FieldDef) -> Any:
        return sa.JSON().with_variant(pg.JSONB(), "postgresql")

    def from_db(self, value: Any, sqlite: bool) -> Any:
        if sqlite and isinstance(value, str):
            from rolodex.kit.jsonutil import loads

            return loads(value)
        return value

    def expr(self, table: sa.Table, f: FieldDef) -> Any:
        if f.column is not None:
            return table.c[f.column]
        return CustomValue(f.name, "json")

    def from_string(self, f: FieldDef, text: str) -> Any:
        from rolodex.kit.jsonutil import loads

        try:
            return self.validate(f, loads(text))
        except ValueError:
            raise _bad(f, "JSON", text) from None

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {}


class JsonKind(JsonDocKind):
    type = FieldType.JSON

    def validate(self, f: FieldDef, value: Any) -> Any:
        return js_json(value, f.name)


class ArrayKind(JsonDocKind):
    """A list of short strings, such as tags."""

    type = FieldType.ARRAY
    ops = LIST_OPS
    max_items = 100

    def validate(self, f: FieldDef, value: Any) -> Any:
        # A lone string is refused, not wrapped: "a, b" would become one tag, and
        # a client sending a string has a bug worth hearing about. Text input
        # (CSV cells, REST filters) goes through ``from_string``, which splits.
        if isinstance(value, str):
            raise _bad(f, "a list of strings (not a single string)", value)
        if not isinstance(value, list) or len(value) > self.max_items:
            raise _bad(f, f"a list of at most {self.max_items} strings", value)
        seen: dict[str, None] = {}
        for item in value:
            if not isinstance(item, str) or not item.strip() or len(item) > 200 or "\x00" in item:
                raise _bad(f, "a list of non-empty strings", value)
            seen.setdefault(self.check_item(f, item.strip()), None)
        return list(seen)

    def check_item(self, f: FieldDef, item: str) -> str:
        return item

    def from_string(self, f: FieldDef, text: str) -> Any:
        if text.lstrip().startswith("["):
            return super().from_string(f, text)
        return self.validate(f, [p for p in (s.strip() for s in text.split(",")) if p])

    def filter_value(self, f: FieldDef, value: Any) -> Any:
        if not isinstance(value, str):
            raise _bad(f, "a string", value)
        if "\x00" in value:
            raise ValidationError(f"{f.name} filters must not contain NUL characters", field=f.name)
        return value

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string"}}


class MultiSelectKind(ArrayKind):
    type = FieldType.MULTI_SELECT

    def check_item(self, f: FieldDef, item: str) -> str:
        if item not in f.option_values:
            raise ValidationError(
                f"{f.name} values must be among {', '.join(f.option_values)}; got {shown(item)}",
                field=f.name,
                allowed=list(f.option_values),
            )
        return item

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {"type": "array", "items": {"type": "string", "enum": list(f.option_values)}}


class CurrencyKind(JsonDocKind):
    type = FieldType.CURRENCY

    def validate(self, f: FieldDef, value: Any) -> Any:
        if not isinstance(value, dict) or set(value) - {"amount", "currencyCode"}:
            raise _bad(f, 'an object {"amount": 12.5, "currencyCode": "EUR"}', value)
        amount, code = value.get("amount"), value.get("currencyCode")
        if amount is not None and (
            isinstance(amount, bool)
            or not isinstance(amount, int | float)
            or not math.isfinite(amount)
        ):
            raise _bad(f, "an object whose amount is a number", value)
        if code is not None and (not isinstance(code, str) or not _CURRENCY.match(code)):
            raise _bad(f, "an object whose currencyCode is an ISO 4217 code", value)
        return {"amount": None if amount is None else js_number(amount), "currencyCode": code}

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "amount": {"type": ["number", "null"]},
                "currencyCode": {"type": ["string", "null"]},
            },
        }


class ActorKind(JsonDocKind):
    """Who made a change: an API key, a member, an import or the system."""

    type = FieldType.ACTOR

    def validate(self, f: FieldDef, value: Any) -> Any:
        raise ValidationError(f"{f.name} is set by Rolodex and cannot be written", field=f.name)

    def json_schema(self, f: FieldDef) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {
                "type": {"type": "string", "enum": ["apiKey", "member", "import", "system"]},
                "id": {"type": ["string", "null"]},
                "name": {"type": ["string", "null"]},
            },
        }

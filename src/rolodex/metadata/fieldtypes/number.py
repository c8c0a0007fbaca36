"""NUMBER (integers with ``decimals: 0``) and RATING (a whole number from 1 to ``max``)."""

from __future__ import annotations

import math
from typing import Any

import sqlalchemy as sa
from graphql import GraphQLFloat, GraphQLInt

from rolodex.kit.errors import ValidationError
from rolodex.metadata.fieldtypes.base import (
    COMPARE,
    MAX_SAFE_INT,
    Coercer,
    FieldKind,
    Schema,
    bad,
    js_number,
)
from rolodex.metadata.model import FieldDef, FieldType


def _parse(f: FieldDef, text: str) -> float | int:
    try:
        return int(text.strip())
    except ValueError:
        try:
            return float(text.strip())
        except ValueError:
            raise bad(f, "a number", text) from None


class NumberKind(FieldKind):
    type = FieldType.NUMBER
    ops = COMPARE
    orderable = True
    custom = True
    text_literal = False
    cast = "float"
    settings_rules = {
        "decimals": lambda v: v in range(0, 9),
        "min": lambda v: isinstance(v, int | float),
        "max": lambda v: isinstance(v, int | float),
    }
    graphql_filter = ("NumberFilter", GraphQLFloat)

    def _integer(self, f: FieldDef) -> bool:
        return f.settings.get("decimals") == 0

    def validate(self, f: FieldDef, value: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad(f, "a number", value)
        if isinstance(value, float) and not math.isfinite(value):
            raise bad(f, "a finite number", value)
        value = js_number(value)
        if self._integer(f) and not isinstance(value, int):
            raise bad(f, "a whole number", value)
        lo, hi = f.settings.get("min"), f.settings.get("max", MAX_SAFE_INT)
        if lo is not None and value < lo:
            raise ValidationError(f"{f.name} must be at least {lo}", field=f.name)
        if hi is not None and value > hi:
            raise ValidationError(f"{f.name} must be at most {hi}", field=f.name)
        if value < -MAX_SAFE_INT:
            raise ValidationError(f"{f.name} is out of range", field=f.name)
        return value

    def coercer(self, f: FieldDef) -> Coercer:
        if type(self) is not NumberKind:
            return super().coercer(f)
        validate = self.validate
        lo = f.settings.get("min")
        lo = -MAX_SAFE_INT if lo is None else max(lo, -MAX_SAFE_INT)
        hi = f.settings.get("max", MAX_SAFE_INT)
        if hi is None:
            return super().coercer(f)

        def coerce(value: Any) -> Any:
            # A plain int within bounds is stored as given; the rest take the full check.
            if type(value) is int and lo <= value <= hi:
                return value
            return validate(f, value)

        return coerce

    def from_string(self, f: FieldDef, text: str) -> Any:
        return self.validate(f, _parse(f, text))

    def filter_value(self, f: FieldDef, value: Any) -> Any:
        # A filter compares; it need not be a value the field accepts (employees > -1).
        if isinstance(value, str):
            value = _parse(f, value)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad(f, "a number", value)
        if isinstance(value, float) and not math.isfinite(value):
            raise bad(f, "a finite number", value)
        if abs(value) > MAX_SAFE_INT:
            raise ValidationError(f"{f.name} filter value is out of range", field=f.name)
        return js_number(value)

    def sql_type(self, f: FieldDef) -> Any:
        return sa.Integer() if self._integer(f) else sa.Float()

    def from_db(self, value: Any, sqlite: bool) -> Any:
        return js_number(value) if isinstance(value, float) else value

    def json_schema(self, f: FieldDef) -> Schema:
        return {"type": "integer" if self._integer(f) else "number"}

    def openapi_input(self, f: FieldDef, schema: Schema) -> Schema:
        lo, hi = f.settings.get("min"), f.settings.get("max", MAX_SAFE_INT)
        return {**schema, "minimum": -MAX_SAFE_INT if lo is None else lo, "maximum": hi}

    def graphql_output(self, f: FieldDef) -> Any:
        return GraphQLInt if self._integer(f) else GraphQLFloat

    def example(self, f: FieldDef) -> Any:
        return 42


class RatingKind(NumberKind):
    type = FieldType.RATING
    settings_rules = {"max": lambda v: v in range(1, 11)}

    def validate(self, f: FieldDef, value: Any) -> Any:
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value != int(value)
        ):
            raise bad(f, "a whole number from 1 to 5", value)
        if not 1 <= value <= int(f.settings.get("max", 5)):
            raise bad(f, f"a whole number from 1 to {f.settings.get('max', 5)}", value)
        return int(value)

    def coercer(self, f: FieldDef) -> Coercer:
        validate = self.validate
        top = int(f.settings.get("max", 5))

        def coerce(value: Any) -> Any:
            if type(value) is int and 1 <= value <= top:
                return value
            return validate(f, value)

        return coerce

    def openapi_input(self, f: FieldDef, schema: Schema) -> Schema:
        return dict(schema)

    def json_schema(self, f: FieldDef) -> Schema:
        return {"type": "integer", "minimum": 1, "maximum": int(f.settings.get("max", 5))}

    def graphql_output(self, f: FieldDef) -> Any:
        return GraphQLInt

    def example(self, f: FieldDef) -> Any:
        return 3

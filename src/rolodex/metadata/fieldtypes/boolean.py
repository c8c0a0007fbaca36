"""BOOLEAN: true or false (``yes``/``no``, ``1``/``0``, ... as text)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from graphql import GraphQLBoolean

from rolodex.metadata.fieldtypes.base import Coercer, FieldKind, Schema, bad
from rolodex.metadata.model import FieldDef, FieldType


class BooleanKind(FieldKind):
    type = FieldType.BOOLEAN
    ops = frozenset({"eq", "neq", "is"})
    orderable = True
    custom = True
    text_literal = False
    cast = "boolean"
    settings_rules: dict[str, Any] = {}
    graphql_filter = ("BooleanFilter", GraphQLBoolean)
    _TRUE = frozenset({"true", "t", "yes", "y", "1"})
    _FALSE = frozenset({"false", "f", "no", "n", "0"})

    def validate(self, f: FieldDef, value: Any) -> Any:
        if not isinstance(value, bool):
            raise bad(f, "true or false", value)
        return value

    def coercer(self, f: FieldDef) -> Coercer:
        def coerce(value: Any) -> Any:
            if value is True or value is False:
                return value
            raise bad(f, "true or false", value)

        return coerce

    def from_string(self, f: FieldDef, text: str) -> Any:
        low = text.strip().lower()
        if low in self._TRUE:
            return True
        if low in self._FALSE:
            return False
        raise bad(f, "true or false", text)

    def sql_type(self, f: FieldDef) -> Any:
        return sa.Boolean()

    def from_db(self, value: Any, sqlite: bool) -> Any:
        return None if value is None else bool(value)

    def json_schema(self, f: FieldDef) -> Schema:
        return {"type": "boolean"}

    def graphql_output(self, f: FieldDef) -> Any:
        return GraphQLBoolean

    def example(self, f: FieldDef) -> Any:
        return True

"""SELECT: one of the field's options."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLString

from rolodex.kit.errors import ValidationError
from rolodex.kit.show import shown
from rolodex.metadata.fieldtypes.base import EQUALITY, Coercer, FieldKind, Schema
from rolodex.metadata.model import FieldDef, FieldType


class SelectKind(FieldKind):
    type = FieldType.SELECT
    ops = EQUALITY
    orderable = True
    custom = True
    text_literal = True
    cast = "text"
    settings_rules: dict[str, Any] = {}
    graphql_filter = ("SelectFilter", GraphQLString)
    has_options = True

    def validate(self, f: FieldDef, value: Any) -> Any:
        allowed = f.option_values
        if not isinstance(value, str) or value not in allowed:
            raise ValidationError(
                f"{f.name} must be one of {', '.join(allowed)}; got {shown(value)}",
                field=f.name,
                allowed=list(allowed),
            )
        return value

    def coercer(self, f: FieldDef) -> Coercer:
        allowed = frozenset(f.option_values)
        validate = self.validate

        def coerce(value: Any) -> Any:
            if type(value) is str and value in allowed:
                return value
            return validate(f, value)

        return coerce

    def json_schema(self, f: FieldDef) -> Schema:
        return {"type": "string", "enum": list(f.option_values)}

    def graphql_output(self, f: FieldDef) -> Any:
        return GraphQLString

    def example(self, f: FieldDef) -> Any:
        if f.default is not None:
            return f.default
        return f.option_values[0] if f.options else None

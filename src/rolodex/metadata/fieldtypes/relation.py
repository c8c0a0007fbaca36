"""RELATION: a link to records of another object, not a stored value.

A to-one relation stores its target's id in a UUID field (``companyId``); the
relation field itself (``company``) and its inverse list are read through joins.
"""

from __future__ import annotations

from typing import Any

from rolodex.kit.errors import ValidationError
from rolodex.metadata.fieldtypes.base import FieldKind, Schema
from rolodex.metadata.model import FieldDef, FieldType


class RelationKind(FieldKind):
    type = FieldType.RELATION
    ops: frozenset[str] = frozenset()
    orderable = False
    custom = True
    text_literal = False
    cast = "text"
    settings_rules: dict[str, Any] = {}
    graphql_filter = None

    def validate(self, f: FieldDef, value: Any) -> Any:
        assert f.relation is not None
        raise ValidationError(
            f"{f.name} is a relation; set {f.relation.join_field} instead", field=f.name
        )

    def json_schema(self, f: FieldDef) -> Schema:
        return {"type": "string"}

    def graphql_output(self, f: FieldDef) -> Any:
        return None  # the schema builder gives relations their object types

    def example(self, f: FieldDef) -> Any:
        return None

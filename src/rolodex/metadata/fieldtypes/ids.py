"""UUID: record ids and the ids relations are joined on."""

from __future__ import annotations

import uuid
from typing import Any

import sqlalchemy as sa
from graphql import GraphQLID

from rolodex.kit.ids import parse_uuid
from rolodex.metadata.fieldtypes.base import EQUALITY, FieldKind, Schema
from rolodex.metadata.model import FieldDef, FieldType


class UuidKind(FieldKind):
    type = FieldType.UUID
    ops = EQUALITY
    orderable = True
    custom = False  # only as a relation's id field
    text_literal = False
    cast = "text"
    settings_rules: dict[str, Any] = {}
    graphql_filter = ("IDFilter", GraphQLID)

    def validate(self, f: FieldDef, value: Any) -> Any:
        return parse_uuid(value, field=f.name)

    def sql_type(self, f: FieldDef) -> Any:
        return sa.Uuid().with_variant(sa.String(36), "sqlite")

    def from_db(self, value: Any, sqlite: bool) -> Any:
        return str(value) if isinstance(value, uuid.UUID) else value

    def to_json(self, value: Any) -> Any:
        return str(value)

    def json_schema(self, f: FieldDef) -> Schema:
        return {"type": "string", "format": "uuid"}

    def graphql_output(self, f: FieldDef) -> Any:
        return GraphQLID

    def example(self, f: FieldDef) -> Any:
        return None  # relation ids: the sample points at nothing

"""ARRAY (a list of short strings, such as tags) and MULTI_SELECT (a list of options)."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLString

from rolodex.kit.errors import ValidationError
from rolodex.kit.show import shown
from rolodex.metadata.fieldtypes.base import LIST_OPS, Schema, bad
from rolodex.metadata.fieldtypes.graphql import list_of
from rolodex.metadata.fieldtypes.json import JsonDocKind
from rolodex.metadata.model import FieldDef, FieldType

MAX_ITEMS = 100
_TAG = {"type": "string", "minLength": 1, "maxLength": 200, "pattern": "^[^\\x00]*\\S[^\\x00]*$"}


class ArrayKind(JsonDocKind):
    """A list of short strings, such as tags."""

    type = FieldType.ARRAY
    ops = LIST_OPS
    custom = False  # standard fields only (tags)
    graphql_filter = ("ArrayFilter", GraphQLString)
    list_valued = True
    max_items = MAX_ITEMS

    def validate(self, f: FieldDef, value: Any) -> Any:
        # A lone string is refused, not wrapped: "a, b" would become one tag, and
        # a client sending a string has a bug worth hearing about. Text input
        # (CSV cells, REST filters) goes through ``from_string``, which splits.
        if isinstance(value, str):
            raise bad(f, "a list of strings (not a single string)", value)
        if not isinstance(value, list) or len(value) > self.max_items:
            raise bad(f, f"a list of at most {self.max_items} strings", value)
        seen: dict[str, None] = {}
        for item in value:
            if not isinstance(item, str) or not item.strip() or len(item) > 200 or "\x00" in item:
                raise bad(f, "a list of non-empty strings", value)
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
            raise bad(f, "a string", value)
        if "\x00" in value:
            raise ValidationError(f"{f.name} filters must not contain NUL characters", field=f.name)
        return value

    def json_schema(self, f: FieldDef) -> Schema:
        return {"type": "array", "items": {"type": "string"}}

    def openapi_input(self, f: FieldDef, schema: Schema) -> Schema:
        return {**schema, "maxItems": self.max_items, "items": {**_TAG, **schema.get("items", {})}}

    def graphql_output(self, f: FieldDef) -> Any:
        return list_of(GraphQLString)

    def example(self, f: FieldDef) -> Any:
        return ["sample"]


class MultiSelectKind(ArrayKind):
    type = FieldType.MULTI_SELECT
    custom = True
    has_options = True

    def check_item(self, f: FieldDef, item: str) -> str:
        if item not in f.option_values:
            raise ValidationError(
                f"{f.name} values must be among {', '.join(f.option_values)}; got {shown(item)}",
                field=f.name,
                allowed=list(f.option_values),
            )
        return item

    def json_schema(self, f: FieldDef) -> Schema:
        return {"type": "array", "items": {"type": "string", "enum": list(f.option_values)}}

    def openapi_input(self, f: FieldDef, schema: Schema) -> Schema:
        return {**schema, "maxItems": self.max_items}

    def example(self, f: FieldDef) -> Any:
        return list(f.option_values[:1])

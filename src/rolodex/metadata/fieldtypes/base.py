"""The contract every field type fulfils: what the system knows about a type, in one place.

A field type is one subclass of ``FieldKind`` in its own module of this package
(or anywhere, registered with ``fieldtypes.register``). Registration checks that
the class declares every fact in ``REQUIRED`` and implements every abstract
method, so a type that lacks a fact fails at start-up instead of a consumer
silently skipping its fields.

Standard fields live in typed columns and custom fields in the record's JSON
``custom`` column; a kind gives the SQL expression for either, so filters and
ordering treat both alike.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from typing import Any

import sqlalchemy as sa

from rolodex.kit.errors import ValidationError
from rolodex.kit.show import shown
from rolodex.metadata.custom_sql import CASTS, CustomValue
from rolodex.metadata.model import FieldDef

MAX_SAFE_INT = 2**53 - 1

# Filter operators, by family.
COMPARE = frozenset({"eq", "neq", "in", "gt", "gte", "lt", "lte", "is"})
TEXT_OPS = COMPARE | {"like", "ilike", "startsWith", "contains"}
EQUALITY = frozenset({"eq", "neq", "in", "is"})
LIST_OPS = frozenset({"contains", "is"})
ALL_OPS = TEXT_OPS | LIST_OPS

Schema = dict[str, Any]
# A type's rule for one of its settings: is this value allowed?
SettingRule = Callable[[Any], bool]
# A field's input check, compiled once per field: a non-null value as stored, or a 400.
Coercer = Callable[[Any], Any]

# Facts a type must declare on its class (an inherited declaration counts).
REQUIRED: dict[str, str] = {
    "type": "the name the API writes (TEXT, NUMBER, ...)",
    "ops": "the filter operators it takes (a frozenset; empty: not filterable)",
    "orderable": "whether lists can be ordered by it",
    "custom": "whether a custom field may have this type",
    "text_literal": "whether a string given for it is the value itself (TEXT) rather "
    "than text to parse (a NUMBER's '42'), in customFields and defaults",
    "cast": "how its custom values are read out of the JSON document in SQL "
    f"({', '.join(sorted(CASTS))})",
    "settings_rules": "the settings a field of this type accepts, each with its check",
    "graphql_filter": "the GraphQL filter input's name and operand scalar, or None",
}


def bad(f: FieldDef, what: str, value: Any) -> ValidationError:
    return ValidationError(f"{f.name} must be {what}, got {shown(value)}", field=f.name)


def js_number(value: float | int) -> float | int:
    """Integral floats become ints, as JavaScript writes them (``1`` not ``1.0``)."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= MAX_SAFE_INT:
        return int(value)
    return value


def finite(value: Any) -> bool:
    return not isinstance(value, float) or math.isfinite(value)


class FieldKind(ABC):
    """One field type. Subclasses declare the ``REQUIRED`` facts and the abstract
    methods; the other methods have defaults that suit most types."""

    # Declared by every type (checked by ``check``); annotated here for readers.
    type: str
    ops: frozenset[str]
    orderable: bool
    custom: bool
    text_literal: bool
    cast: str
    settings_rules: Mapping[str, SettingRule]
    graphql_filter: tuple[str, Any] | None

    # Refinements with a default.
    json_stored = False  # values are JSON documents (lists, objects)
    has_options = False  # SELECT-like: a field needs options
    list_valued = False  # ``contains`` means "has this item"
    folds_case = False  # a unique standard column of it compares ignoring case
    parts: tuple[str, ...] = ()  # keys a filter may address (``createdBy.id``)

    # -- input ------------------------------------------------------------
    @abstractmethod
    def validate(self, f: FieldDef, value: Any) -> Any:
        """A non-null input value as stored, or a 400 naming the field."""

    def coercer(self, f: FieldDef) -> Coercer:
        """``validate`` for one field, decided once: what a batch runs per value.

        Types override it to read the field's settings once instead of per value;
        the result must accept and refuse exactly what ``validate`` does.
        """

        def coerce(value: Any) -> Any:
            return self.validate(f, value)

        return coerce

    def from_string(self, f: FieldDef, text: str) -> Any:
        """A value given as text (REST filters, CSV cells, the seed's customFields)."""
        return self.validate(f, text)

    def convert(self, f: FieldDef, value: Any) -> Any:
        """A stored value of another type as a value of this one (a PATCH of the
        field's type), or a 400: as given, else through its text."""
        from rolodex.kit.errors import RolodexError

        try:
            return self.validate(f, value)
        except RolodexError:
            if isinstance(value, str):
                return self.from_string(f, value)
            if isinstance(value, bool | int | float):
                text = str(value).lower() if isinstance(value, bool) else str(value)
                return self.from_string(f, text)
            raise

    # -- storage ----------------------------------------------------------
    def sql_type(self, f: FieldDef) -> Any:
        """The column type of a standard field of this type."""
        return sa.Text()

    def from_db(self, value: Any, sqlite: bool) -> Any:
        """A stored value (column or JSON) as the API shows it."""
        return value

    def to_json(self, value: Any) -> Any:
        """A validated value as kept inside the JSON ``custom`` column (and as JSON output)."""
        return value

    def expr(self, table: sa.Table, f: FieldDef) -> Any:
        if f.column is not None:
            return table.c[f.column]
        return CustomValue(f.name, self.cast)

    def filter_value(self, f: FieldDef, value: Any) -> Any:
        """A filter operand as a SQL parameter comparable with ``expr``."""
        parsed = self.from_string(f, value) if isinstance(value, str) else self.validate(f, value)
        return parsed if f.column is not None else self.to_json(parsed)

    # -- sub-fields and ordering --------------------------------------------
    def part_cast(self, part: str) -> str | None:
        """How SQL reads sub-field ``part`` of a value (``text``, ``float``), or None
        when the type has no such filterable sub-field (``address.addressCity``)."""
        return None

    def part_expr(self, table: sa.Table, f: FieldDef, part: str) -> Any:
        """The SQL expression of sub-field ``part`` (one ``part_cast`` names)."""
        raise NotImplementedError

    def filter_parts(self) -> dict[str, str]:
        """The filterable sub-fields and the type they filter as (TEXT, NUMBER)."""
        return {}

    def order_expr(self, table: sa.Table, f: FieldDef) -> Any:
        """What ordering by the field orders by (composites: their primary sub-field)."""
        return self.expr(table, f)

    def order_value(self, value: Any) -> Any:
        """A record's value as its cursor holds it (the ``order_expr`` of it)."""
        return value

    def cursor_value(self, f: FieldDef, value: Any) -> Any:
        """A cursor's value as a SQL parameter comparable with ``order_expr``."""
        return self.filter_value(f, value)

    # -- description ------------------------------------------------------
    @abstractmethod
    def json_schema(self, f: FieldDef) -> Schema:
        """The JSON Schema of a value (the metadata API's ``schema``, OpenAPI's base)."""

    def openapi_input(self, f: FieldDef, schema: Schema) -> Schema:
        """``schema`` narrowed to what ``validate`` accepts (the OpenAPI request body)."""
        return dict(schema)

    def openapi_output(self, f: FieldDef, schema: Schema) -> Schema:
        """``schema`` as values are stored and read back."""
        return schema

    @abstractmethod
    def graphql_output(self, f: FieldDef) -> Any:
        """The GraphQL type of a value (not wrapped in non-null), or None: not a value."""

    def graphql_input(self, f: FieldDef) -> Any:
        """The GraphQL type a client writes a value with; None when it cannot be written."""
        return self.graphql_output(f)

    @abstractmethod
    def example(self, f: FieldDef) -> Any:
        """A plausible value, for the webhook catalogue's sample events."""


def check(kind: FieldKind) -> None:
    """Refuse a type that lacks a fact (raised at registration, so at start-up)."""
    cls = type(kind)
    missing = [name for name in REQUIRED if not hasattr(cls, name)]
    if missing:
        facts = "; ".join(f"{m}: {REQUIRED[m]}" for m in missing)
        raise TypeError(f"Field type {cls.__name__} does not declare {facts}")
    if not isinstance(kind.type, str) or not kind.type.isupper():
        raise TypeError(f"Field type {cls.__name__}: type must be an upper-case name")
    if not isinstance(kind.ops, frozenset) or kind.ops - ALL_OPS:
        raise TypeError(f"Field type {kind.type}: unknown operators {sorted(kind.ops - ALL_OPS)}")
    if kind.cast not in CASTS:
        raise TypeError(f"Field type {kind.type}: cast must be one of {sorted(CASTS)}")
    if kind.ops and kind.graphql_filter is None:
        raise TypeError(f"Field type {kind.type} has filter operators but no GraphQL filter")

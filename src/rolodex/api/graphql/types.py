"""GraphQL types shared by every workspace's schema: scalars, filters, paging, metadata.

Field types map onto GraphQL here; ``schema.py`` assembles the per-object
types from the registry using these building blocks.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    GraphQLString,
    StringValueNode,
    ValueNode,
    value_from_ast_untyped,
)

from rolodex.kit import clock
from rolodex.kit.errors import ValidationError
from rolodex.metadata.model import FieldDef, FieldType
from rolodex.metadata.types import kind
from rolodex.records.query import Direction


def _nn(t: Any) -> Any:
    return GraphQLNonNull(t)


def _list_of(t: Any) -> Any:
    return GraphQLList(GraphQLNonNull(t))


# -- scalars ------------------------------------------------------------------
def _instant_in(value: Any) -> str:
    """A DateTime input stays the client's ISO string; the record layer stores it."""
    if not isinstance(value, str):
        raise GraphQLError("DateTime must be an ISO 8601 string such as 2025-10-31T10:30:45Z")
    try:
        clock.parse_datetime(value, field="DateTime")
    except ValidationError as exc:
        raise GraphQLError(exc.message) from None
    return value


def _date_in(value: Any) -> str:
    if not isinstance(value, str):
        raise GraphQLError("Date must be a string such as 2025-10-31")
    try:
        clock.parse_date(value, field="Date")
    except ValidationError as exc:
        raise GraphQLError(exc.message) from None
    return value


def _literal(parse: Any) -> Any:
    def parse_literal(node: ValueNode, _variables: Any = None) -> Any:
        if not isinstance(node, StringValueNode):
            raise GraphQLError("Expected a string literal")
        return parse(node.value)

    return parse_literal


def _instant_out(value: Any) -> str:
    return clock.iso(value) if isinstance(value, datetime) else str(value)


def _date_out(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


DateTime = GraphQLScalarType(
    "DateTime",
    description="An instant as an ISO 8601 string, written back as 2025-10-31T10:30:45.000Z.",
    serialize=_instant_out,
    parse_value=_instant_in,
    parse_literal=_literal(_instant_in),
)

Date = GraphQLScalarType(
    "Date",
    description="A calendar date as an ISO 8601 string: 2025-10-31.",
    serialize=_date_out,
    parse_value=_date_in,
    parse_literal=_literal(_date_in),
)


def _same(value: Any) -> Any:
    return value


def _json_literal(node: ValueNode, variables: Any = None) -> Any:
    return value_from_ast_untyped(node, variables)


JSON = GraphQLScalarType(
    "JSON",
    description="Any JSON value.",
    serialize=_same,
    parse_value=_same,
    parse_literal=_json_literal,
)

# -- shared object types -------------------------------------------------------
PageInfo = GraphQLObjectType(
    "PageInfo",
    {
        "hasNextPage": GraphQLField(_nn(GraphQLBoolean)),
        "hasPreviousPage": GraphQLField(_nn(GraphQLBoolean)),
        "startCursor": GraphQLField(GraphQLString),
        "endCursor": GraphQLField(GraphQLString),
    },
)

DeleteResult = GraphQLObjectType(
    "DeleteResult",
    {"success": GraphQLField(_nn(GraphQLBoolean)), "id": GraphQLField(_nn(GraphQLID))},
    description="The outcome of a delete mutation.",
)

CustomFieldValue = GraphQLObjectType(
    "CustomFieldValue",
    {
        "fieldId": GraphQLField(_nn(GraphQLString), description="The custom field's name."),
        "value": GraphQLField(JSON),
    },
)

CustomFieldInput = GraphQLInputObjectType(
    "CustomFieldInput",
    {
        "fieldId": GraphQLInputField(
            _nn(GraphQLString), description="The custom field's name or id."
        ),
        "value": GraphQLInputField(JSON),
    },
)

Actor = GraphQLObjectType(
    "Actor",
    {
        "type": GraphQLField(_nn(GraphQLString)),
        "id": GraphQLField(GraphQLString),
        "name": GraphQLField(GraphQLString),
    },
    description="Who made a change: an API key, a member, an import or the system.",
)

Currency = GraphQLObjectType(
    "Currency",
    {"amount": GraphQLField(GraphQLFloat), "currencyCode": GraphQLField(GraphQLString)},
)

CurrencyInput = GraphQLInputObjectType(
    "CurrencyInput",
    {"amount": GraphQLInputField(GraphQLFloat), "currencyCode": GraphQLInputField(GraphQLString)},
)

# -- ordering and filters ------------------------------------------------------
OrderByDirection = GraphQLEnumType(
    "OrderByDirection",
    {
        "ASC": GraphQLEnumValue(Direction.ASC_NULLS_FIRST, description="AscNullsFirst"),
        "DESC": GraphQLEnumValue(Direction.DESC_NULLS_LAST, description="DescNullsLast"),
        **{d.value: GraphQLEnumValue(d) for d in Direction},
    },
)

FilterIs = GraphQLEnumType(
    "FilterIs",
    {"NULL": GraphQLEnumValue("NULL"), "NOT_NULL": GraphQLEnumValue("NOT_NULL")},
)

_T = FieldType
# Filter input name and operand scalar per field type; the operators come from the kind.
_FILTERS: dict[FieldType, tuple[str, GraphQLScalarType]] = {
    _T.UUID: ("IDFilter", GraphQLID),
    _T.TEXT: ("StringFilter", GraphQLString),
    _T.EMAIL: ("StringFilter", GraphQLString),
    _T.PHONE: ("StringFilter", GraphQLString),
    _T.LINK: ("StringFilter", GraphQLString),
    _T.NUMBER: ("NumberFilter", GraphQLFloat),
    _T.RATING: ("NumberFilter", GraphQLFloat),
    _T.BOOLEAN: ("BooleanFilter", GraphQLBoolean),
    _T.DATE_TIME: ("DateTimeFilter", DateTime),
    _T.DATE: ("DateFilter", Date),
    _T.SELECT: ("SelectFilter", GraphQLString),
    _T.ARRAY: ("ArrayFilter", GraphQLString),
    _T.MULTI_SELECT: ("ArrayFilter", GraphQLString),
    _T.JSON: ("NullFilter", JSON),
    _T.CURRENCY: ("NullFilter", JSON),
    _T.ACTOR: ("NullFilter", JSON),
}
_filter_types: dict[str, GraphQLInputObjectType] = {}


def filter_type(f: FieldDef) -> GraphQLInputObjectType | None:
    """The operator input for ``f`` (StringFilter, ...), or None when it cannot be filtered."""
    spec = _FILTERS.get(f.type)
    ops = kind(f).ops
    if spec is None or not ops:
        return None
    name, scalar = spec
    existing = _filter_types.get(name)
    if existing is not None:
        return existing

    def operand(op: str) -> GraphQLInputType:
        if op == "is":
            return FilterIs
        if op == "in":
            return _list_of(scalar)
        return scalar

    made = GraphQLInputObjectType(name, {op: GraphQLInputField(operand(op)) for op in sorted(ops)})
    _filter_types[name] = made
    return made


# -- field values --------------------------------------------------------------
def _number(f: FieldDef) -> GraphQLScalarType:
    if f.type is FieldType.RATING or f.settings.get("decimals") == 0:
        return GraphQLInt
    return GraphQLFloat


def output_type(f: FieldDef) -> GraphQLOutputType | None:
    """The GraphQL type of a stored field's value; None for relations."""
    t = f.type
    out: Any
    if t is _T.UUID:
        out = GraphQLID
    elif t in (_T.TEXT, _T.EMAIL, _T.PHONE, _T.LINK, _T.SELECT):
        out = GraphQLString
    elif t in (_T.NUMBER, _T.RATING):
        out = _number(f)
    elif t is _T.BOOLEAN:
        out = GraphQLBoolean
    elif t is _T.DATE_TIME:
        out = DateTime
    elif t is _T.DATE:
        out = Date
    elif t in (_T.ARRAY, _T.MULTI_SELECT):
        out = _list_of(GraphQLString)
    elif t is _T.CURRENCY:
        out = Currency
    elif t is _T.ACTOR:
        out = Actor
    elif t is _T.JSON:
        out = JSON
    else:
        return None
    return _nn(out) if not f.nullable else out


def input_type(f: FieldDef) -> GraphQLInputType | None:
    """The GraphQL type a client writes ``f`` with; None when it cannot be written."""
    if f.read_only or f.system or not f.stored or f.type is _T.ACTOR:
        return None
    if f.type is _T.CURRENCY:
        return CurrencyInput
    out = output_type(f)
    if out is None:
        return None
    while isinstance(out, GraphQLNonNull):
        out = out.of_type  # nullability on input is checked by the record layer
    return out  # type: ignore[return-value]


# -- metadata ------------------------------------------------------------------
MetadataOption = GraphQLObjectType(
    "MetadataOption",
    {
        "value": GraphQLField(_nn(GraphQLString)),
        "label": GraphQLField(_nn(GraphQLString)),
        "color": GraphQLField(GraphQLString),
    },
)

MetadataField = GraphQLObjectType(
    "MetadataField",
    {
        "id": GraphQLField(GraphQLID, description="Set on custom fields only."),
        "name": GraphQLField(_nn(GraphQLString)),
        "label": GraphQLField(_nn(GraphQLString)),
        "type": GraphQLField(_nn(GraphQLString)),
        "description": GraphQLField(GraphQLString),
        "isCustom": GraphQLField(_nn(GraphQLBoolean)),
        "isSystem": GraphQLField(_nn(GraphQLBoolean)),
        "isReadOnly": GraphQLField(_nn(GraphQLBoolean)),
        "isNullable": GraphQLField(_nn(GraphQLBoolean)),
        "isRequired": GraphQLField(_nn(GraphQLBoolean)),
        "isUnique": GraphQLField(_nn(GraphQLBoolean)),
        "defaultValue": GraphQLField(JSON),
        "options": GraphQLField(_nn(_list_of(MetadataOption))),
        "relationType": GraphQLField(GraphQLString),
        "relationTarget": GraphQLField(GraphQLString),
    },
)

MetadataObject = GraphQLObjectType(
    "MetadataObject",
    {
        "id": GraphQLField(GraphQLID),
        "name": GraphQLField(_nn(GraphQLString)),
        "namePlural": GraphQLField(_nn(GraphQLString)),
        "label": GraphQLField(_nn(GraphQLString)),
        "labelPlural": GraphQLField(_nn(GraphQLString)),
        "description": GraphQLField(GraphQLString),
        "isCustom": GraphQLField(_nn(GraphQLBoolean)),
        "fields": GraphQLField(_nn(_list_of(MetadataField))),
    },
)


def metadata_type(resolve_objects: Any) -> GraphQLObjectType:
    return GraphQLObjectType(
        "Metadata",
        {
            "objects": GraphQLField(
                _nn(_list_of(MetadataObject)),
                args={
                    "name": GraphQLArgument(
                        GraphQLString, description="One object, by singular or plural name."
                    )
                },
                resolve=resolve_objects,
            )
        },
        description="The workspace's objects and fields, from its registry.",
    )

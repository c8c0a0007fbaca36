"""GraphQL types shared by every workspace's schema: scalars, filters, paging, metadata.

Each field type names its GraphQL output, input and filter (metadata/fieldtypes);
the scalars they use are re-exported here. ``schema.py`` assembles the
per-object types from the registry using these building blocks.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLID,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
)

from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.fieldtypes.graphql import (
    JSON,
    Actor,
    Currency,
    CurrencyInput,
    Date,
    DateTime,
)
from rolodex.metadata.model import FieldDef
from rolodex.records.query import Direction

__all__ = ["JSON", "Actor", "Currency", "CurrencyInput", "Date", "DateTime"]


def _nn(t: Any) -> Any:
    return GraphQLNonNull(t)


def _list_of(t: Any) -> Any:
    return GraphQLList(GraphQLNonNull(t))


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

_filter_types: dict[str, GraphQLInputObjectType] = {}


def filter_type(f: FieldDef) -> GraphQLInputObjectType | None:
    """The operator input for ``f`` (StringFilter, ...), or None when it cannot be filtered."""
    k = kind(f)
    # Registration guarantees a filter for every type with operators (fieldtypes.base.check).
    if k.graphql_filter is None or not k.ops:
        return None
    name, scalar = k.graphql_filter
    ops = k.ops
    existing = _filter_types.get(name)
    if existing is not None:
        return existing
    parts = k.filter_parts() if scalar is None else {}
    if parts:
        # A composite type: ``{emails: {primaryEmail: {ilike: "%@acme.com"}}}``.
        subs: dict[str, GraphQLInputField] = {"is": GraphQLInputField(FilterIs)}
        for part, as_type in parts.items():
            op_type = filter_type(FieldDef(part, as_type, part))
            if op_type is not None:
                subs[part] = GraphQLInputField(op_type)
        made = GraphQLInputObjectType(name, subs)
        _filter_types[name] = made
        return made

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
def output_type(f: FieldDef) -> GraphQLOutputType | None:
    """The GraphQL type of a stored field's value (from its kind); None for relations."""
    out = kind(f).graphql_output(f)
    if out is None:
        return None
    return _nn(out) if not f.nullable else out


def input_type(f: FieldDef) -> GraphQLInputType | None:
    """The GraphQL type a client writes ``f`` with; None when it cannot be written."""
    if f.read_only or f.system or not f.stored:
        return None
    out = kind(f).graphql_input(f)
    # Nullability on input is checked by the record layer.
    return out.of_type if isinstance(out, GraphQLNonNull) else out


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
        "isSearchable": GraphQLField(
            _nn(GraphQLBoolean), description="Whether search finds records by it."
        ),
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

"""The GraphQL scalars and value types field types are written and read with.

They belong to the types (a type names its GraphQL output, input and filter
operand); ``api/graphql/types.py`` re-exports them for the schema builder.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLString,
    StringValueNode,
    ValueNode,
    value_from_ast_untyped,
)

from rolodex.kit import clock
from rolodex.kit.errors import ValidationError


def list_of(t: Any) -> Any:
    return GraphQLList(GraphQLNonNull(t))


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

Actor = GraphQLObjectType(
    "Actor",
    {
        "type": GraphQLField(GraphQLNonNull(GraphQLString)),
        "id": GraphQLField(GraphQLString),
        "name": GraphQLField(GraphQLString),
    },
    description="Who made a change: an API key, a member, an import or the system.",
)


def _micros(value: Any, _info: Any) -> Any:
    amount = value.get("amount") if isinstance(value, dict) else None
    return None if amount is None else round(amount * 1_000_000)


Currency = GraphQLObjectType(
    "Currency",
    {
        "amount": GraphQLField(GraphQLFloat),
        # Twenty's form of the amount: millionths of the unit.
        "amountMicros": GraphQLField(GraphQLFloat, resolve=_micros),
        "currencyCode": GraphQLField(GraphQLString),
    },
)

CurrencyInput = GraphQLInputObjectType(
    "CurrencyInput",
    {
        "amount": GraphQLInputField(GraphQLFloat),
        "amountMicros": GraphQLInputField(GraphQLFloat),
        "currencyCode": GraphQLInputField(GraphQLString),
    },
)

"""GraphQL aggregates: Twenty's aggregate fields on connections, and ``{objects}GroupBy``.

A root connection (``people { ... }``) has, beside ``totalCount``, a field per
aggregate of each field, named as Twenty names them: ``countEmptyJobTitle``,
``countNotEmptyJobTitle``, ``countUniqueValuesJobTitle``,
``percentageEmptyJobTitle`` and ``percentageNotEmptyJobTitle`` (0 to 1) for
any field;
``sumEmployees``, ``avgEmployees``, ``minEmployees``, ``maxEmployees`` for
numbers; ``minCreatedAt``, ``maxCreatedAt`` for dates. They are computed
only when selected, in one statement for all of them, over the list's
filter (not its page). ``peopleGroupBy(groupBy: [{jobTitle: true},
{createdAt: {granularity: MONTH}}], filter: ..., limit: 100)`` returns the
groups, each with ``groupByDimensionValues`` (Twenty's), ``key`` and
``labels`` (REST's), ``totalCount`` and the same aggregate fields.

Everything here depends on one object's fields only, so it is made once per
object signature and shared between schemas (``schema_parts``). The GraphQL
fields themselves are a handful of shared instances, whatever the number of
fields: only their names differ.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLEnumValue,
    GraphQLField,
    GraphQLFloat,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
    InlineFragmentNode,
    SelectionSetNode,
)

from rolodex.api.graphql.context import GraphQLContext
from rolodex.api.graphql.filters import to_filter
from rolodex.api.graphql.types import JSON, Date, DateTime
from rolodex.kit.errors import BadRequest
from rolodex.metadata.fieldtypes import kind
from rolodex.metadata.fieldtypes.date_time import DateKind, DateTimeKind
from rolodex.metadata.model import FieldDef, ObjectDef
from rolodex.records.aggregates import (
    DEFAULT_GROUPS,
    AggregateQuery,
    GroupSpec,
    MetricSpec,
    groupable,
    is_date,
    is_number,
)
from rolodex.records.query import Filter

# Twenty's prefix for each metric of records/aggregates.py.
PREFIXES = {
    "countEmpty": "countEmpty",
    "countNotEmpty": "countNotEmpty",
    "countDistinct": "countUniqueValues",
    "sum": "sum",
    "avg": "avg",
    "min": "min",
    "max": "max",
    # Derived from the counts and the group's size, as fractions from 0 to 1.
    "percentageEmpty": "percentageEmpty",
    "percentageNotEmpty": "percentageNotEmpty",
}
DERIVED = {"percentageEmpty": "countEmpty", "percentageNotEmpty": "countNotEmpty"}
_COUNT = GraphQLField(GraphQLInt, description="A count of this field's values (see the name).")
_NUMBER = GraphQLField(GraphQLFloat, description="An aggregate of this number field.")
_FRACTION = GraphQLField(
    GraphQLFloat, description="A share of the records, from 0 to 1 (null without records)."
)
_DATE_TIME = GraphQLField(DateTime, description="The earliest or latest value of this field.")
_DATE = GraphQLField(Date, description="The earliest or latest value of this field.")
_TOTAL = GraphQLField(GraphQLInt, description="How many records the group holds.")
_VALUES = GraphQLField(
    GraphQLList(GraphQLString), description="The group's key values, in groupBy order, as text."
)
_KEY = GraphQLField(JSON, description="The group's key: field name to value.")
_LABELS = GraphQLField(JSON, description="To-one relations' id to the related record's label.")

GRANULARITY = GraphQLEnumType(
    "GroupByDateGranularity",
    {
        "NONE": GraphQLEnumValue("none", description="The value itself (DATE fields only)."),
        "DAY": GraphQLEnumValue("day"),
        "WEEK": GraphQLEnumValue("week", description="ISO weeks, from Monday."),
        "MONTH": GraphQLEnumValue("month"),
        "YEAR": GraphQLEnumValue("year"),
    },
    description="The unit dates are cut to in UTC; a group's key is the unit's first day.",
)
GROUP_BY_DATE = GraphQLInputObjectType(
    "GroupByDateInput",
    {"granularity": GraphQLInputField(GRANULARITY, default_value=None)},
)
_BY_VALUE = GraphQLInputField(GraphQLBoolean)
_BY_DATE = GraphQLInputField(GROUP_BY_DATE)


def _cap(name: str) -> str:
    return name[:1].upper() + name[1:]


def _metrics_of(f: FieldDef) -> list[tuple[str, GraphQLField]]:
    k = kind(f)
    out: list[tuple[str, GraphQLField]] = [
        ("countEmpty", _COUNT),
        ("countNotEmpty", _COUNT),
        ("percentageEmpty", _FRACTION),
        ("percentageNotEmpty", _FRACTION),
    ]
    if not (k.json_stored or k.list_valued):
        out.append(("countDistinct", _COUNT))
    if is_number(f):
        out += [(op, _NUMBER) for op in ("sum", "avg", "min", "max")]
    elif is_date(f):
        made = _DATE if isinstance(k, DateKind) and not isinstance(k, DateTimeKind) else _DATE_TIME
        out += [("min", made), ("max", made)]
    return out


def aggregate_fields(obj: ObjectDef, exposed: set[str]) -> dict[str, tuple[str, str, Any]]:
    """GraphQL field name -> (metric, field name, GraphQLField), for the exposed fields."""
    out: dict[str, tuple[str, str, Any]] = {}
    for f in obj.stored_fields:
        if f.name not in exposed:
            continue
        for op, gql in _metrics_of(f):
            out.setdefault(PREFIXES[op] + _cap(f.name), (op, f.name, gql))
    return out


def group_input(obj: ObjectDef, exposed: set[str]) -> GraphQLInputObjectType | None:
    """``{Object}GroupByInput``: one field per field a group can be keyed by."""
    fields = {
        f.name: _BY_DATE if is_date(f) else _BY_VALUE
        for f in obj.stored_fields
        if f.name in exposed and groupable(obj, f)
    }
    return GraphQLInputObjectType(f"{obj.cap}GroupByInput", fields) if fields else None


def group_type(obj: ObjectDef, aggregates: dict[str, tuple[str, str, Any]]) -> GraphQLObjectType:
    """``{Object}GroupByConnection``: one group, its key and its aggregates."""
    return GraphQLObjectType(
        f"{obj.cap}GroupByConnection",
        {
            "groupByDimensionValues": _VALUES,
            "key": _KEY,
            "labels": _LABELS,
            "totalCount": _TOTAL,
            **{name: gql for name, (_, _, gql) in aggregates.items()},
        },
    )


def group_args(group_input: GraphQLInputObjectType, filter_input: Any) -> dict[str, Any]:
    return {
        "groupBy": GraphQLArgument(GraphQLNonNull(GraphQLList(GraphQLNonNull(group_input)))),
        "filter": GraphQLArgument(filter_input),
        "limit": GraphQLArgument(
            GraphQLInt, default_value=DEFAULT_GROUPS, description="At most 1,000 groups."
        ),
    }


# -- resolving -------------------------------------------------------------------
def selected(info: GraphQLResolveInfo) -> set[str]:
    """The names selected directly under the field being resolved (fragments too)."""
    names: set[str] = set()
    seen: set[str] = set()

    def walk(selection_set: SelectionSetNode | None) -> None:
        for sel in selection_set.selections if selection_set is not None else ():
            if isinstance(sel, FieldNode):
                names.add(sel.name.value)
            elif isinstance(sel, InlineFragmentNode):
                walk(sel.selection_set)
            elif isinstance(sel, FragmentSpreadNode) and sel.name.value not in seen:
                seen.add(sel.name.value)
                fragment = info.fragments.get(sel.name.value)
                if fragment is not None:
                    walk(fragment.selection_set)

    for node in info.field_nodes:
        walk(node.selection_set)
    return names


def _known(obj: ObjectDef) -> dict[str, tuple[str, str, Any]]:
    made = obj.cache.get("graphql_aggregates")
    if made is None:
        made = obj.cache["graphql_aggregates"] = aggregate_fields(obj, set(obj.fields))
    return made


def wanted(info: GraphQLResolveInfo, obj: ObjectDef) -> tuple[MetricSpec, ...]:
    """The metrics the selection asks for, or none."""
    known = _known(obj)
    return tuple(
        MetricSpec(DERIVED.get(known[n][0], known[n][0]), known[n][1])
        for n in selected(info)
        if n in known
    )


def values(obj: ObjectDef, group: dict[str, Any]) -> dict[str, Any]:
    """A service group's metrics under their GraphQL names."""
    out: dict[str, Any] = {}
    for name, (op, field, _) in _known(obj).items():
        by_field = group.get(DERIVED.get(op, op))
        if by_field is None or field not in by_field:
            continue
        value = by_field[field]
        if op in DERIVED:
            value = value / group["count"] if group["count"] else None
        out[name] = value
    return out


async def connection_aggregates(
    ctx: GraphQLContext, info: GraphQLResolveInfo, obj: ObjectDef, flt: Filter | None
) -> dict[str, Any]:
    """The aggregate fields a root connection selects, over its filter (one statement)."""
    metrics = wanted(info, obj)
    if not metrics:
        return {}
    async with ctx.reading() as s:
        result = await s.aggregates.run(obj, AggregateQuery(filter=flt, metrics=metrics))
    return values(obj, result["groups"][0])


def _spec(item: dict[str, Any]) -> GroupSpec:
    chosen = [(k, v) for k, v in item.items() if v is not None and v is not False]
    if len(chosen) != 1:
        raise BadRequest(
            "Each groupBy item names one field: [{jobTitle: true}, "
            "{createdAt: {granularity: MONTH}}]",
            field="groupBy",
        )
    name, value = chosen[0]
    unit = value.get("granularity") if isinstance(value, dict) else None
    return GroupSpec(name, None if unit == "none" else unit)


def group_by(name: str) -> Any:
    """The ``{objects}GroupBy`` root field's resolver."""

    async def resolve(
        _root: Any,
        info: GraphQLResolveInfo,
        groupBy: list[dict[str, Any]],  # Twenty's argument name
        filter: Any = None,
        limit: int | None = DEFAULT_GROUPS,
    ) -> list[dict[str, Any]]:
        ctx: GraphQLContext = info.context
        obj = ctx.object(name)
        q = AggregateQuery(
            filter=to_filter(filter),
            group_by=tuple(_spec(item) for item in groupBy),
            metrics=wanted(info, obj),
            limit=DEFAULT_GROUPS if limit is None else limit,
        )
        async with ctx.reading() as s:
            result = await s.aggregates.run(obj, q)
        return [
            {
                "groupByDimensionValues": [
                    None if v is None else str(v).lower() if isinstance(v, bool) else str(v)
                    for v in g["key"].values()
                ],
                "key": g["key"],
                "labels": g.get("labels", {}),
                "totalCount": g["count"],
                **values(obj, g),
            }
            for g in result["groups"]
        ]

    return resolve

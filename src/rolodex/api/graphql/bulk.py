"""Resolvers of the many-record mutations, in Twenty's shape: ``update<Objects>(filter,
data)``, ``delete<Objects>(filter)`` (soft), ``destroy<Objects>(filter)`` (for good),
each returning the records, and ``merge<Objects>(primaryId, duplicateIds, prefer)``;
and of ``<objects>Duplicates(first, after)``, the groups of likely duplicates.

They call ``records/bulk.py`` and ``records/merge.py``; a filter matching more
than 2,000 records is refused, and ``expectedCount``, when given, must equal
the number matched.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLID,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
)

from rolodex.api.graphql import types as t
from rolodex.api.graphql.context import GraphQLContext
from rolodex.api.graphql.filters import to_filter
from rolodex.api.graphql.prefetch import prefetch
from rolodex.api.graphql.resolvers import Resolver
from rolodex.kit.errors import ValidationError
from rolodex.records import bulk, duplicates, merge

_EXPECTED = GraphQLArgument(
    GraphQLInt, description="Refuse (and change nothing) unless the filter matches this many."
)


def _ctx(info: GraphQLResolveInfo) -> GraphQLContext:
    return info.context


def many_args(filter_type: GraphQLInputObjectType, update: GraphQLInputObjectType | None) -> Any:
    """Arguments of ``update<Objects>`` (with ``update``) or ``delete<Objects>``."""
    args = {"filter": GraphQLArgument(GraphQLNonNull(filter_type))}
    if update is not None:
        args["data"] = GraphQLArgument(GraphQLNonNull(update))
    args["expectedCount"] = _EXPECTED
    return args


MERGE_ARGS = {
    "primaryId": GraphQLArgument(GraphQLNonNull(GraphQLID)),
    "duplicateIds": GraphQLArgument(GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLID)))),
    "prefer": GraphQLArgument(t.JSON, description="{field: id}: whose value each field takes."),
}


DUPLICATES_ARGS = {
    "first": GraphQLArgument(GraphQLInt, description="Groups per page (1 to 100, default 20)."),
    "after": GraphQLArgument(GraphQLString, description="pageInfo.endCursor of the page before."),
}


def duplicates_type(cap: str, node: GraphQLObjectType) -> GraphQLObjectType:
    """``<Object>DuplicateGroups``: a page of groups, each records sharing a value."""
    group = GraphQLObjectType(
        f"{cap}DuplicateGroup",
        {
            "field": GraphQLField(GraphQLNonNull(GraphQLString)),
            "value": GraphQLField(GraphQLNonNull(GraphQLString)),
            "count": GraphQLField(GraphQLNonNull(GraphQLInt)),
            "records": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(node)))),
        },
    )
    return GraphQLObjectType(
        f"{cap}DuplicateGroups",
        {
            "groups": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(group)))),
            "pageInfo": GraphQLField(GraphQLNonNull(t.PageInfo)),
        },
    )


def list_duplicates(name: str) -> Resolver:
    async def resolve(
        _root: Any, info: GraphQLResolveInfo, first: int | None = None, after: str | None = None
    ) -> dict[str, Any]:
        ctx = _ctx(info)
        obj = ctx.object(name)
        limit = 20 if first is None else first
        if not 1 <= limit <= 100:
            raise ValidationError(f"first must be between 1 and 100, got {limit}", field="first")
        async with ctx.reading() as s:
            groups, cursor = await duplicates.groups(s.records, obj, limit=limit, after=after)
        return {
            "groups": groups,
            "pageInfo": {
                "hasNextPage": cursor is not None,
                "hasPreviousPage": bool(after),
                "startCursor": None,
                "endCursor": cursor,
            },
        }

    return resolve


def update_many(name: str) -> Resolver:
    async def resolve(
        _root: Any,
        info: GraphQLResolveInfo,
        filter: dict[str, Any],
        data: dict[str, Any],
        expectedCount: int | None = None,
    ) -> list[dict[str, Any]]:
        ctx = _ctx(info)
        obj = ctx.object(name)
        async with ctx.writing() as svc:
            records = await bulk.update_matching(
                svc, obj, to_filter(filter), data, expected=expectedCount
            )
        await prefetch(info, obj, records, connection=False)
        return records

    return resolve


def delete_many(name: str, *, soft: bool) -> Resolver:
    """``delete<Objects>`` hides (restorable), ``destroy<Objects>`` deletes for good."""

    async def resolve(
        _root: Any,
        info: GraphQLResolveInfo,
        filter: dict[str, Any],
        expectedCount: int | None = None,
    ) -> list[dict[str, Any]]:
        ctx = _ctx(info)
        obj = ctx.object(name)
        async with ctx.writing() as svc:
            return await bulk.delete_matching(
                svc, obj, to_filter(filter), expected=expectedCount, soft=soft
            )

    return resolve


def merge_many(name: str) -> Resolver:
    async def resolve(
        _root: Any,
        info: GraphQLResolveInfo,
        primaryId: str,
        duplicateIds: list[str],
        prefer: Any = None,
    ) -> dict[str, Any]:
        ctx = _ctx(info)
        obj = ctx.object(name)
        if prefer is not None and not isinstance(prefer, dict):
            raise ValidationError("prefer is an object: {field: id}.", field="prefer")
        body: dict[str, Any] = {"primaryId": primaryId, "duplicateIds": duplicateIds}
        if prefer is not None:
            body["prefer"] = prefer
        async with ctx.writing() as svc:
            result = await merge.merge(svc, obj, body)
        record: dict[str, Any] = result["record"]
        await prefetch(info, obj, [record], connection=False)
        return record

    return resolve

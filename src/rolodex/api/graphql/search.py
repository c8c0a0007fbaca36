"""The ``search`` root field: ranked hits across objects, in the shape of Twenty's.

Twenty's ``search(searchInput:, limit:, includedObjectNameSingulars:,
excludedObjectNameSingulars:)`` returns a connection of ``{recordId,
objectNameSingular, label, imageUrl, tsRankCD, tsRank}``; this one takes
those arguments and Rolodex's own (``query``, ``objects``) and answers the
same shape, with ``score`` (both ranks are the score) and ``object`` (the
plural). There is no ``after``: a search answers its best hits, at most 100.
"""

from __future__ import annotations

from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLField,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLString,
)

from rolodex.api.graphql.context import GraphQLContext
from rolodex.api.graphql.resolvers import guarded
from rolodex.auth.scopes import Scope
from rolodex.kit.errors import ValidationError

TYPE_NAMES = ("SearchRecord", "SearchResultEdge", "SearchResultConnection", "SearchPageInfo")


def _nn(x: Any) -> Any:
    return GraphQLNonNull(x)


SearchRecord = GraphQLObjectType(
    "SearchRecord",
    {
        "recordId": GraphQLField(_nn(GraphQLID)),
        "id": GraphQLField(_nn(GraphQLID), description="The same as recordId."),
        "objectNameSingular": GraphQLField(_nn(GraphQLString)),
        "object": GraphQLField(_nn(GraphQLString), description="The object's plural name."),
        "label": GraphQLField(_nn(GraphQLString)),
        "imageUrl": GraphQLField(GraphQLString, description="Always null (Twenty's avatar)."),
        "score": GraphQLField(_nn(GraphQLFloat), description="Higher is better."),
        "tsRank": GraphQLField(_nn(GraphQLFloat), description="The score (Twenty's name)."),
        "tsRankCD": GraphQLField(_nn(GraphQLFloat), description="The score (Twenty's name)."),
    },
)
_EDGE = GraphQLObjectType(
    "SearchResultEdge",
    {"node": GraphQLField(_nn(SearchRecord)), "cursor": GraphQLField(_nn(GraphQLString))},
)
_PAGE_INFO = GraphQLObjectType(
    "SearchPageInfo",
    {
        "hasNextPage": GraphQLField(_nn(GraphQLBoolean)),
        "endCursor": GraphQLField(GraphQLString),
    },
)
SearchResultConnection = GraphQLObjectType(
    "SearchResultConnection",
    {
        "edges": GraphQLField(_nn(GraphQLList(_nn(_EDGE)))),
        "pageInfo": GraphQLField(_nn(_PAGE_INFO)),
    },
)
_NAMES = GraphQLList(_nn(GraphQLString))


async def search(
    _r: Any,
    info: GraphQLResolveInfo,
    query: str | None = None,
    searchInput: str | None = None,
    objects: list[str] | None = None,
    includedObjectNameSingulars: list[str] | None = None,
    excludedObjectNameSingulars: list[str] | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    if query is not None and searchInput is not None and query != searchInput:
        raise ValidationError("Give query or searchInput, not both", field="query")
    text = query if query is not None else searchInput
    if objects is not None and includedObjectNameSingulars is not None:
        raise ValidationError(
            "Give objects or includedObjectNameSingulars, not both", field="objects"
        )
    wanted = objects if objects is not None else includedObjectNameSingulars
    context: GraphQLContext = info.context
    async with context.reading() as s:
        hits, more = await s.search.search(
            text, wanted, limit, exclude=excludedObjectNameSingulars or ()
        )
    edges = [
        {
            "node": {**h, "recordId": h["id"], "tsRank": h["score"], "tsRankCD": h["score"]},
            "cursor": str(i + 1),
        }
        for i, h in enumerate(hits)
    ]
    end = edges[-1]["cursor"] if edges else None
    return {"edges": edges, "pageInfo": {"hasNextPage": more, "endCursor": end}}


def field() -> GraphQLField:
    """The ``search`` root field (scope ``record:read``)."""
    return GraphQLField(
        _nn(SearchResultConnection),
        args={
            "query": GraphQLArgument(GraphQLString),
            "searchInput": GraphQLArgument(GraphQLString, description="Twenty's name of query."),
            "objects": GraphQLArgument(_NAMES, description="Objects to search, plural or not."),
            "includedObjectNameSingulars": GraphQLArgument(_NAMES),
            "excludedObjectNameSingulars": GraphQLArgument(_NAMES),
            "limit": GraphQLArgument(GraphQLInt, description="1 to 100; 20 by default."),
        },
        resolve=guarded(Scope.RECORD_READ, search),
        description="Ranked hits across objects: every word of the query begins a word "
        "of the record's names, emails, domains, titles or searchable text.",
    )

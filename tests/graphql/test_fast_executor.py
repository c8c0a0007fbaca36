"""The fast executor gives exactly graphql-core's results and errors, nested objects included."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    execute,
    parse,
)

from rolodex.api.graphql.fast import executor_class

pytestmark = pytest.mark.skipif(executor_class is None, reason="needs graphql-core 3.3")


def _boom(source: Any, info: Any) -> Any:
    raise ValueError(f"boom at {source.get('name')}")


async def _later(source: Any, info: Any) -> Any:
    await asyncio.sleep(0)
    return source.get("name", "").upper()


async def _later_boom(source: Any, info: Any) -> Any:
    await asyncio.sleep(0)
    raise ValueError("late boom")


Actor = GraphQLObjectType(
    "Actor",
    {
        "name": GraphQLField(GraphQLString),
        "strictName": GraphQLField(GraphQLNonNull(GraphQLString)),
        "shout": GraphQLField(GraphQLString, resolve=_later),
        "strictShout": GraphQLField(GraphQLNonNull(GraphQLString), resolve=_later_boom),
        "fails": GraphQLField(GraphQLString, resolve=_boom),
        "strictFails": GraphQLField(GraphQLNonNull(GraphQLString), resolve=_boom),
    },
)
Node = GraphQLObjectType(
    "Node",
    {
        "id": GraphQLField(GraphQLNonNull(GraphQLInt)),
        "by": GraphQLField(Actor),
        "strictBy": GraphQLField(GraphQLNonNull(Actor)),
        "tags": GraphQLField(GraphQLList(GraphQLNonNull(GraphQLString))),
        "label": GraphQLField(GraphQLString, args={"upper": GraphQLArgument(GraphQLInt)}),
    },
)
Edge = GraphQLObjectType("Edge", {"node": GraphQLField(GraphQLNonNull(Node))})
Connection = GraphQLObjectType(
    "Connection",
    {
        "edges": GraphQLField(GraphQLNonNull(GraphQLList(GraphQLNonNull(Edge)))),
        "maybeEdges": GraphQLField(GraphQLList(GraphQLNonNull(Edge))),
    },
)


def _data() -> dict[str, Any]:
    def node(i: int, by: Any) -> dict[str, Any]:
        return {"id": i, "by": by, "strictBy": by, "tags": ["a", None] if i == 2 else ["a"]}

    ada, nameless = {"name": "ada", "strictName": "ada"}, {"name": None, "strictName": None}
    edges = [{"node": node(1, ada)}, {"node": node(2, nameless)}, {"node": node(3, None)}]
    return {"edges": edges, "maybeEdges": edges}


Query = GraphQLObjectType("Query", {"conn": GraphQLField(Connection, resolve=lambda *_: _data())})
SCHEMA = GraphQLSchema(Query)

QUERIES = [
    "{ conn { edges { node { id tags by { name shout } } } } }",
    "{ conn { edges { node { id by { name fails } } } } }",
    "{ conn { edges { node { id by { strictName } } } } }",
    "{ conn { maybeEdges { node { id by { strictName } } } } }",
    "{ conn { maybeEdges { node { id strictBy { name } } } } }",
    "{ conn { edges { node { id strictBy { strictFails } } } } }",
    "{ conn { maybeEdges { node { by { strictFails } } } } }",
    "{ conn { maybeEdges { node { by { shout strictShout } } } } }",
    "{ conn { edges { node { by { shout } strictBy { strictShout } } } } }",
    "{ conn { edges { node { label(upper: 1) by { name } } } } }",
    "{ conn { edges { n: node { id } node { by { name } } } } }",
]


def _run(query: str, fast: bool) -> Any:
    options = {"executor_class": executor_class} if fast else {}

    async def go() -> Any:
        result = execute(SCHEMA, parse(query), **options)
        if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
            result = await result
        for _ in range(5):  # let errors settled in the background finish, as a server would
            await asyncio.sleep(0)
        return result

    result = asyncio.run(go())
    errors = sorted(((e.message, tuple(e.path or ())) for e in result.errors or ()), key=repr)
    return result.data, errors


@pytest.mark.parametrize("query", QUERIES)
def test_same_results_and_errors_as_graphql_core(query: str) -> None:
    assert _run(query, fast=True) == _run(query, fast=False)

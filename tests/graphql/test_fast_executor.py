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


class _FromContext:
    """A resolver the fast executor may call without a resolve info, as
    ``resolvers.ToOne``: it returns a dict, None, a future not done yet, or raises."""

    calls = 0  # through graphql-core

    def __call__(self, source: Any, info: Any) -> Any:
        _FromContext.calls += 1
        return self.from_context(source, info.context)

    def from_context(self, source: Any, ctx: Any) -> Any:
        if source["id"] == 2:
            raise ValueError("no owner for 2")
        if source["id"] == 3:
            future = asyncio.get_running_loop().create_future()
            asyncio.get_running_loop().call_soon(future.set_result, {"name": "late"})
            return future
        return source.get("by")


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
        "owner": GraphQLField(Actor, resolve=_FromContext()),
        "strictOwner": GraphQLField(GraphQLNonNull(Actor), resolve=_FromContext()),
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
    edges.append({"node": node(4, None)})
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
    "{ conn { edges { node { id owner { name strictName } } } } }",
    "{ conn { edges { node { id strictOwner { name } } } } }",
    "{ conn { maybeEdges { node { id strictOwner { name } } } } }",
    "{ conn { maybeEdges { node { owner { shout strictFails } } } } }",
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


def test_relations_ready_in_the_context_skip_graphql_core() -> None:
    query = "{ conn { edges { node { id owner { name } } } } }"
    _FromContext.calls = 0
    _run(query, fast=False)
    assert _FromContext.calls == 4
    _FromContext.calls = 0
    _run(query, fast=True)
    assert _FromContext.calls == 2  # the one that raised and the one not loaded yet

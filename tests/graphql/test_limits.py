"""Limits on the shape of an operation: root fields, aliases, database statements,
records written and rate-limit tokens per root mutation (issue 18, item 4)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLField,
    GraphQLInt,
    GraphQLObjectType,
    GraphQLSchema,
    execute,
    parse,
)

from rolodex.api.graphql.fast import executor_class
from tests import factories
from tests.conftest import LiveServer
from tests.graphql.helpers import data, over_limit, post

NOTE = 'n{i}: createNote(data: {{title: "t{i}"}}) {{ id }}'


def _notes(client: httpx.Client) -> int:
    return data(client, "{ notes { totalCount } }")["notes"]["totalCount"]  # type: ignore[no-any-return]


def _mutation(n: int, template: str = NOTE) -> str:
    return "mutation { " + " ".join(template.format(i=i) for i in range(n)) + " }"


def test_a_thousand_root_mutations_are_refused_before_running(client: httpx.Client) -> None:
    # graphql-core's serial executor used to overflow the stack here: a 500.
    assert "more than 100 root fields" in over_limit(client, _mutation(1000))
    assert _notes(client) == 0  # refused before execution: nothing written
    assert "more than 100 root fields" in over_limit(client, _mutation(101))
    assert _notes(client) == 0
    # At the limit, every root field runs, in order.
    got = data(client, _mutation(100))
    assert list(got) == [f"n{i}" for i in range(100)] and all(v["id"] for v in got.values())
    assert _notes(client) == 100


def test_root_fields_count_through_fragments_and_queries(client: httpx.Client) -> None:
    half = " ".join(f"a{i}: __typename" for i in range(60))
    other = " ".join(f"b{i}: __typename" for i in range(60))
    doc = f"{{ ...A ...B }} fragment A on Query {{ {half} }} fragment B on Query {{ {other} }}"
    assert "root fields" in over_limit(client, doc)
    # The same fragment spread twice executes its fields once.
    doc = f"{{ ...A ...A }} fragment A on Query {{ {half} }}"
    assert len(data(client, doc)) == 60
    many = " ".join(f"p{i}: people(first: 1) {{ totalCount }}" for i in range(1400))
    assert "root fields" in over_limit(client, "{ " + many + " }")


def test_database_statements_are_counted(client: httpx.Client) -> None:
    # A root list and its totalCount are two statements: 100 of them are the limit, 200.
    at_limit = " ".join(f"p{i}: people(first: 1) {{ totalCount }}" for i in range(100))
    got = data(client, "{ " + at_limit + " }")
    assert got["p99"] == {"totalCount": 0}
    # Each relation selected is one more statement per root field (not per record).
    heavy = " ".join(
        f"p{i}: people(first: 1) {{ totalCount edges {{ node {{ company {{ name }}"
        f" notes {{ totalCount }} }} }} }}"
        for i in range(45)
    )
    assert "database statements" in over_limit(client, "{ " + heavy + " }")
    fragment = "fragment F on Person { company { name } notes { totalCount } tasks { title } }"
    doc = " ".join(f"p{i}: people {{ edges {{ node {{ ...F }} }} }}" for i in range(50))
    assert "database statements" in over_limit(client, "{ " + doc + " } " + fragment)
    # A page of 100 with its relations is still a handful of statements.
    one = (
        "{ people(first: 100) { totalCount edges { node { company { name } notes { title } } } } }"
    )
    assert data(client, one) == {"people": {"totalCount": 0, "edges": []}}


def test_aliases_are_capped(client: httpx.Client) -> None:
    names = " ".join(f"a{i}: name" for i in range(201))
    assert "aliases more than 200" in over_limit(
        client, f"{{ people {{ edges {{ node {{ {names} }} }} }} }}"
    )
    names = " ".join(f"a{i}: name" for i in range(200))
    assert data(client, f"{{ people {{ edges {{ node {{ {names} }} }} }} }}")
    # The rewrite of a list-style relation to its twin adds no alias of the client's.
    assert data(client, "{ companies { edges { node { people { id } } } } }")


@pytest.fixture
def small_batches(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[httpx.Client]:
    monkeypatch.setenv("ROLODEX_GRAPHQL_MAX_BATCH", "3")
    with LiveServer(db_url) as live, factories.http(live.url, factories.make_key(db_url)) as c:
        yield c


def test_root_mutations_count_against_the_batch_limit(small_batches: httpx.Client) -> None:
    c = small_batches
    two = 'data: [{title: "x"}, {title: "y"}]'
    doc = f"mutation {{ a: createNotes({two}) {{ id }} b: createNotes({two}) {{ id }} }}"
    assert "at most 3" in over_limit(c, doc)
    doc = (
        "mutation($d: [NoteCreateInput!]!) { a: createNotes(data: $d) { id }"
        ' b: createNote(data: {title: "z"}) { id } }'
    )
    assert "at most 3" in over_limit(c, doc, {"d": [{"title": "x"}] * 3})
    assert "at most 3" in over_limit(c, _mutation(4))
    assert _notes(c) == 0
    assert len(data(c, _mutation(3))) == 3
    assert _notes(c) == 3


@pytest.fixture
def slow_rate(db_url: str) -> Iterator[httpx.Client]:
    # Ten tokens and (practically) no refill, so the test does not depend on timing.
    with (
        LiveServer(db_url, rate_limit=0.001, rate_burst=10) as live,
        factories.http(live.url, factories.make_key(db_url)) as c,
    ):
        yield c


def test_each_root_mutation_costs_a_rate_limit_token(slow_rate: httpx.Client) -> None:
    c = slow_rate
    assert len(data(c, _mutation(8))) == 8  # eight of the ten tokens
    r = c.post("/graphql", json={"query": _mutation(3)})
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1, r.text
    assert r.json()["errors"][0]["message"].startswith("Rate limit exceeded")
    # One token is left over for a query (a query costs one, whatever its root fields).
    assert data(c, "{ a: notes { totalCount } b: notes { totalCount } }")["a"]["totalCount"] == 8


def test_the_serial_executor_does_not_recurse_per_root_field() -> None:
    """graphql-core chains one coroutine per root mutation; ours loops."""
    assert executor_class is not None
    order: list[int] = []
    running = 0

    async def bump(_root: Any, info: Any) -> int:
        nonlocal running
        running += 1
        assert running == 1  # one root mutation at a time
        await asyncio.sleep(0)
        running -= 1
        order.append(int(info.path.key[1:]))
        return len(order)

    schema = GraphQLSchema(
        GraphQLObjectType("Query", {"x": GraphQLField(GraphQLInt)}),
        GraphQLObjectType("Mutation", {"bump": GraphQLField(GraphQLInt, resolve=bump)}),
    )
    n = 5000  # far past the interpreter's recursion limit
    doc = parse("mutation { " + " ".join(f"m{i}: bump" for i in range(n)) + " }")

    async def main() -> Any:
        result = execute(schema, doc, executor_class=executor_class)
        return await result  # type: ignore[misc]

    result = asyncio.run(main())
    assert result.errors is None
    assert order == list(range(n)) and result.data[f"m{n - 1}"] == n


def test_limits_are_configurable(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ROLODEX_GRAPHQL_MAX_ROOT_FIELDS", "2")
    monkeypatch.setenv("ROLODEX_GRAPHQL_MAX_ALIASES", "1")
    monkeypatch.setenv("ROLODEX_GRAPHQL_MAX_ROUND_TRIPS", "3")
    with LiveServer(db_url) as live, factories.http(live.url, factories.make_key(db_url)) as c:
        assert "more than 2 root fields" in over_limit(
            c, "{ a: __typename b: __typename c: __typename }"
        )
        assert "aliases more than 1" in over_limit(c, "{ a: __typename b: __typename }")
        doc = "{ people { totalCount edges { node { company { name } notes { title } } } } }"
        assert "more than 3 database statements" in over_limit(c, doc)
        assert post(c, "{ people { totalCount edges { node { company { name } } } } }")["data"]

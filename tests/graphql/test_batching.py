"""Relations are batched per request: one statement per relation per level, never per record.

The live server runs in this process, so wrapping the connections' ``fetch``
counts every read statement the GraphQL request runs.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from rolodex.api.graphql.routes import GraphQLEndpoint
from rolodex.kit.db import PgConn, SqliteConn
from tests.graphql.helpers import data

PEOPLE_WITH_RELATIONS = """{
  people(first: 100) {
    edges {
      node {
        name
        company { name }
        notes { edges { node { body } } }
      }
    }
  }
}"""


@pytest.fixture
def statements(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The text of every statement fetched for GraphQL requests while the test runs.

    Background work in the server (webhook dispatch, retention) is left out: only
    statements run in the context of GraphQLEndpoint._run, and of the tasks it
    starts, are counted.
    """
    seen: list[str] = []
    in_request: contextvars.ContextVar[bool] = contextvars.ContextVar("in_request", default=False)
    run = GraphQLEndpoint._run

    async def counted_run(self: Any, *args: Any, **kwargs: Any) -> Any:
        token = in_request.set(True)
        try:
            return await run(self, *args, **kwargs)
        finally:
            in_request.reset(token)

    monkeypatch.setattr(GraphQLEndpoint, "_run", counted_run)
    for cls in (PgConn, SqliteConn):
        original = cls.fetch

        async def fetch(
            self: Any,
            sql: Any,
            params: Any = None,
            *,
            last: bool = False,
            _original: Any = original,
        ) -> Any:
            if in_request.get():
                seen.append(sql.text)
            return await _original(self, sql, params, last=last)

        monkeypatch.setattr(cls, "fetch", fetch)
    yield seen


def populate(client: httpx.Client, n: int, notes_each: int = 2) -> list[dict[str, Any]]:
    companies = data(
        client,
        "mutation($d: [CompanyCreateInput!]!) { createCompanies(data: $d) { id } }",
        {"d": [{"name": f"Company {i}"} for i in range(max(1, n // 3))]},
    )["createCompanies"]
    people = data(
        client,
        "mutation($d: [PersonCreateInput!]!) { createPeople(data: $d) { id name } }",
        {
            "d": [
                {"name": f"Person {i:03d}", "companyId": companies[i % len(companies)]["id"]}
                for i in range(n)
            ]
        },
    )["createPeople"]
    if notes_each:
        data(
            client,
            "mutation($d: [NoteCreateInput!]!) { createNotes(data: $d) { id } }",
            {
                "d": [
                    {"body": f"{p['name']} note {j}", "personId": p["id"]}
                    for p in people
                    for j in range(notes_each)
                ]
            },
        )
    return people  # type: ignore[no-any-return]


def count(client: httpx.Client, statements: list[str], query: str) -> tuple[int, dict[str, Any]]:
    data(client, "{ people(first: 1) { totalCount } }")  # warm the key and registry caches
    statements.clear()
    result = data(client, query)
    return len(statements), result


def test_statement_count_does_not_grow_with_people(
    client: httpx.Client, statements: list[str]
) -> None:
    people = populate(client, 5)
    few, result = count(client, statements, PEOPLE_WITH_RELATIONS)
    edges = result["people"]["edges"]
    assert len(edges) == 5
    assert edges[0]["node"]["notes"]["edges"] == [
        {"node": {"body": "Person 000 note 0"}},
        {"node": {"body": "Person 000 note 1"}},
    ]
    assert edges[0]["node"]["company"] == {"name": "Company 0"}
    populate(client, 45)
    many, result = count(client, statements, PEOPLE_WITH_RELATIONS)
    assert len(result["people"]["edges"]) == 50
    assert all(len(e["node"]["notes"]["edges"]) == 2 for e in result["people"]["edges"])
    assert many == few, statements
    # The metadata version check, the page, the companies and the notes: nothing per person.
    assert many <= 4, statements
    assert len(people) == 5


def test_each_level_is_one_statement(client: httpx.Client, statements: list[str]) -> None:
    populate(client, 30, notes_each=3)
    nested = """{
      companies(first: 20) {
        edges { node {
          name
          people(first: 20) { name notes(first: 5) { body person { name company { name } } } }
        } }
      }
    }"""
    n, result = count(client, statements, nested)
    companies = result["companies"]["edges"]
    assert sum(len(c["node"]["people"]) for c in companies) == 30
    first = companies[0]["node"]["people"][0]
    assert first["notes"][0]["person"]["company"]["name"] == companies[0]["node"]["name"]
    # version + page + (people, notes, person, company): one per relation per level.
    assert n == 6, statements


def test_nested_total_count_is_exact_past_the_nested_limit(
    client: httpx.Client, statements: list[str]
) -> None:
    people = populate(client, 3, notes_each=0)
    data(
        client,
        "mutation($d: [NoteCreateInput!]!) { createNotes(data: $d) { id } }",
        {"d": [{"body": f"n{i}", "personId": people[0]["id"]} for i in range(75)]},
    )
    data(
        client,
        "mutation($d: [NoteCreateInput!]!) { createNotes(data: $d) { id } }",
        {"d": [{"body": "one", "personId": people[1]["id"]}]},
    )
    query = """{ people { edges { node {
      name
      notes(first: 10) { totalCount pageInfo { hasNextPage } edges { node { body } } }
    } } } }"""
    n, result = count(client, statements, query)
    got = {e["node"]["name"]: e["node"]["notes"] for e in result["people"]["edges"]}
    assert got["Person 000"]["totalCount"] == 75
    assert got["Person 000"]["pageInfo"] == {"hasNextPage": True}
    assert len(got["Person 000"]["edges"]) == 10
    assert got["Person 001"]["totalCount"] == 1
    assert got["Person 001"]["pageInfo"] == {"hasNextPage": False}
    assert got["Person 002"]["totalCount"] == 0
    # version + page + notes + one grouped count for the parent past the limit.
    assert n == 4, statements
    full = data(client, "{ people { edges { node { notes(first: 60) { totalCount } } } } }")
    assert full["people"]["edges"][0]["node"]["notes"]["totalCount"] == 75
    too_many = "{ people { edges { node { notesList(first: 61) { id } } } } }"
    body = client.post("/graphql", json={"query": too_many}).json()
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_mutation_results_are_batched_too(client: httpx.Client, statements: list[str]) -> None:
    acme = data(client, 'mutation { createCompany(data: {name: "Acme"}) { id } }')
    doc = """mutation($d: [PersonCreateInput!]!) {
      createPeople(data: $d) { name company { name } notes { totalCount } }
    }"""
    company_id = acme["createCompany"]["id"]
    made = data(client, doc, {"d": [{"name": f"P{i}", "companyId": company_id} for i in range(20)]})
    assert all(p["company"] == {"name": "Acme"} for p in made["createPeople"])
    assert all(p["notes"] == {"totalCount": 0} for p in made["createPeople"])
    statements.clear()
    data(client, doc, {"d": [{"name": f"Q{i}"} for i in range(20)]})
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) < 10, reads

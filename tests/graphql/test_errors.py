"""Errors the GraphQL way, authentication, scopes, tenancy, limits, and the HTTP surface."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests import factories
from tests.conftest import LiveServer
from tests.graphql.helpers import code, create, data, error, over_limit, post

PERSON = "query($id: ID!) { person(id: $id) { id name } }"


def test_no_key_is_a_401_with_graphql_errors(anon: httpx.Client) -> None:
    for headers in ({}, {"Authorization": "Bearer rdx_wrong"}, {"Authorization": "Basic x"}):
        r = anon.post("/graphql", json={"query": "{ people { totalCount } }"}, headers=headers)
        assert r.status_code == 401, r.text
        assert r.headers["www-authenticate"].startswith("Bearer")
        err = r.json()["errors"][0]
        assert err["extensions"]["code"] == "UNAUTHENTICATED" and err["message"]
        assert "data" not in r.json()
    # Introspection needs a key too.
    r = anon.post("/graphql", json={"query": "{ __schema { queryType { name } } }"})
    assert r.status_code == 401


def test_scopes(server: LiveServer, db_url: str) -> None:
    reader = factories.make_key(db_url, scopes=["record:read"])
    meta = factories.make_key(db_url, scopes=["metadata:read"])
    writer = factories.make_key(db_url, scopes=["record:read-write"])
    with (
        factories.http(server.url, reader) as r,
        factories.http(server.url, meta) as m,
        factories.http(server.url, writer) as w,
    ):
        made = data(w, 'mutation { createPerson(data: {name: "Ada"}) { id } }')["createPerson"]
        assert data(r, PERSON, made)["person"]["name"] == "Ada"
        assert data(w, PERSON, made)["person"]["name"] == "Ada"  # read-write implies read
        err = error(r, 'mutation { createPerson(data: {name: "Bob"}) { id } }')
        assert err["extensions"] == {"code": "FORBIDDEN", "required_scope": "record:read-write"}
        assert err["path"] == ["createPerson"]
        delete = "mutation($id: ID!) { deletePerson(id: $id) { success } }"
        assert code(r, delete, made) == "FORBIDDEN"
        assert code(r, "{ metadata { objects { name } } }") == "FORBIDDEN"
        assert code(m, "{ people { totalCount } }") == "FORBIDDEN"
        objects = data(m, "{ metadata { objects { name } } }")["metadata"]["objects"]
        assert {"person", "company", "note", "task", "member"} <= {o["name"] for o in objects}
        # Root fields are checked one by one: allowed ones still answer.
        body = post(r, "{ people { totalCount } metadata { objects { name } } }")
        assert body["data"]["people"] == {"totalCount": 1}
        assert body["errors"][0]["path"] == ["metadata"]
        # Introspection is open to any valid key.
        assert data(m, "{ __schema { queryType { name } } }")["__schema"]["queryType"]["name"] == (
            "Query"
        )


def test_tenant_isolation(server: LiveServer, db_url: str, client: httpx.Client) -> None:
    other_ws = factories.make_workspace(db_url)
    other = factories.make_key(db_url, workspace=other_ws)
    mine = create(client, "Person", {"name": "Mine", "email": "mine@example.com"})
    with factories.http(server.url, other) as them:
        assert data(them, "{ people { totalCount edges { node { id } } } }")["people"] == {
            "totalCount": 0,
            "edges": [],
        }
        for doc in (
            PERSON,
            'mutation($id: ID!) { updatePerson(id: $id, data: {name: "X"}) { id } }',
            "mutation($id: ID!) { deletePerson(id: $id) { success } }",
        ):
            err = error(them, doc, {"id": mine["id"]})
            assert err["extensions"]["code"] == "NOT_FOUND", doc
        # Linking to another workspace's record is refused as if it did not exist.
        err = error(
            them,
            'mutation($c: ID!) { createNote(data: {body: "x", personId: $c}) { id } }',
            {"c": mine["id"]},
        )
        assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "personId"}
        # Their own record with my email is no clash: uniqueness is per workspace.
        create(them, "Person", {"name": "Theirs", "email": "mine@example.com"})
    assert data(client, PERSON, mine)["person"]["name"] == "Mine"
    assert data(client, "{ people { totalCount } }")["people"]["totalCount"] == 1


def test_malformed_documents(client: httpx.Client) -> None:
    cases = {
        "{ people { ": "GRAPHQL_PARSE_FAILED",
        "query { people { edges { node { nope } } } }": "GRAPHQL_VALIDATION_FAILED",
        "{ nothing }": "GRAPHQL_VALIDATION_FAILED",
        "{ people }": "GRAPHQL_VALIDATION_FAILED",
        "subscription { people { totalCount } }": "GRAPHQL_VALIDATION_FAILED",
        'mutation { createPerson(data: {nope: "x"}) { id } }': "GRAPHQL_VALIDATION_FAILED",
        "mutation { createPerson(data: {name: 5}) { id } }": "GRAPHQL_VALIDATION_FAILED",
        "query($x: Int) { people { totalCount } }": "GRAPHQL_VALIDATION_FAILED",  # unused var
    }
    for doc, expected in cases.items():
        body = post(client, doc)
        assert "data" not in body, doc
        assert [e["extensions"]["code"] for e in body["errors"]][:1] == [expected], (doc, body)
        assert body["errors"][0]["locations"], doc


def test_malformed_variables(client: httpx.Client) -> None:
    doc = "mutation($input: PersonCreateInput!) { createPerson(data: $input) { id } }"
    for variables in (
        {},  # missing required variable
        {"input": None},
        {"input": "Ada"},  # wrong type
        {"input": {"name": "Ada", "nope": 1}},  # unknown input field
        {"input": {"name": ["Ada"]}},
    ):
        body = post(client, doc, variables)
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", (variables, body)
        assert body.get("data") is None
    # Values GraphQL accepts but the record layer refuses name the field.
    err = error(client, doc, {"input": {"name": "Ada", "email": "not an email"}})
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "email"}
    err = error(client, 'mutation { createTask(data: {body: "no title"}) { id } }')
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "title"}
    # A variables value that is not an object, or not JSON at all, is a bad request.
    for raw in ('"x"', "[1]"):
        body = {"query": "{ people { totalCount } }", "variables": json.loads(raw)}
        r = client.post("/graphql", json=body)
        assert r.status_code == 400 and r.json()["errors"][0]["extensions"]["field"] == "variables"
    r = client.get("/graphql", params={"query": "{ people { totalCount } }", "variables": "{x"})
    assert r.status_code == 400 and r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_malformed_bodies(client: httpx.Client) -> None:
    headers = {"Content-Type": "application/json"}
    for raw in (b"", b"{", b"null", b'"query"', b"[]", b'{"query": 5}', b'{"variables": {}}'):
        r = client.post("/graphql", content=raw, headers=headers)
        assert r.status_code == 400, (raw, r.text)
        assert r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    xml = {"Content-Type": "application/xml"}
    r = client.post("/graphql", content=b"{ people { totalCount } }", headers=xml)
    assert r.status_code == 415 and r.json()["errors"]
    r = client.post("/graphql", json={"query": "{ a: people { totalCount } }", "operationName": 7})
    assert r.status_code == 400
    body = post(client, "query A { people { totalCount } }", operation="B")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_conflicts_and_not_found(client: httpx.Client) -> None:
    create(client, "Person", {"name": "Ada", "email": "ada@example.com"})
    err = error(client, 'mutation { createPerson(data: {email: "ADA@example.com"}) { id } }')
    assert err["extensions"]["code"] == "CONFLICT" and err["extensions"]["field"] == "email"
    assert "existingId" in err["extensions"]
    upserted = data(
        client,
        'mutation { createPerson(data: {name: "Ada L", email: "ada@example.com"}, upsert: true) '
        "{ name } }",
    )
    assert upserted == {"createPerson": {"name": "Ada L"}}
    err = error(client, '{ person(id: "00000000-0000-7000-8000-000000000000") { id } }')
    assert err["extensions"] == {"code": "NOT_FOUND", "field": "id"}
    assert code(client, '{ metadata { objects(name: "persons") { name } } }') == "NOT_FOUND"
    # person() takes an id or a filter.
    got = data(client, '{ person(filter: { email: { eq: "ada@example.com" } }) { name } }')
    assert got == {"person": {"name": "Ada L"}}
    assert code(client, "{ person { id } }") == "BAD_USER_INPUT"


def test_internal_errors_say_nothing_internal(
    client: httpx.Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    from rolodex.records.service import RecordService

    async def boom(*_args: Any, **_kw: Any) -> Any:
        raise RuntimeError("secret connection string postgres://x")

    monkeypatch.setattr(RecordService, "page", boom)
    body = post(client, "{ people { totalCount } }")
    err = body["errors"][0]
    assert err["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in json.dumps(body) and "RuntimeError" not in json.dumps(body)
    assert err["extensions"]["requestId"] in err["message"]


@pytest.fixture
def strict_server(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[LiveServer]:
    monkeypatch.setenv("ROLODEX_GRAPHQL_MAX_DEPTH", "5")
    monkeypatch.setenv("ROLODEX_GRAPHQL_MAX_COMPLEXITY", "500")
    monkeypatch.setenv("ROLODEX_GRAPHQL_MAX_PAGE_SIZE", "20")
    monkeypatch.setenv("ROLODEX_GRAPHQL_MAX_BATCH", "3")
    with LiveServer(db_url) as live:
        yield live


def test_limits_default(client: httpx.Client) -> None:
    deep = "{ people { edges { node { company { people { company { people { company { people {"
    deep += " company { name } } } } } } } } } } }"
    assert "limit is 10" in over_limit(client, deep)
    ok = "{ people { edges { node { company { people { company { name } } } } } } }"
    assert data(client, ok) == {"people": {"edges": []}}
    costly = "{ people(first: 100) { edges { node { notes { edges { node {"
    costly += " person { tasks { totalCount } } } } } } } } }"
    assert "would cost" in over_limit(client, costly)
    # The standard introspection query is deeper than 10 but not counted.
    from graphql import get_introspection_query

    assert data(client, get_introspection_query())["__schema"]["queryType"]["name"] == "Query"


def test_limits_from_the_environment(strict_server: LiveServer, db_url: str) -> None:
    key = factories.make_key(db_url)
    with factories.http(strict_server.url, key) as c:
        assert "limit is 5" in over_limit(
            c, "{ people { edges { node { company { people { id } } } } } }"
        )
        assert data(c, "{ people { edges { node { company { name } } } } }")
        assert "at most 20" in error(c, "{ people(first: 21) { totalCount } }")["message"]
        nested = "{ people(first: 20) { edges { node { notes(first: 30) { totalCount } } } } }"
        assert "would cost" in over_limit(c, nested)
        four = [{"name": f"P{i}"} for i in range(4)]
        doc = "mutation($d: [PersonCreateInput!]!) { batchCreatePeople(data: $d) { id } }"
        err = error(c, doc, {"d": four})
        assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "data"}
        assert len(data(c, doc, {"d": four[:3]})["batchCreatePeople"]) == 3


def test_get_post_and_paths(client: httpx.Client) -> None:
    for path in ("/graphql", "/graphql/"):
        r = client.get(path, params={"query": "{ people { totalCount } }"})
        assert r.status_code == 200 and r.json() == {"data": {"people": {"totalCount": 0}}}
        r = client.post(path, json={"query": "{ people { totalCount } }"})
        assert r.status_code == 200 and r.json() == {"data": {"people": {"totalCount": 0}}}
    doc = "query($n: Int) { people(first: $n) { totalCount } }"
    r = client.get("/graphql", params={"query": doc, "variables": '{"n": 1}'})
    assert r.json() == {"data": {"people": {"totalCount": 0}}}
    mutation = 'mutation { createPerson(data: {name: "x"}) { id } }'
    r = client.get("/graphql", params={"query": mutation})
    assert r.status_code == 405 and r.headers["allow"] == "POST"
    assert r.json()["errors"][0]["message"] == "Send mutations with POST."
    assert data(client, "{ people { totalCount } }") == {"people": {"totalCount": 0}}
    assert client.put("/graphql", json={}).status_code == 405


def test_graphiql_page(anon: httpx.Client) -> None:
    for path in ("/graphql", "/graphql/"):
        r = anon.get(path, headers={"Accept": "text/html,application/xhtml+xml"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        page = r.text
        assert "graphiql.min.js" in page and "integrity=" in page
        assert "Authorization" in page and "Bearer YOUR_API_KEY" in page
        # The page posts to the endpoint it came from (trailing slash is optional).
        assert json.dumps("/graphql") in page
    # Without a browser's Accept header, GET without a query is a client error.
    assert anon.get("/graphql").status_code == 401


def test_introspection(client: httpx.Client) -> None:
    doc = """{
      person: __type(name: "Person") { fields { name } }
      input: __type(name: "PersonCreateInput") { inputFields { name type { name } } }
      order: __type(name: "OrderByDirection") { enumValues { name } }
      filter: __type(name: "StringFilter") { inputFields { name } }
    }"""
    got = data(client, doc)
    fields = {f["name"] for f in got["person"]["fields"]}
    assert {"id", "name", "email", "company", "notes", "notesList", "customFields"} <= fields
    inputs = {f["name"]: f["type"]["name"] for f in got["input"]["inputFields"]}
    assert inputs["companyId"] == "ID" and "createdAt" not in inputs
    assert [v["name"] for v in got["order"]["enumValues"]] == [
        "ASC",
        "DESC",
        "AscNullsFirst",
        "AscNullsLast",
        "DescNullsFirst",
        "DescNullsLast",
    ]
    assert {f["name"] for f in got["filter"]["inputFields"]} == {
        "eq", "neq", "in", "contains", "startsWith", "like", "ilike",
        "gt", "gte", "lt", "lte", "is",
    }  # fmt: skip
    mutations = data(client, "{ __schema { mutationType { fields { name } } } }")
    names = {f["name"] for f in mutations["__schema"]["mutationType"]["fields"]}
    for cap, plural in (("Person", "People"), ("Company", "Companies"), ("Task", "Tasks")):
        assert {f"create{cap}", f"update{cap}", f"delete{cap}"} <= names
        assert {f"create{plural}", f"batchCreate{plural}"} <= names

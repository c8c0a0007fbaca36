"""Idempotency-Key on GraphQL over POST: a replayed mutation is answered, not redone;
another document or variables with the same key is refused."""

from __future__ import annotations

import httpx

from tests import factories
from tests.conftest import LiveServer


def _people(c: httpx.Client) -> int:
    return int(c.get("/rest/people?count=exact").json()["totalCount"])


def test_graphql_mutations_replay(client: httpx.Client, db_url: str) -> None:
    doc = {
        "query": "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id } }",
        "variables": {"d": {"name": "Grace"}},
    }
    first = client.post("/graphql", json=doc, headers={"Idempotency-Key": "g"})
    assert first.status_code == 200 and "errors" not in first.json(), first.text
    again = client.post("/graphql", json=doc, headers={"Idempotency-Key": "g"})
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert _people(client) == 1
    assert len([e for e in factories.events(db_url) if e["type"] == "person.created"]) == 1
    other = {**doc, "variables": {"d": {"name": "Other"}}}
    r = client.post("/graphql", json=other, headers={"Idempotency-Key": "g"})
    assert r.status_code == 422
    assert r.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert "Idempotency-Key" in r.json()["errors"][0]["message"]


def test_a_mutation_refused_for_its_scope_does_nothing(db_url: str, server: LiveServer) -> None:
    reader = factories.make_key(db_url, scopes=["record:read"])
    doc = {"query": 'mutation { createPerson(data: {name: "X"}) { id } }'}
    with factories.http(server.url, reader) as c:
        first = c.post("/graphql", json=doc, headers={"Idempotency-Key": "ro"})
        assert first.json()["errors"], first.text
        # The refusal is the recorded answer (GraphQL reports scopes in the result).
        again = c.post("/graphql", json=doc, headers={"Idempotency-Key": "ro"})
        assert again.json() == first.json()
        assert _people(c) == 0

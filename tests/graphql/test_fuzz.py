"""A schema-driven fuzz of /graphql: no generated operation may be a server error.

The schema is fetched from a live server (on each backend) by introspection;
``hypothesis-graphql`` generates queries and mutations from it, with ids
drawn from seeded records (so operations touch data) and JSON made of the
keys and values the operations take. Each is sent over HTTP; an HTTP 5xx or
an ``INTERNAL_SERVER_ERROR`` fails the test. Bounded and derandomised for CI;
set ``ROLODEX_GRAPHQL_FUZZ_EXAMPLES`` to run longer, for example 3000.
"""

from __future__ import annotations

import json
import os
from datetime import UTC
from typing import Any

import graphql
import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import strategies as gql_st

from tests import factories

EXAMPLES = int(os.environ.get("ROLODEX_GRAPHQL_FUZZ_EXAMPLES", "300"))

# Keys and values that the JSON arguments (webhooks, fields, objects, consent) understand.
_KEYS = (
    *("name", "label", "type", "objectName", "nameSingular", "namePlural", "description"),
    *("targetUrl", "subscriptions", "eventType", "filter", "operations", "secret", "isActive"),
    *("purpose", "legalBasis", "source", "purposes", "options", "value", "settings"),
    *("nullable", "unique", "default", "field", "operator", "amount", "currencyCode"),
)
_WORDS = (
    *("person", "company", "note", "task", "people", "TEXT", "NUMBER", "SELECT", "consent"),
    *("https://example.com/hook", "person.*", "person.created", "newsletter", "eq", "", "x"),
)


def _node(value: Any) -> graphql.ValueNode:
    """A Python JSON value as a GraphQL literal."""
    if value is None:
        return graphql.NullValueNode()
    if isinstance(value, bool):
        return graphql.BooleanValueNode(value=value)
    if isinstance(value, int):
        return graphql.IntValueNode(value=str(value))
    if isinstance(value, float):
        return graphql.FloatValueNode(value=repr(value))
    if isinstance(value, str):
        return graphql.StringValueNode(value=value)
    if isinstance(value, list):
        return graphql.ListValueNode(values=tuple(_node(v) for v in value))
    return graphql.ObjectValueNode(
        fields=tuple(
            graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=_node(v))
            for k, v in value.items()
        )
    )


def _scalars(ids: list[str]) -> dict[str, st.SearchStrategy[graphql.ValueNode]]:
    text = st.text(max_size=20)
    words = st.sampled_from(_WORDS) | text
    names = st.sampled_from(_KEYS) | st.from_regex(r"\A[_A-Za-z][_0-9A-Za-z]{0,8}\Z")
    leaf = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | words
    leaf |= st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(ids)
    json_values = st.recursive(
        leaf,
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(names, inner, max_size=4),
        max_leaves=8,
    )
    an_id = st.sampled_from(ids) | st.uuids().map(str) | text
    instant = st.datetimes(timezones=st.just(UTC)).map(
        lambda d: d.isoformat().replace("+00:00", "Z")
    )
    return {
        "ID": an_id.map(_node),
        "JSON": json_values.map(_node),
        "DateTime": (instant | text).map(_node),
        "Date": (st.dates().map(str) | text).map(_node),
    }


def _seed(client: httpx.Client) -> list[str]:
    """A few related records of each kind; their ids."""
    acme = factories.company(client, name="Acme", domain="acme.example")
    ids = [acme["id"]]
    for i in range(3):
        p = factories.person(client, name=f"P{i}", email=f"p{i}@example.com", companyId=acme["id"])
        note = factories.create(client, "notes", title=f"N{i}", personId=p["id"])
        task = factories.create(client, "tasks", title=f"T{i}", personId=p["id"])
        ids += [p["id"], note["id"], task["id"]]
    return ids


def _check(client: httpx.Client, document: str) -> str:
    """Send ``document``; the first error code of the answer, or "ok"."""
    r = client.post("/graphql", json={"query": document})
    assert r.status_code < 500, (document, r.text)
    body = r.json()
    for error in body.get("errors") or ():
        assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR", (document, error)
    errors = body.get("errors") or [{"extensions": {"code": "ok"}}]
    return str(errors[0]["extensions"]["code"])


@pytest.mark.slow
def test_generated_operations_are_never_server_errors(client: httpx.Client) -> None:
    ids = _seed(client)
    introspection = client.post("/graphql", json={"query": graphql.get_introspection_query()})
    schema = graphql.build_client_schema(introspection.json()["data"])
    scalars = _scalars(ids)
    # One strategy per root field, so that examples spread over all of them.
    assert schema.query_type is not None and schema.mutation_type is not None
    operations = st.one_of(
        *(
            gql_st.queries(schema, fields=[f], custom_scalars=scalars)
            for f in schema.query_type.fields
        ),
        *(
            gql_st.mutations(schema, fields=[f], custom_scalars=scalars)
            for f in schema.mutation_type.fields
        ),
    )
    seen: dict[str, int] = {}

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(operations)
    def run(document: str) -> None:
        outcome = _check(client, document)
        seen[outcome] = seen.get(outcome, 0) + 1

    run()
    # Some operations ran to the end: the fuzz does not only probe validation.
    assert seen.get("ok", 0) > EXAMPLES // 20, json.dumps(seen)

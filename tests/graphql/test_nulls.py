"""Nullable arguments, empty lists, negative and huge numbers: a default or a user
error, never an internal one (issue 18, item 5)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import graphql
import httpx
import pytest

from tests import factories
from tests.graphql.helpers import data, error


def test_a_null_page_size_is_the_default(client: httpx.Client) -> None:
    p = factories.person(client, name="Ada")
    doc = 'query($id: ID!) { recordTimeline(object: "person", id: $id, first: null, after: null) }'
    got = data(client, doc, {"id": p["id"]})["recordTimeline"]
    assert [i["type"] for i in got["timeline"]] == ["person.created"]
    doc = 'query($id: ID!, $n: Int) { recordTimeline(object: "person", id: $id, first: $n) }'
    assert data(client, doc, {"id": p["id"], "n": None})["recordTimeline"]["timeline"]
    err = error(client, doc, {"id": p["id"], "n": -1})
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    got = data(client, "{ webhooks(limit: null, offset: null) }")["webhooks"]
    assert got == {"webhooks": [], "totalCount": 0}
    err = error(client, "{ webhooks(offset: -1) }")
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "offset"}


def _value(t: Any, ids: dict[str, str]) -> str:
    """A plausible literal of input type ``t``."""
    t = graphql.get_nullable_type(t)
    if isinstance(t, graphql.GraphQLList):
        return f"[{_value(t.of_type, ids)}]"
    if isinstance(t, graphql.GraphQLEnumType):
        return next(iter(t.values))
    if isinstance(t, graphql.GraphQLInputObjectType):
        required = [
            f"{n}: {_value(f.type, ids)}"
            for n, f in t.fields.items()
            if graphql.is_non_null_type(f.type)
        ]
        return "{" + ", ".join(required) + "}"
    return {
        "ID": f'"{ids["person"]}"',
        "String": '"person"',
        "Int": "1",
        "Float": "1.5",
        "Boolean": "true",
        "JSON": "{}",
        "DateTime": '"2025-01-01T00:00:00Z"',
        "Date": '"2025-01-01"',
    }[t.name]


def _odd_values(t: Any) -> list[str]:
    """Values of ``t`` a careless resolver mishandles: null, empty, negative, huge."""
    out = [] if graphql.is_non_null_type(t) else ["null"]
    t = graphql.get_nullable_type(t)
    if isinstance(t, graphql.GraphQLList):
        out.append("[]")
    elif isinstance(t, graphql.GraphQLInputObjectType):
        out.append("{}")
        out += [
            f"{{{n}: null}}" for n, f in t.fields.items() if not graphql.is_non_null_type(f.type)
        ]
    elif getattr(t, "name", None) == "Int":
        out += ["-1", "0", "2147483647", "-2147483648"]
    elif getattr(t, "name", None) in ("String", "ID"):
        out += ['""', '"00000000-0000-0000-0000-000000000000"']
    elif getattr(t, "name", None) == "JSON":
        out += ["null", "[]", "0", '""', "{a: null}"]
    return out


def _selection(t: Any) -> str:
    named = graphql.get_named_type(t)
    return " { __typename }" if isinstance(named, graphql.GraphQLObjectType) else ""


def _documents(schema: graphql.GraphQLSchema, ids: dict[str, str]) -> Iterator[str]:
    """Each root field with every argument in turn given each odd value, the rest plausible."""
    for kind, root in (("query", schema.query_type), ("mutation", schema.mutation_type)):
        assert root is not None
        for name, field in root.fields.items():
            plain = {a: _value(arg.type, ids) for a, arg in field.args.items()}
            required = {
                a: v for a, v in plain.items() if graphql.is_non_null_type(field.args[a].type)
            }
            for arg_name, arg in field.args.items():
                for odd in _odd_values(arg.type):
                    for base in (required, plain):
                        args = {**base, arg_name: odd}
                        given = ", ".join(f"{a}: {v}" for a, v in args.items())
                        yield f"{kind} {{ {name}({given}){_selection(field.type)} }}"


@pytest.mark.slow
def test_every_argument_null_empty_or_out_of_range(client: httpx.Client) -> None:
    company = factories.company(client, name="Acme")
    person = factories.person(client, name="Ada", companyId=company["id"])
    ids = {"person": person["id"]}
    introspection = client.post("/graphql", json={"query": graphql.get_introspection_query()})
    schema = graphql.build_client_schema(introspection.json()["data"])
    sent = 0
    for doc in _documents(schema, ids):
        r = client.post("/graphql", json={"query": doc})
        assert r.status_code < 500, (doc, r.text)
        for e in r.json().get("errors") or ():
            assert e["extensions"]["code"] != "INTERNAL_SERVER_ERROR", (doc, e)
        sent += 1
    assert sent > 200

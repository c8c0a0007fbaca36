"""Hostile values in filters and writes: LIKE patterns, database-refused values, deep nesting.

Each must be a 4xx naming what it can, or a correct answer; never a 500.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from tests import factories
from tests.api.test_errors import check_error
from tests.conftest import LiveServer
from tests.graphql.helpers import post

from rolodex.kit.db import Conn
from rolodex.kit.errors import ValidationError

JSON = {"Content-Type": "application/json"}


def names(client: httpx.Client, flt: str) -> list[str]:
    r = client.get("/rest/people", params={"filter": flt, "order_by": "name"})
    assert r.status_code == 200, (flt, r.text)
    return [p["name"] for p in r.json()["data"]["people"]]


def test_like_patterns_escape_the_same_on_both_backends(client: httpx.Client) -> None:
    for name in ("back\\", "100% sure", "1000 sure", "a_b", "axb", "C:\\Temp", "plain"):
        factories.person(client, name=name)
    # A lone backslash at the end is a literal backslash (PostgreSQL refused it: a 500).
    assert names(client, "name[like]:\\") == []
    assert names(client, "name[ilike]:\\") == []
    assert names(client, "name[like]:back\\") == ["back\\"]
    assert names(client, "name[ilike]:BACK\\") == ["back\\"]
    assert names(client, "name[like]:%\\") == ["back\\"]
    # \% and \_ are a literal percent and underscore; % and _ stay wildcards.
    assert names(client, "name[like]:100\\%%") == ["100% sure"]
    assert names(client, "name[like]:100%") == ["100% sure", "1000 sure"]
    assert names(client, "name[like]:a\\_b") == ["a_b"]
    assert names(client, "name[like]:a_b") == ["a_b", "axb"]
    # \\ is a literal backslash; a backslash before another character is dropped.
    assert names(client, "name[ilike]:c:\\\\temp") == ["C:\\Temp"]
    assert names(client, "name[like]:\\plain") == ["plain"]
    # startsWith and contains take no wildcards at all.
    assert names(client, "name[startsWith]:back\\") == ["back\\"]
    assert sorted(names(client, "name[contains]:\\")) == ["C:\\Temp", "back\\"]


def test_like_patterns_in_graphql(client: httpx.Client) -> None:
    factories.person(client, name="back\\")
    factories.person(client, name="100% sure")
    doc = "query($f: PersonFilterInput) { people(filter: $f) { edges { node { name } } } }"
    for op in ("like", "ilike"):
        for pattern, want in (("\\", []), ("%\\", ["back\\"]), ("100\\%%", ["100% sure"])):
            body = post(client, doc, {"f": {"name": {op: pattern}}})
            assert "errors" not in body, body
            got = [e["node"]["name"] for e in body["data"]["people"]["edges"]]
            assert got == want, (op, pattern, got)


def test_database_value_errors_are_400s(db_url: str) -> None:
    """The driver's "this value is wrong" errors become 400s, whatever validation missed."""

    async def work(conn: Conn) -> None:
        cases: list[tuple[Any, dict[str, Any]]]
        if conn.sqlite:
            cases = [(sa.text("SELECT :v"), {"v": 2**70})]
        else:
            cases = [
                (sa.text("SELECT CAST(:v AS integer)"), {"v": "not a number"}),
                (sa.text("SELECT CAST(:v AS integer)"), {"v": "99999999999"}),
                (sa.text("SELECT CAST(:v AS date)"), {"v": "10000-01-01"}),
                (sa.text("SELECT CAST(CAST(:v AS text) AS jsonb)"), {"v": '{"a": "\\u0000"}'}),
                (sa.text("SELECT 'ab' LIKE CAST(:v AS text)"), {"v": "\\"}),
                (sa.text("SELECT CAST(CAST(:v AS text) AS integer)"), {"v": "x" * 5000}),
                (sa.text("SELECT CAST(CAST(:v AS text) AS date)"), {"v": "10000000-01-01"}),
            ]
        for clause, params in cases:
            compiled = conn.db.compile(clause)
            with pytest.raises(ValidationError) as exc:
                await conn.fetch(compiled, params)
            assert exc.value.status == 400
            assert len(exc.value.message) < 300

    factories.run_db(db_url, work, write=False)


HOSTILE_FILTERS = [
    "name[like]:\\",
    "name[ilike]:\\\\\\",
    "name[eq]:a\x00b",
    "name[like]:\x00",
    "tags[contains]:\x00",
    "email[ilike]:%\\",
    "id[eq]:\x00",
    "id[in]:[\x00]",
    "createdAt[gt]:10000-01-01",
    "createdAt[gt]:0000-01-01",
    "createdAt[lt]:0001-01-01T00:00:00+14:00",
    "createdAt[gt]:9999-12-31T23:59:59-14:00",
    "createdAt[gt]:NaN",
    "name[eq]:" + "x" * 9000,
]
COMPANY_FILTERS = [
    "employees[gt]:99999999999999999999999",
    "employees[gt]:-1e308",
    "employees[gt]:1e400",
    "employees[eq]:NaN",
    "employees[in]:[1,inf]",
    "domain[like]:\\",
]


def test_hostile_filters(client: httpx.Client) -> None:
    factories.person(client, name="Ada", tags=["x"])
    factories.company(client, name="Acme", employees=5)
    for plural, filters in (("people", HOSTILE_FILTERS), ("companies", COMPANY_FILTERS)):
        for flt in filters:
            r = client.get(f"/rest/{plural}", params={"filter": flt})
            assert r.status_code < 500, (flt, r.text)
            if r.status_code >= 400:
                body = check_error(r, 400)
                assert len(body["message"]) < 400, body


def test_hostile_writes(client: httpx.Client) -> None:
    p = factories.person(client, name="Ada")
    for body in (
        {"objectName": "person", "name": "blob", "type": "JSON"},
        {"objectName": "person", "name": "born", "type": "DATE"},
        {"objectName": "person", "name": "rank", "type": "RATING"},
        {"objectName": "person", "name": "score", "type": "NUMBER"},
    ):
        assert client.post("/rest/metadata/fields", json=body).status_code == 201
    bad: list[tuple[str, dict[str, Any], str]] = [
        ("people", {"name": "a\x00b"}, "name"),
        ("people", {"name": "x", "tags": ["a\x00"]}, "tags"),
        ("people", {"name": "x", "blob": {"k\x00": 1}}, "blob"),
        ("people", {"name": "x", "blob": {"k": "\x00"}}, "blob"),
        ("people", {"name": "x", "born": "10000-01-01"}, "born"),
        ("people", {"name": "x", "born": "0000-01-01"}, "born"),
        ("people", {"name": "x", "rank": 1e308}, "rank"),
        ("people", {"name": "x", "score": 2**70}, "score"),
        ("people", {"name": "x", "score": -(2**70)}, "score"),
        ("people", {"name": "x", "jobTitle": "y" * 100_001}, "jobTitle"),
        ("companies", {"name": "x", "employees": 2**63}, "employees"),
        ("companies", {"name": "x", "employees": -1}, "employees"),
        ("companies", {"name": "x", "domain": "a\x00.com"}, "domain"),
        ("companies", {"name": "x", "domain": "x" * 300 + ".com"}, "domain"),
        ("tasks", {"title": "t", "dueDate": "10000-01-01T00:00:00Z"}, "dueDate"),
    ]
    for plural, body, field in bad:
        r = client.post(f"/rest/{plural}", json=body)
        assert check_error(r, 400).get("field") == field, (body, r.text[:300])
        if plural == "people":
            r = client.patch(f"/rest/people/{p['id']}", json={k: v for k, v in body.items()})
            assert check_error(r, 400).get("field") == field, (body, r.text[:300])
    # Large but acceptable values are stored (an indexed name of 100,000 characters included).
    big = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(100_000))
    r = client.post("/rest/companies", json={"name": big})
    assert r.status_code in (201, 400), r.text[:300]
    if r.status_code == 400:
        assert check_error(r, 400)


def nested_list(depth: int) -> str:
    return "[" * depth + "]" * depth


def nested_object(depth: int) -> str:
    return '{"a": ' * depth + "1" + "}" * depth


def test_deep_values_are_400s_without_repr(client: httpx.Client) -> None:
    """1,000 deep was a RecursionError (a 500) building the message with repr()."""
    for depth in (65, 1000, 1100):
        for plural, raw in (
            ("people", '{"name": "x", "tags": ' + nested_list(depth) + "}"),
            ("notes", '{"title": ' + nested_object(depth) + "}"),
            ("people", "[" * depth + "]" * depth),
        ):
            r = client.post(f"/rest/{plural}", content=raw, headers=JSON)
            body = check_error(r, 400)
            assert "64 levels" in body["message"], body
    # Within the limit, a wrong nested value is refused with a short message.
    r = client.post(
        "/rest/people", content='{"name": "x", "tags": ' + nested_list(60) + "}", headers=JSON
    )
    body = check_error(r, 400)
    assert body["field"] == "tags" and len(body["message"]) < 200, body
    r = client.post("/rest/notes", content='{"title": ' + nested_object(60) + "}", headers=JSON)
    body = check_error(r, 400)
    assert body["field"] == "title" and len(body["message"]) < 200, body
    # A long wrong value is quoted shortened, not whole.
    body = check_error(client.post("/rest/people", json={"email": "@" * 50_000}), 400)
    assert body["field"] == "email" and len(body["message"]) < 200
    assert client.get("/rest/people").json()["totalCount"] == 0


def test_deep_graphql_variables_are_400s(client: httpx.Client) -> None:
    doc = "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id } }"
    raw = (
        '{"query": "'
        + doc
        + '", "variables": {"d": {"name": "x", "tags": '
        + nested_list(1000)
        + "}}}"
    )
    r = client.post("/graphql", content=raw, headers=JSON)
    assert r.status_code == 400, r.text[:300]
    assert "64 levels" in r.json()["errors"][0]["message"]
    query = "query($f: PersonFilterInput) { people(filter: $f) { totalCount } }"
    variables = '{"f": {"and": ' + nested_list(1000) + "}}"
    r = client.get("/graphql", params={"query": query, "variables": variables})
    assert r.status_code == 400, r.text[:300]
    assert "levels deep" in r.json()["errors"][0]["message"]


@pytest.fixture
def shallow_server(db_url: str) -> Iterator[LiveServer]:
    with LiveServer(db_url, max_json_depth=3) as live:
        yield live


def test_the_depth_limit_is_a_setting(shallow_server: LiveServer, api_key: str) -> None:
    with factories.http(shallow_server.url, api_key) as c:
        ok = c.post("/rest/batch/people", json=[{"name": "x", "tags": ["a"]}])
        assert ok.status_code == 201, ok.text
        r = c.post("/rest/batch/people", json=[{"name": "y", "tags": [["a"]]}])
        assert "3 levels" in check_error(r, 400)["message"]

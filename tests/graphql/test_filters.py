"""Filters (every operator of every filter input), ordering and paging through GraphQL."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest

from tests.graphql.helpers import add_custom_field, code, create, data, error


def names(client: httpx.Client, plural: str, flt: str, field: str = "name") -> list[str]:
    """Names of ``plural`` matching the filter literal, in the default order."""
    doc = f"{{ {plural}(filter: {flt}) {{ edges {{ node {{ {field} }} }} }} }}"
    return [e["node"][field] for e in data(client, doc)[plural]["edges"]]


@pytest.fixture
def people(client: httpx.Client) -> dict[str, dict[str, Any]]:
    acme = create(client, "Company", {"name": "Acme", "employees": 250})
    out = {}
    for fields in (
        {"name": "Ada Lovelace", "email": "ada@example.com", "jobTitle": "Engineer"},
        {"name": "Grace Hopper", "email": "grace@navy.mil", "tags": ["vip", "navy"]},
        {"name": "Alan Turing", "email": "alan@example.com", "companyId": acme["id"]},
        {"name": "Hal", "jobTitle": "computer_100%"},
    ):
        out[fields["name"]] = create(client, "Person", fields)
        time.sleep(0.002)  # distinct createdAt values
    return out


def test_string_filter(client: httpx.Client, people: dict[str, Any]) -> None:
    def f(flt: str) -> list[str]:
        return names(client, "people", flt)

    assert f('{ email: { eq: "ada@example.com" } }') == ["Ada Lovelace"]
    # neq keeps records whose field is empty, unlike SQL's <>.
    assert f('{ email: { neq: "ada@example.com" } }') == ["Grace Hopper", "Alan Turing", "Hal"]
    assert f('{ name: { in: ["Hal", "Ada Lovelace", "Nobody"] } }') == ["Ada Lovelace", "Hal"]
    assert f("{ name: { in: [] } }") == []
    assert f('{ email: { contains: "EXAMPLE" } }') == ["Ada Lovelace", "Alan Turing"]
    assert f('{ name: { startsWith: "A" } }') == ["Ada Lovelace", "Alan Turing"]
    assert f('{ jobTitle: { startsWith: "computer_" } }') == ["Hal"]
    assert f('{ jobTitle: { contains: "0%" } }') == ["Hal"]
    assert f('{ name: { like: "%an%" } }') == ["Alan Turing"]
    assert f('{ name: { ilike: "%HOP%" } }') == ["Grace Hopper"]
    assert f('{ name: { gt: "Grace Hopper" } }') == ["Hal"]
    assert f('{ name: { gte: "Grace Hopper" } }') == ["Grace Hopper", "Hal"]
    assert f('{ name: { lt: "Alan Turing" } }') == ["Ada Lovelace"]
    assert f('{ name: { lte: "Alan Turing" } }') == ["Ada Lovelace", "Alan Turing"]
    assert f("{ email: { is: NULL } }") == ["Hal"]
    assert f("{ jobTitle: { is: NOT_NULL } }") == ["Ada Lovelace", "Hal"]
    # Two operators on one field both apply.
    assert f('{ name: { gte: "Alan", lt: "Hal" } }') == ["Grace Hopper", "Alan Turing"]


def test_logical_filters(client: httpx.Client, people: dict[str, Any]) -> None:
    def f(flt: str) -> list[str]:
        return names(client, "people", flt)

    assert f('{ or: [{ name: { eq: "Hal" } }, { email: { eq: "ada@example.com" } }] }') == [
        "Ada Lovelace",
        "Hal",
    ]
    assert f('{ and: [{ name: { startsWith: "A" } }, { companyId: { is: NOT_NULL } }] }') == [
        "Alan Turing"
    ]
    assert f('{ not: { name: { startsWith: "A" } } }') == ["Grace Hopper", "Hal"]
    nested = '{ not: { or: [{ email: { is: NULL } }, { name: { contains: "ace" } }] } }'
    assert f(nested) == ["Alan Turing"]
    assert f("{ or: [] }") == f("{}") == f("{ and: [] }")
    assert len(f("{}")) == 4


def test_id_filter(client: httpx.Client, people: dict[str, Any]) -> None:
    ada, alan = people["Ada Lovelace"], people["Alan Turing"]
    assert names(client, "people", f'{{ id: {{ eq: "{ada["id"]}" }} }}') == ["Ada Lovelace"]
    ids = f'["{ada["id"]}", "{alan["id"]}"]'
    assert names(client, "people", f"{{ id: {{ in: {ids} }} }}") == ["Ada Lovelace", "Alan Turing"]
    assert len(names(client, "people", f'{{ id: {{ neq: "{ada["id"]}" }} }}')) == 3
    assert names(client, "people", "{ companyId: { is: NOT_NULL } }") == ["Alan Turing"]
    err = error(client, '{ people(filter: { id: { eq: "nope" } }) { totalCount } }')
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}


def test_number_filter(client: httpx.Client) -> None:
    for name, employees in (("Tiny", 5), ("Mid", 50), ("Big", 250), ("Unknown", None)):
        create(client, "Company", {"name": name, "employees": employees})

    def f(flt: str) -> list[str]:
        return names(client, "companies", flt)

    assert f("{ employees: { eq: 50 } }") == ["Mid"]
    assert f("{ employees: { neq: 50 } }") == ["Tiny", "Big", "Unknown"]
    assert f("{ employees: { in: [5, 250] } }") == ["Tiny", "Big"]
    assert f("{ employees: { gt: 50 } }") == ["Big"]
    assert f("{ employees: { gte: 50 } }") == ["Mid", "Big"]
    assert f("{ employees: { lt: 50 } }") == ["Tiny"]
    assert f("{ employees: { lte: 50.0 } }") == ["Tiny", "Mid"]
    assert f("{ employees: { is: NULL } }") == ["Unknown"]
    # A string where a number belongs never reaches the database.
    assert code(client, '{ companies(filter: { employees: { eq: "x" } }) { totalCount } }') == (
        "GRAPHQL_VALIDATION_FAILED"
    )


def test_date_time_filter(client: httpx.Client, people: dict[str, Any]) -> None:
    grace = people["Grace Hopper"]["id"]
    at = data(client, f'{{ person(id: "{grace}") {{ createdAt }} }}')["person"]["createdAt"]

    def f(op: str) -> list[str]:
        return names(client, "people", f'{{ createdAt: {{ {op}: "{at}" }} }}')

    assert f("eq") == ["Grace Hopper"]
    assert f("neq") == ["Ada Lovelace", "Alan Turing", "Hal"]
    assert f("gt") == ["Alan Turing", "Hal"]
    assert f("gte") == ["Grace Hopper", "Alan Turing", "Hal"]
    assert f("lt") == ["Ada Lovelace"]
    assert f("lte") == ["Ada Lovelace", "Grace Hopper"]
    assert names(client, "people", f'{{ createdAt: {{ in: ["{at}"] }} }}') == ["Grace Hopper"]
    assert names(client, "people", "{ deletedAt: { is: NULL } }") == list(people)
    # Any ISO 8601 form of the same instant matches; a non-date is refused up front.
    offset = at.replace("Z", "+00:00")
    assert names(client, "people", f'{{ createdAt: {{ eq: "{offset}" }} }}') == ["Grace Hopper"]
    bad = '{ people(filter: { createdAt: { gte: "yesterday" } }) { totalCount } }'
    assert code(client, bad) == "GRAPHQL_VALIDATION_FAILED"


def test_select_filter(client: httpx.Client) -> None:
    for title, status in (("a", "TODO"), ("b", "IN_PROGRESS"), ("c", "DONE")):
        create(client, "Task", {"title": title, "status": status})

    def f(flt: str) -> list[str]:
        return names(client, "tasks", flt, "title")

    assert f('{ status: { eq: "DONE" } }') == ["c"]
    assert f('{ status: { neq: "DONE" } }') == ["a", "b"]
    assert f('{ status: { in: ["TODO", "DONE"] } }') == ["a", "c"]
    assert f("{ status: { is: NOT_NULL } }") == ["a", "b", "c"]
    assert f("{ dueDate: { is: NULL } }") == ["a", "b", "c"]
    err = error(client, '{ tasks(filter: { status: { eq: "LATER" } }) { totalCount } }')
    assert err["extensions"]["code"] == "BAD_USER_INPUT"
    assert err["extensions"]["field"] == "status"


def test_array_and_null_filters(client: httpx.Client, people: dict[str, Any]) -> None:
    assert names(client, "people", '{ tags: { contains: "vip" } }') == ["Grace Hopper"]
    assert names(client, "people", '{ tags: { contains: "none" } }') == []
    assert names(client, "people", "{ tags: { is: NULL } }") == [
        "Ada Lovelace",
        "Alan Turing",
        "Hal",
    ]
    assert len(names(client, "people", "{ createdBy: { is: NOT_NULL } }")) == 4
    # An operator the field's type does not have is not in its filter input.
    bad = '{ people(filter: { tags: { eq: "vip" } }) { totalCount } }'
    assert code(client, bad) == "GRAPHQL_VALIDATION_FAILED"


def test_custom_field_filters(client: httpx.Client, db_url: str) -> None:
    add_custom_field(db_url, "person", "vip", "BOOLEAN")
    add_custom_field(db_url, "person", "birthday", "DATE")
    add_custom_field(db_url, "person", "score", "NUMBER")
    rows = (
        ("A", True, "1990-05-01", 10),
        ("B", False, "1985-01-31", 20.5),
        ("C", None, None, None),
    )
    for name, vip, birthday, score in rows:
        create(client, "Person", {"name": name, "vip": vip, "birthday": birthday, "score": score})

    def f(flt: str) -> list[str]:
        return names(client, "people", flt)

    assert f("{ vip: { eq: true } }") == ["A"]
    assert f("{ vip: { neq: true } }") == ["B", "C"]
    assert f("{ vip: { is: NULL } }") == ["C"]
    assert f('{ birthday: { lt: "1989-12-31" } }') == ["B"]
    assert f('{ birthday: { gte: "1985-01-31" } }') == ["A", "B"]
    assert f("{ score: { gt: 15 } }") == ["B"]
    assert f("{ score: { in: [10, 99] } }") == ["A"]


def test_order_by(client: httpx.Client) -> None:
    for name, job in (("b", "x"), ("a", None), ("c", "y"), ("d", "x")):
        create(client, "Person", {"name": name, "jobTitle": job})

    def order(arg: str, variables: dict[str, Any] | None = None) -> list[str]:
        decl = "($o: PersonOrderByInput)" if variables else ""
        doc = f"query{decl} {{ people(orderBy: {arg}) {{ edges {{ node {{ name }} }} }} }}"
        return [e["node"]["name"] for e in data(client, doc, variables)["people"]["edges"]]

    assert order("{ name: ASC }") == ["a", "b", "c", "d"]
    assert order("{ name: DESC }") == ["d", "c", "b", "a"]
    assert order("{ jobTitle: ASC }") == ["a", "b", "d", "c"]  # nulls first
    assert order("{ jobTitle: DESC }") == ["c", "b", "d", "a"]  # nulls last
    assert order("{ jobTitle: AscNullsLast }") == ["b", "d", "c", "a"]
    assert order("{ jobTitle: DescNullsFirst }") == ["a", "c", "b", "d"]
    # Several keys order in the order written, in the query or in the variables.
    assert order("{ jobTitle: DescNullsLast, name: DESC }") == ["c", "d", "b", "a"]
    assert order("{ name: DESC, jobTitle: DescNullsLast }") == ["d", "c", "b", "a"]
    by_job = {"jobTitle": "AscNullsLast", "name": "DESC"}
    assert order("$o", {"o": by_job}) == ["d", "b", "c", "a"]
    by_name = {"name": "DESC", "jobTitle": "AscNullsLast"}
    assert order("$o", {"o": by_name}) == ["d", "c", "b", "a"]
    assert code(client, "{ people(orderBy: { name: SIDEWAYS }) { totalCount } }") == (
        "GRAPHQL_VALIDATION_FAILED"
    )
    # orderBy takes one object; a list is refused by validation, not by a 500.
    assert code(client, "{ people(orderBy: [{ name: ASC }]) { totalCount } }") == (
        "GRAPHQL_VALIDATION_FAILED"
    )


def seven(client: httpx.Client) -> None:
    doc = "mutation($d: [PersonCreateInput!]!) { createPeople(data: $d) { id } }"
    data(client, doc, {"d": [{"name": f"P{i}"} for i in range(7)]})


def test_first_last_and_total(client: httpx.Client) -> None:
    seven(client)
    doc = """{ people(first: 3) {
      edges { node { name } cursor }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      totalCount
    } }"""
    people = data(client, doc)["people"]
    assert [e["node"]["name"] for e in people["edges"]] == ["P0", "P1", "P2"]
    assert people["totalCount"] == 7
    info = people["pageInfo"]
    assert info["hasNextPage"] and not info["hasPreviousPage"]
    assert info["startCursor"] == people["edges"][0]["cursor"]
    assert info["endCursor"] == people["edges"][-1]["cursor"]
    doc = "{ people(last: 2) { edges { node { name } } pageInfo { hasNextPage hasPreviousPage } } }"
    last = data(client, doc)["people"]
    assert [e["node"]["name"] for e in last["edges"]] == ["P5", "P6"]
    assert last["pageInfo"] == {"hasNextPage": False, "hasPreviousPage": True}
    assert data(client, "{ people(first: 0) { edges { cursor } totalCount } }")["people"] == {
        "edges": [],
        "totalCount": 7,
    }
    # The seed asks for first: 100; that is the cap, and one more is refused.
    assert len(data(client, "{ people(first: 100) { edges { cursor } } }")["people"]["edges"]) == 7
    for arg in ("first: 101", "last: 101", "first: -1", "first: 1, last: 1"):
        err = error(client, f"{{ people({arg}) {{ totalCount }} }}")
        assert err["extensions"]["code"] == "BAD_USER_INPUT", arg


def test_paging_forwards_and_backwards(client: httpx.Client) -> None:
    seven(client)
    doc = """query($first: Int, $after: String, $last: Int, $before: String) {
      people(first: $first, after: $after, last: $last, before: $before) {
        edges { node { name } }
        pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
      }
    }"""
    seen: list[str] = []
    after = None
    while True:
        page = data(client, doc, {"first": 3, "after": after})["people"]
        seen += [e["node"]["name"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"P{i}" for i in range(7)]
    back: list[str] = []
    before = None
    while True:
        page = data(client, doc, {"last": 3, "before": before})["people"]
        back = [e["node"]["name"] for e in page["edges"]] + back
        if not page["pageInfo"]["hasPreviousPage"]:
            break
        before = page["pageInfo"]["startCursor"]
    assert back == seen

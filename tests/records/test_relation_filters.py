"""Filters and orderings through a relation (docs/api.md, "Filters and ordering across
relations"): REST and GraphQL, to-one and to-many, standard and custom relations."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from tests import factories


def batch(client: httpx.Client, plural: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    r = client.post(f"/rest/batch/{plural}", json=items)
    assert r.status_code == 201, r.text
    return next(iter(r.json()["data"].values()))  # type: ignore[no-any-return]


def names(client: httpx.Client, plural: str, label: str = "name", **params: Any) -> list[str]:
    r = client.get(f"/rest/{plural}", params={"limit": 200, **params})
    assert r.status_code == 200, r.text
    body = r.json()
    records = body["data"][plural]
    assert body["totalCount"] == len(records), params
    return [rec[label] for rec in records]


def matching(client: httpx.Client, plural: str, flt: str) -> set[str]:
    return set(names(client, plural, filter=flt))


def bad(r: httpx.Response, *needles: str) -> str:
    assert r.status_code == 400, f"{r.status_code} {r.text[:300]}"
    message = r.json()["message"]
    for needle in needles:
        assert needle in message, (needle, message)
    return str(message)


@pytest.fixture
def crm(client: httpx.Client) -> dict[str, Any]:
    """Three companies, five people (one without a company), notes on some of them."""
    companies = {
        c["name"]: c
        for c in batch(
            client,
            "companies",
            [
                {"name": "Acme", "employees": 500},
                {"name": "Globex", "employees": 50},
                {"name": "Initech", "employees": 100},
            ],
        )
    }
    rows = [
        ("Ada", "Acme"),
        ("Bob", "Globex"),
        ("Carol", "Acme"),
        ("Dan", None),
        ("Eve", "Initech"),
    ]
    people = {
        p["name"]: p
        for p in batch(
            client,
            "people",
            [{"name": n, "companyId": c and companies[c]["id"]} for n, c in rows],
        )
    }
    batch(
        client,
        "notes",
        [
            {"title": "n1", "body": "Talked about PRICING", "personId": people["Ada"]["id"]},
            {"title": "n2", "body": "lunch", "personId": people["Ada"]["id"]},
            {"title": "n3", "body": "pricing again", "personId": people["Bob"]["id"]},
            {"title": "n4", "body": "nothing", "personId": people["Carol"]["id"]},
            {"title": "n5", "body": "pricing, company-wide", "companyId": companies["Acme"]["id"]},
        ],
    )
    return {"companies": companies, "people": people}


def test_to_one_filters(client: httpx.Client, crm: dict[str, Any]) -> None:
    cases = {
        "company.name[eq]:Acme": {"Ada", "Carol"},
        "company.employees[gte]:100": {"Ada", "Carol", "Eve"},
        "company.employees[lt]:100": {"Bob"},
        "company.name[in]:[Globex,Initech]": {"Bob", "Eve"},
        "company.name[ilike]:%TECH": {"Eve"},
        # "Has a company that is not Acme": Dan has none.
        "company.name[neq]:Acme": {"Bob", "Eve"},
        # not(...) keeps the people without a company.
        "not(company.name[eq]:Acme)": {"Bob", "Dan", "Eve"},
        "or(company.name[eq]:Globex,name[eq]:Dan)": {"Bob", "Dan"},
        "and(company.employees[gte]:100,not(company.name[eq]:Acme))": {"Eve"},
        "company.name[eq]:Acme,name[startsWith]:C": {"Carol"},
        "company_id[is]:NULL": {"Dan"},
        "company.id[eq]:" + crm["companies"]["Globex"]["id"]: {"Bob"},
    }
    got = {flt: matching(client, "people", flt) for flt in cases}
    assert got == cases


def test_to_many_means_has_at_least_one(client: httpx.Client, crm: dict[str, Any]) -> None:
    cases = {
        "notes.body[ilike]:%pricing%": {"Ada", "Bob"},
        "notes.body[eq]:nothing": {"Carol"},
        "not(notes.body[ilike]:%pricing%)": {"Carol", "Dan", "Eve"},
        "notes.title[is]:NOT_NULL": {"Ada", "Bob", "Carol"},
        "or(notes.body[eq]:nothing,company.name[eq]:Initech)": {"Carol", "Eve"},
        # Each condition is its own "has at least one": Ada's two notes match both.
        "and(notes.body[ilike]:%pricing%,notes.body[eq]:lunch)": {"Ada"},
    }
    got = {flt: matching(client, "people", flt) for flt in cases}
    assert got == cases
    # The other way round: companies with a person named Bob; with a pricing note.
    assert matching(client, "companies", "people.name[eq]:Bob") == {"Globex"}
    assert matching(client, "companies", "notes.body[contains]:pricing") == {"Acme"}
    # And from notes to their person's company is two relations deep.
    bad(
        client.get("/rest/notes", params={"filter": "person.company.name[eq]:Acme"}),
        "person.company.name",
        "one relation deep",
    )


def test_soft_deleted_related_records_do_not_count(
    client: httpx.Client, crm: dict[str, Any]
) -> None:
    note = names(client, "notes", label="id", filter="body[eq]:nothing")[0]
    assert client.delete(f"/rest/notes/{note}", params={"soft_delete": "true"}).is_success
    assert matching(client, "people", "notes.body[eq]:nothing") == set()


def test_deleted_related_records_on_request(client: httpx.Client, crm: dict[str, Any]) -> None:
    note = names(client, "notes", label="id", filter="title[eq]:n3")[0]
    assert client.delete(f"/rest/notes/{note}", params={"soft_delete": "true"}).is_success
    assert matching(client, "people", "notes.deletedAt[is]:NOT_NULL") == {"Bob"}
    assert matching(client, "people", "notes.body[ilike]:%pricing%") == {"Ada"}
    # A soft-deleted company: its people sort as if they had none.
    globex = crm["companies"]["Globex"]["id"]
    assert client.delete(f"/rest/companies/{globex}", params={"soft_delete": "true"}).is_success
    got = names(client, "people", order_by="company.name[AscNullsLast],name")
    assert got[:3] == ["Ada", "Carol", "Eve"] and set(got[3:]) == {"Bob", "Dan"}


def test_other_workspaces_are_never_read(
    client: httpx.Client, server: Any, db_url: str, crm: dict[str, Any]
) -> None:
    """A record of another workspace with the same id as a related record is not it."""
    acme = crm["companies"]["Acme"]
    ada = crm["people"]["Ada"]
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with factories.http(server.url, other) as c:
        r = c.post("/rest/companies", json={"id": acme["id"], "name": "Zeta", "employees": 9})
        assert r.status_code == 201, r.text
        r = c.post("/rest/people", json={"id": ada["id"], "name": "Zed", "companyId": acme["id"]})
        assert r.status_code == 201, r.text
        assert c.post("/rest/notes", json={"body": "secret", "personId": ada["id"]}).is_success
        assert matching(c, "people", "company.name[eq]:Acme") == set()
        assert matching(c, "people", "notes.body[eq]:Talked about PRICING") == set()
        assert names(c, "people", order_by="company.name") == ["Zed"]
    assert matching(client, "people", "company.name[eq]:Zeta") == set()
    assert matching(client, "people", "notes.body[eq]:secret") == set()
    assert matching(client, "companies", "people.name[eq]:Zed") == set()
    got = names(client, "people", order_by="company.employees[AscNullsLast]")
    assert got[-1] == "Dan" and len(got) == 5


def test_counts_and_estimates_with_relation_filters(
    client: httpx.Client, crm: dict[str, Any]
) -> None:
    for count in ("exact", "estimate"):
        r = client.get(
            "/rest/people",
            params={"filter": "notes.body[ilike]:%pricing%", "count": count, "limit": 1},
        )
        assert r.status_code == 200, r.text
        assert r.json()["totalCount"] == 2
        assert len(r.json()["data"]["people"]) == 1
        after = r.json()["pageInfo"]["endCursor"]
        r = client.get(
            "/rest/people",
            params={
                "filter": "notes.body[ilike]:%pricing%",
                "count": count,
                "limit": 1,
                "starting_after": after,
            },
        )
        assert r.status_code == 200, r.text
        assert r.json()["totalCount"] == 2
        [second] = r.json()["data"]["people"]
        assert second["name"] in {"Ada", "Bob"} and r.json()["pageInfo"]["hasNextPage"] is False


def _walk(client: httpx.Client, plural: str, order: str, limit: int, **extra: Any) -> list[str]:
    """Every record's name, page by page through the cursors, asserting consistent pages."""
    seen: list[str] = []
    after = None
    for _ in range(50):
        params: dict[str, Any] = {"order_by": order, "limit": limit, **extra}
        if after:
            params["starting_after"] = after
        r = client.get(f"/rest/{plural}", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        seen += [p["name"] for p in body["data"][plural]]
        if not body["pageInfo"]["hasNextPage"]:
            return seen
        after = body["pageInfo"]["endCursor"]
    raise AssertionError("the pages never end")


def test_ordering_by_a_to_one_relation_field(client: httpx.Client, crm: dict[str, Any]) -> None:
    # Acme (Ada, Carol), Globex (Bob), Initech (Eve), none (Dan); ties in id order.
    expect = {
        "company.name[AscNullsLast]": ["Ada", "Carol", "Bob", "Eve", "Dan"],
        "company.name[AscNullsFirst]": ["Dan", "Ada", "Carol", "Bob", "Eve"],
        "company.name[DescNullsLast]": ["Eve", "Bob", "Ada", "Carol", "Dan"],
        "company.name[DescNullsFirst]": ["Dan", "Eve", "Bob", "Ada", "Carol"],
        "company.employees[DescNullsLast],name[DescNullsLast]": [
            "Carol",
            "Ada",
            "Eve",
            "Bob",
            "Dan",
        ],
    }
    for order, want in expect.items():
        assert names(client, "people", order_by=order) == want, order
        for size in (1, 2, 3):
            assert _walk(client, "people", order, size) == want, (order, size)
    # Embedded relations and custom documents as text do not disturb the cursors.
    assert (
        _walk(client, "people", "company.name[AscNullsLast]", 2, depth=1)
        == expect["company.name[AscNullsLast]"]
    )
    # With a filter through the same relation, and backwards from the end.
    assert _walk(
        client, "people", "company.name[DescNullsLast]", 1, filter="company.id[is]:NOT_NULL"
    ) == [
        "Eve",
        "Bob",
        "Ada",
        "Carol",
    ]
    r = client.get(
        "/rest/people", params={"order_by": "company.name[AscNullsLast]", "limit": 2}
    ).json()
    end = r["pageInfo"]["endCursor"]
    r2 = client.get(
        "/rest/people",
        params={"order_by": "company.name[AscNullsLast]", "limit": 2, "ending_before": end},
    )
    assert r2.status_code == 200, r2.text
    assert [p["name"] for p in r2.json()["data"]["people"]] == ["Ada"]
    # A cursor of another ordering is refused, the same field on another path too.
    bad(client.get("/rest/people", params={"starting_after": end}), "cursor")
    bad(
        client.get(
            "/rest/people", params={"order_by": "name[AscNullsLast]", "starting_after": end}
        ),
        "different ordering",
    )
    bad(
        client.get(
            "/rest/people", params={"order_by": "owner.name[AscNullsLast]", "starting_after": end}
        ),
        "different ordering",
    )


def test_many_pages_of_a_relation_ordering_skip_and_repeat_nothing(client: httpx.Client) -> None:
    companies = batch(
        client,
        "companies",
        [{"name": f"C{i % 4}", "employees": None if i % 3 == 0 else i} for i in range(8)],
    )
    people = [
        {"name": f"P{i:02}", "companyId": None if i % 5 == 0 else companies[i % 8]["id"]}
        for i in range(40)
    ]
    batch(client, "people", people)
    for order in (
        "company.name[AscNullsLast]",
        "company.name[DescNullsFirst]",
        "company.employees[AscNullsFirst]",
        "company.employees[DescNullsLast]",
    ):
        whole = names(client, "people", order_by=order)
        assert sorted(whole) == sorted(p["name"] for p in people)
        assert _walk(client, "people", order, 7) == whole, order


def test_path_errors_are_400s(client: httpx.Client, crm: dict[str, Any]) -> None:
    get = client.get
    bad(get("/rest/people", params={"filter": "company.owner.name[eq]:x"}), "one relation deep")
    bad(get("/rest/people", params={"order_by": "company.owner.name"}), "one relation deep")
    bad(get("/rest/people", params={"order_by": "company.owner"}), "one relation deep")
    bad(get("/rest/people", params={"filter": "compny.name[eq]:x"}), "Did you mean 'company'")
    bad(get("/rest/people", params={"filter": "company.nme[eq]:x"}), "Did you mean 'name'")
    bad(get("/rest/people", params={"order_by": "compny.name"}), "Did you mean 'company'")
    bad(get("/rest/people", params={"order_by": "company.nme"}), "Did you mean 'name'")
    bad(get("/rest/people", params={"order_by": "notes.title"}), "to-one", "company")
    bad(get("/rest/people", params={"filter": "company[eq]:x"}), "relation", "companyId")
    bad(get("/rest/people", params={"filter": "company.employees[like]:x"}), "Operator 'like'")
    bad(get("/rest/people", params={"filter": "company.employees[gte]:many"}), "employees")
    bad(get("/rest/people", params={"filter": "nme[eq]:x"}), "Did you mean 'name'")
    bad(get("/rest/people", params={"order_by": "nme"}), "Did you mean 'name'")
    # An actor's parts still work, on the related record too.
    assert matching(client, "people", "company.createdBy.type[eq]:apiKey") == {
        "Ada",
        "Bob",
        "Carol",
        "Eve",
    }


def _custom(client: httpx.Client) -> dict[str, Any]:
    """A custom object ``deal`` with a custom relation to companies and one to projects
    (another custom object), and a custom text field."""

    def post(path: str, body: dict[str, Any]) -> None:
        r = client.post(path, json=body)
        assert r.status_code == 201, r.text

    post("/rest/metadata/objects", {"nameSingular": "deal", "namePlural": "deals"})
    post("/rest/metadata/objects", {"nameSingular": "project", "namePlural": "projects"})
    post("/rest/metadata/fields", {"objectName": "deal", "name": "stage", "type": "TEXT"})
    post("/rest/metadata/fields", {"objectName": "project", "name": "code", "type": "TEXT"})
    post("/rest/metadata/fields", {"objectName": "company", "name": "region", "type": "TEXT"})
    for target in ("company", "project"):
        post(
            "/rest/metadata/fields",
            {"objectName": "deal", "name": target, "type": "RELATION", "relationTarget": target},
        )
    acme, globex = batch(
        client, "companies", [{"name": "Acme", "region": "EU"}, {"name": "Globex", "region": "US"}]
    )
    apollo, zeus = batch(client, "projects", [{"name": "Apollo", "code": "A1"}, {"name": "Zeus"}])
    batch(
        client,
        "deals",
        [
            {"name": "d1", "stage": "won", "companyId": acme["id"], "projectId": zeus["id"]},
            {"name": "d2", "stage": "lost", "companyId": globex["id"], "projectId": apollo["id"]},
            {"name": "d3", "stage": "won", "companyId": acme["id"]},
            {"name": "d4"},
        ],
    )
    return {"acme": acme, "globex": globex}


def test_custom_relations_and_custom_objects(client: httpx.Client) -> None:
    _custom(client)
    cases = {
        ("deals", "company.name[eq]:Acme"): {"d1", "d3"},
        ("deals", "company.region[eq]:US"): {"d2"},
        ("deals", "project.name[eq]:Apollo"): {"d2"},
        ("deals", "project.code[is]:NULL"): {"d1"},
        ("deals", "not(project.code[eq]:A1)"): {"d1", "d3", "d4"},
        ("deals", "and(company.name[eq]:Acme,stage[eq]:won,project.name[eq]:Zeus)"): {"d1"},
        ("companies", "deals.stage[eq]:won"): {"Acme"},
        ("companies", "not(deals.name[is]:NOT_NULL)"): set(),
        ("projects", "deals.company.name[eq]:x"): None,
        ("projects", "deals.stage[eq]:lost"): {"Apollo"},
    }
    for (plural, flt), want in cases.items():
        if want is None:
            bad(client.get(f"/rest/{plural}", params={"filter": flt}), "one relation deep")
        else:
            assert matching(client, plural, flt) == want, flt
    expect = {
        "company.name[AscNullsLast]": ["d1", "d3", "d2", "d4"],
        "company.region[DescNullsFirst]": ["d4", "d2", "d1", "d3"],
        "project.code[AscNullsLast],name[DescNullsLast]": ["d2", "d4", "d3", "d1"],
        "project.name[DescNullsLast]": ["d1", "d2", "d3", "d4"],
    }
    for order, want in expect.items():
        assert names(client, "deals", order_by=order) == want, order
        assert _walk(client, "deals", order, 1) == want, order
    # People ordered by a custom field of their company.
    assert names(client, "people", order_by="company.region") == []
    # GraphQL, through the custom relations both ways.
    body = gql(
        client,
        """{ deals(filter: { company: { region: { eq: "EU" } }, project: { name: { eq: "Zeus" } } },
                   orderBy: { project: { name: DescNullsLast } }) { edges { node { name } } } }""",
    )
    assert [e["node"]["name"] for e in body["data"]["deals"]["edges"]] == ["d1"], body
    body = gql(client, '{ companies(filter: { deals: { stage: { eq: "lost" } } }) { totalCount } }')
    assert body["data"]["companies"]["totalCount"] == 1, body


# -- GraphQL ----------------------------------------------------------------------
def gql(client: httpx.Client, query: str, variables: dict[str, Any] | None = None) -> Any:
    r = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert r.status_code == 200, r.text
    return r.json()


def gql_names(
    client: httpx.Client, args: str, variables: dict[str, Any] | None = None
) -> list[str]:
    decl = ""
    if variables:
        decl = "($f: PersonFilterInput)" if "f" in variables else "($o: PersonOrderByInput)"
    body = gql(
        client,
        f"query{decl} {{ people({args}) {{ totalCount edges {{ node {{ name }} }} }} }}",
        variables,
    )
    assert "errors" not in body, body
    conn = body["data"]["people"]
    assert conn["totalCount"] == len(conn["edges"])
    return [e["node"]["name"] for e in conn["edges"]]


def test_graphql_filters_through_relations(client: httpx.Client, crm: dict[str, Any]) -> None:
    def f(flt: str) -> set[str]:
        return set(gql_names(client, f"filter: {flt}"))

    assert f('{ company: { name: { eq: "Acme" } } }') == {"Ada", "Carol"}
    assert f("{ company: { employees: { gte: 100 } } }") == {"Ada", "Carol", "Eve"}
    # All conditions under one relation hold for the same related record.
    assert f('{ company: { name: { in: ["Acme", "Globex"] }, employees: { lt: 100 } } }') == {"Bob"}
    assert f('{ company: { or: [{ name: { eq: "Globex" } }, { employees: { gt: 400 } }] } }') == {
        "Ada",
        "Bob",
        "Carol",
    }
    assert f('{ not: { company: { name: { eq: "Acme" } } } }') == {"Bob", "Dan", "Eve"}
    assert f('{ notes: { body: { ilike: "%pricing%" } } }') == {"Ada", "Bob"}
    # The same note must hold both: none is both about pricing and titled n2.
    assert f('{ notes: { body: { ilike: "%pricing%" }, title: { eq: "n2" } } }') == set()
    assert f(
        '{ or: [{ notes: { body: { eq: "nothing" } } }, { company: { name: { eq: "Initech" } } }] }'
    ) == {"Carol", "Eve"}
    assert f('{ company: { name: { eq: "Acme" } }, name: { startsWith: "C" } }') == {"Carol"}
    # Through variables too.
    got = gql_names(client, "filter: $f", {"f": {"company": {"name": {"eq": "Globex"}}}})
    assert got == ["Bob"]
    # One level deep: the related object's filter has no relations of its own.
    body = gql(
        client, '{ people(filter: { company: { owner: { name: { eq: "x" } } } }) { totalCount } }'
    )
    assert "errors" in body and "owner" in body["errors"][0]["message"], body
    body = gql(client, '{ people(filter: { company: { nme: { eq: "x" } } }) { totalCount } }')
    assert "errors" in body and "nme" in body["errors"][0]["message"], body
    # And the single-record query takes the same filter.
    body = gql(client, '{ person(filter: { notes: { body: { eq: "nothing" } } }) { name } }')
    assert body["data"]["person"]["name"] == "Carol", body


def test_graphql_order_by_a_relation_field(client: httpx.Client, crm: dict[str, Any]) -> None:
    assert gql_names(client, "orderBy: { company: { name: AscNullsLast } }") == [
        "Ada",
        "Carol",
        "Bob",
        "Eve",
        "Dan",
    ]
    assert gql_names(client, "orderBy: { company: { employees: DescNullsFirst }, name: DESC }") == [
        "Dan",
        "Carol",
        "Ada",
        "Eve",
        "Bob",
    ]
    # The written order of the keys counts, in the query text and in variables.
    assert gql_names(client, "orderBy: { name: DESC, company: { name: AscNullsLast } }")[0] == "Eve"
    got = gql_names(
        client, "orderBy: $o", {"o": {"company": {"name": "DescNullsLast"}, "name": "ASC"}}
    )
    assert got == ["Eve", "Bob", "Ada", "Carol", "Dan"]
    # Paging through cursors.
    seen: list[str] = []
    after: str | None = None
    query = """query($after: String) {
      people(first: 2, after: $after, orderBy: { company: { name: DescNullsFirst } }) {
        edges { cursor node { name } } pageInfo { hasNextPage hasPreviousPage endCursor }
      }
    }"""
    for _ in range(5):
        body = gql(client, query, {"after": after})
        assert "errors" not in body, body
        conn = body["data"]["people"]
        seen += [e["node"]["name"] for e in conn["edges"]]
        assert conn["pageInfo"]["hasPreviousPage"] is (after is not None)
        if not conn["pageInfo"]["hasNextPage"]:
            break
        after = conn["pageInfo"]["endCursor"]
    assert seen == ["Dan", "Eve", "Bob", "Ada", "Carol"]
    # To-many relations are not in the order input.
    body = gql(client, "{ people(orderBy: { notes: { title: ASC } }) { totalCount } }")
    assert "errors" in body, body


# -- query plans (PostgreSQL) ------------------------------------------------------
_SEED = """
    INSERT INTO company (workspace_id, id, name, employees, created_at, updated_at)
    SELECT %(ws)s, ('00000000-0000-7000-8000-' || lpad(i::text, 12, '0'))::uuid,
           'Company ' || i, i %% 5000, now(), now()
    FROM generate_series(1, %(n)s / 10) AS i;
    INSERT INTO person (workspace_id, id, name, company_id, created_at, updated_at)
    SELECT %(ws)s, gen_random_uuid(), 'Person ' || i,
           CASE WHEN i %% 7 = 0 THEN NULL ELSE ('00000000-0000-7000-8000-'
                || lpad((1 + i %% (%(n)s / 10))::text, 12, '0'))::uuid END,
           now() - i * interval '1 second', now()
    FROM generate_series(1, %(n)s) AS i;
    INSERT INTO note (workspace_id, id, title, body, person_id, created_at, updated_at)
    SELECT %(ws)s, gen_random_uuid(), 'Note ' || p.rn, 'Body ' || p.rn, p.id, now(), now()
    FROM (SELECT id, row_number() OVER () AS rn FROM person WHERE workspace_id = %(ws)s) AS p
    WHERE p.rn %% 3 = 0;
"""


def test_relation_filters_read_the_relation_indexes(
    backend: str, db_url: str, server: Any, client: httpx.Client
) -> None:
    """``company.name[eq]`` finds the companies by their name index and their people by
    ``ix_person_company_id``; a to-many condition finds its notes by an index and
    their people by primary key: no plan reads a table whole."""
    if backend != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    import psycopg
    from tests.records.test_query_plans import _bad_nodes, _walk

    from rolodex.api.rest.grammar import parse_filter
    from rolodex.metadata.registry import standard
    from rolodex.metadata.storage import table_for
    from rolodex.records.sql import FilterWalk

    def explain(sql: Any, args: list[Any]) -> dict[str, Any]:
        # Scans priced out, as in test_query_plans: one left in means no index fits.
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute("SET enable_seqscan = off")
            conn.execute(f"PREPARE q AS {sql.text}")
            literals = [
                conn.execute("SELECT quote_nullable(%s::text)", (a,)).fetchone()[0]  # type: ignore[index]
                for a in args
            ]
            [[plan]] = conn.execute(f"EXPLAIN (FORMAT JSON) EXECUTE q({', '.join(literals)})")
            return plan[0]  # type: ignore[no-any-return]

    assert client.get("/rest/people").is_success
    ws = str(next(iter(server.app.state.rolodex.registries._entries)))
    with psycopg.connect(db_url, autocommit=True) as conn:
        for statement in _SEED.split(";")[:-1]:
            conn.execute(statement, {"ws": ws, "n": 20_000})
            conn.execute(statement, {"ws": "00000000-0000-7000-8000-000000000042", "n": 5_000})
        for table in ("company", "person", "note"):
            conn.execute(f"VACUUM ANALYZE {table}")
    cache = server.app.state.rolodex.db._cache
    objects = standard().objects
    cases = {
        "company.name[eq]:Company 42": ("ix_company_name", "ix_person_company_id"),
        "company.employees[gte]:4990": ("ix_company_employees", "ix_person_company_id"),
        "notes.title[eq]:Note 42": ("ix_note_title",),
        # No index on a body: no plan reads a table whole, whichever way it goes.
        "notes.body[ilike]:%dy 4242%": (),
        "not(notes.title[eq]:Note 42)": ("ix_note_title",),
    }
    failures = []
    for flt, indexes in cases.items():
        before = set(cache)
        for count in ("exact", "estimate"):
            r = client.get("/rest/people", params={"filter": flt, "limit": 10, "count": count})
            assert r.is_success, r.text
        walk = FilterWalk(objects["person"], table_for(objects["person"]), False, objects)
        walk.walk(parse_filter(flt), build=False)
        values: dict[str, Any] = {"ws": ws, "limit": 11, **walk.params}
        new = [k for k in cache if k not in before and k[:3] == ("records", "person", "page")]
        assert new, flt
        for key in new:
            sql = cache.get(key)
            assert sql is not None
            plan = explain(sql, [values.get(n, sql.defaults.get(n)) for n in sql.names])
            used = {str(n.get("Index Name")).removesuffix("_nl") for n in _walk(plan["Plan"])}
            bad = [b for b in _bad_nodes(plan, "person", 2_000) if "Seq Scan" in b]
            bad += [b for b in _bad_nodes(plan, "company", 2_000) if "Seq Scan" in b]
            bad += [b for b in _bad_nodes(plan, "note", 2_000) if "Seq Scan" in b]
            bad += [f"no {ix}" for ix in indexes if ix not in used]
            if bad:
                failures.append(f"{flt}: {bad} (indexes: {sorted(used)})")
    assert not failures, "\n".join(failures)


def test_the_openapi_order_pattern_takes_to_one_paths() -> None:
    import re

    from rolodex.api.rest.openapi_schemas import order_parameter
    from rolodex.metadata.registry import standard

    pattern = re.compile(order_parameter(standard().objects["person"])["schema"]["pattern"])
    assert pattern.match("company.name[AscNullsLast],name")
    assert pattern.match("companyId,owner.name[desc]")
    assert not pattern.match("notes.title")
    assert not pattern.match("company.owner.name")


def test_a_relation_of_the_same_name_elsewhere_is_another_statement(
    client: httpx.Client, server: Any, db_url: str
) -> None:
    """``employer`` leads to companies in one workspace and to a custom object in
    another: the statements through it are cached apart."""

    def setup(c: httpx.Client, target: str) -> None:
        body = {"objectName": "person", "name": "employer", "type": "RELATION"}
        body |= {"relationTarget": target, "inverseName": "staff"}
        r = c.post("/rest/metadata/fields", json=body)
        assert r.status_code == 201, r.text
        plural = "companies" if target == "company" else "firms"
        [org] = batch(c, plural, [{"name": "Initrode"}])
        batch(c, "people", [{"name": "Milton", "employerId": org["id"]}, {"name": "Bill"}])

    setup(client, "company")
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with factories.http(server.url, other) as c:
        r = c.post("/rest/metadata/objects", json={"nameSingular": "firm", "namePlural": "firms"})
        assert r.status_code == 201, r.text
        setup(c, "firm")
        for each in (client, c, client, c):
            assert matching(each, "people", "employer.name[eq]:Initrode") == {"Milton"}
            assert names(each, "people", order_by="employer.name[DescNullsLast]") == [
                "Milton",
                "Bill",
            ]
            plural = "companies" if each is client else "firms"
            assert matching(each, plural, "staff.name[eq]:Milton") == {"Initrode"}

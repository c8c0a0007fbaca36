"""The generated schema: refresh on metadata changes, list-or-connection relations,
custom fields of every type, and custom objects."""

from __future__ import annotations

from typing import Any

import httpx

from tests.graphql.helpers import add_custom_field, code, create, data, error, post


def test_schema_follows_metadata_without_a_restart(client: httpx.Client, db_url: str) -> None:
    doc = "{ people { edges { node { name lead_score } } } }"
    assert code(client, doc) == "GRAPHQL_VALIDATION_FAILED"
    add_custom_field(db_url, "person", "lead_score", "NUMBER")
    assert data(client, doc) == {"people": {"edges": []}}
    create(client, "Person", {"name": "A", "lead_score": 3})
    assert data(client, doc)["people"]["edges"] == [{"node": {"name": "A", "lead_score": 3}}]
    # The filter, order and input types were rebuilt too.
    add_custom_field(db_url, "person", "region", "TEXT")
    create(client, "Person", {"name": "B", "lead_score": 9, "region": "EU"})
    got = data(
        client,
        '{ people(filter: { region: { eq: "EU" } }, orderBy: { lead_score: DESC }) '
        "{ edges { node { name region } } } }",
    )
    assert got["people"]["edges"] == [{"node": {"name": "B", "region": "EU"}}]
    # Documents prepared against the old schema are not reused for the new one.
    add_custom_field(db_url, "company", "tier", "TEXT")
    assert data(client, doc)["people"]["edges"][1]["node"]["lead_score"] == 9


def test_custom_fields_of_every_type(client: httpx.Client, db_url: str) -> None:
    options = [{"value": "GOLD", "label": "Gold"}, {"value": "SILVER", "label": "Silver"}]
    fields: dict[str, tuple[str, dict[str, Any]]] = {
        "tier": ("SELECT", {"options": options}),
        "badges": ("MULTI_SELECT", {"options": options}),
        "budget": ("CURRENCY", {}),
        "profile": ("JSON", {}),
        "since": ("DATE", {}),
        "active": ("BOOLEAN", {}),
        "stars": ("RATING", {}),
        "homepage": ("LINK", {}),
        "aliases": ("ARRAY", {}),
        "met": ("DATE_TIME", {}),
    }
    for name, (field_type, definition) in fields.items():
        add_custom_field(db_url, "company", name, field_type, **definition)
    values = {
        "name": "Acme",
        "tier": "GOLD",
        "badges": ["SILVER", "GOLD"],
        "budget": {"amount": 1200.5, "currencyCode": "EUR"},
        "profile": {"nested": [1, "two", None]},
        "since": "2020-02-29",
        "active": True,
        "stars": 4,
        "homepage": "https://acme.example",
        "aliases": ["ACME", "Acme Inc"],
        "met": "2025-10-31T10:30:45.000Z",
    }
    selection = " ".join(k if k != "budget" else "budget { amount currencyCode }" for k in values)
    made = data(
        client,
        f"mutation($d: CompanyCreateInput!) {{ createCompany(data: $d) {{ {selection} }} }}",
        {"d": values},
    )["createCompany"]
    assert made == values
    got = data(client, "{ companies { edges { node { customFields { fieldId value } } } } }")
    listed = got["companies"]["edges"][0]["node"]["customFields"]
    assert [c["fieldId"] for c in listed] == list(fields)
    assert {c["fieldId"]: c["value"] for c in listed}["tier"] == "GOLD"
    err = error(client, 'mutation { createCompany(data: {name: "B", tier: "BRONZE"}) { id } }')
    assert err["extensions"]["code"] == "BAD_USER_INPUT" and err["extensions"]["field"] == "tier"
    assert err["extensions"]["allowed"] == ["GOLD", "SILVER"]
    assert code(client, 'mutation { createCompany(data: {name: "B", stars: 9}) { id } }') == (
        "BAD_USER_INPUT"
    )


def test_to_many_relations_as_lists_or_connections(client: httpx.Client) -> None:
    acme = create(client, "Company", {"name": "Acme"})
    for name in ("Ada", "Bob"):
        create(client, "Person", {"name": name, "companyId": acme["id"]})

    def people_of(selection: str, fragments: str = "") -> Any:
        doc = f"{{ companies {{ edges {{ node {{ {selection} }} }} }} }} {fragments}"
        return data(client, doc)["companies"]["edges"][0]["node"]

    listed = [{"name": "Ada"}, {"name": "Bob"}]
    assert people_of("people { name }") == {"people": listed}
    assert people_of("staff: people { name }") == {"staff": listed}
    assert people_of("people(first: 1) { name }") == {"people": listed[:1]}
    assert people_of("peopleList { name }") == {"peopleList": listed}
    assert people_of("people { ...Bits }", "fragment Bits on Person { name }") == {"people": listed}
    assert people_of("people { ... on Person { name } }") == {"people": listed}
    assert people_of("...C", "fragment C on Company { people { name } }") == {"people": listed}
    connection = people_of("people { totalCount edges { node { name } } }")
    assert connection["people"]["totalCount"] == 2
    assert [e["node"] for e in connection["people"]["edges"]] == listed
    as_conn = people_of("people { ...Page }", "fragment Page on PersonConnection { totalCount }")
    assert as_conn == {"people": {"totalCount": 2}}
    assert people_of("people { __typename }") == {"people": {"__typename": "PersonConnection"}}
    # Mixing the two shapes in one selection is refused by validation.
    mixed = "{ companies { edges { node { people { name edges { cursor } } } } } }"
    assert code(client, mixed) == "GRAPHQL_VALIDATION_FAILED"
    # Errors in rewritten documents point at the query as the client wrote it.
    bad = "{ companies { edges { node { people { nope } } } } }"
    body = post(client, bad)
    assert body["errors"][0]["locations"] == [{"line": 1, "column": bad.index("nope") + 1}]
    assert "Person" in body["errors"][0]["message"]


def test_relations_in_both_directions(client: httpx.Client) -> None:
    rep = create(client, "Member", {"name": "Rep"})
    acme = create(client, "Company", {"name": "Acme", "ownerId": rep["id"]})
    ada = create(client, "Person", {"name": "Ada", "companyId": acme["id"], "ownerId": rep["id"]})
    create(client, "Task", {"title": "Call", "personId": ada["id"], "assigneeId": rep["id"]})
    create(client, "Note", {"body": "Hi", "companyId": acme["id"], "authorId": rep["id"]})
    doc = """query($id: ID!) { member(id: $id) {
      name
      assignedTasks { title person { name company { name notes { body } } } }
      ownedPeople { edges { node { name } } totalCount }
      ownedCompanies { name }
      authoredNotes { body company { name } }
    } }"""
    got = data(client, doc, rep)["member"]
    assert got == {
        "name": "Rep",
        "assignedTasks": [
            {
                "title": "Call",
                "person": {"name": "Ada", "company": {"name": "Acme", "notes": [{"body": "Hi"}]}},
            }
        ],
        "ownedPeople": {"edges": [{"node": {"name": "Ada"}}], "totalCount": 1},
        "ownedCompanies": [{"name": "Acme"}],
        "authoredNotes": [{"body": "Hi", "company": {"name": "Acme"}}],
    }


def test_custom_objects(client: httpx.Client) -> None:
    def rest(path: str, body: dict[str, Any]) -> None:
        r = client.post(path, json=body)
        assert r.status_code == 201, r.text

    rest("/rest/metadata/objects", {"nameSingular": "deal", "namePlural": "deals"})
    rest("/rest/metadata/fields", {"objectName": "deal", "name": "stage", "type": "TEXT"})
    rest(
        "/rest/metadata/fields",
        {"objectName": "deal", "name": "company", "type": "RELATION", "relationTarget": "company"},
    )
    acme = create(client, "Company", {"name": "Acme"})
    doc = """mutation($d: [DealCreateInput!]!) {
      createDeals(data: $d) { name stage company { name } }
    }"""
    made = data(
        client,
        doc,
        {"d": [{"name": "Big", "stage": "NEW", "companyId": acme["id"]}, {"name": "Small"}]},
    )
    assert made["createDeals"] == [
        {"name": "Big", "stage": "NEW", "company": {"name": "Acme"}},
        {"name": "Small", "stage": None, "company": None},
    ]
    got = data(client, '{ deals(filter: { stage: { eq: "NEW" } }) { totalCount } }')
    assert got == {"deals": {"totalCount": 1}}
    got = data(client, "{ companies { edges { node { deals { name } } } } }")
    assert got["companies"]["edges"][0]["node"]["deals"] == [{"name": "Big"}]
    meta = data(client, '{ metadata { objects(name: "deals") { name isCustom } } }')
    assert meta == {"metadata": {"objects": [{"name": "deal", "isCustom": True}]}}

"""Composite field types (FULL_NAME, EMAILS, PHONES, LINKS, ADDRESS, CURRENCY in
Twenty's shape) as custom fields: written, checked, read, filtered and ordered by
sub-field through REST and GraphQL, and described by OpenAPI and the catalogue."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from tests import factories
from tests.conftest import LiveServer

FIELDS = {
    "alias": "FULL_NAME",
    "mails": "EMAILS",
    "phones2": "PHONES",
    "links": "LINKS",
    "home": "ADDRESS",
    "budget": "CURRENCY",
}


@pytest.fixture
def composed(db_url: str) -> Iterator[httpx.Client]:
    key = factories.make_key(db_url)
    with LiveServer(db_url) as server, factories.http(server.url, key) as client:
        for name, type_ in FIELDS.items():
            r = client.post(
                "/rest/metadata/fields",
                json={"objectName": "person", "name": name, "type": type_},
            )
            assert r.status_code == 201, r.text
        yield client


def _names(client: httpx.Client, **params: Any) -> list[str]:
    r = client.get("/rest/people", params=params)
    assert r.status_code == 200, r.text
    return [p["name"] for p in r.json()["data"]["people"]]


def test_write_read_and_refuse(composed: httpx.Client) -> None:
    client = composed
    ada = factories.person(
        client,
        name="Ada Lovelace",
        alias={"firstName": " Ada ", "lastName": "King"},
        mails={"primaryEmail": "ada@acme.com", "additionalEmails": ["ada@home.org"]},
        phones2={
            "primaryPhoneNumber": "612345678",
            "primaryPhoneCountryCode": "fr",
            "primaryPhoneCallingCode": "+33",
        },
        links={"primaryLinkUrl": "https://acme.com", "secondaryLinks": [{"url": "x.org"}]},
        home={"addressCity": "Paris", "addressLat": 48.86},
        budget={"amountMicros": 12_500_000, "currencyCode": "EUR"},
    )
    got = client.get(f"/rest/people/{ada['id']}").json()["data"]["person"]
    assert got["alias"] == {"firstName": "Ada", "lastName": "King"}
    assert got["mails"] == {"primaryEmail": "ada@acme.com", "additionalEmails": ["ada@home.org"]}
    assert got["phones2"]["primaryPhoneCountryCode"] == "FR"
    assert got["phones2"]["additionalPhones"] == []
    assert got["links"]["secondaryLinks"] == [{"url": "x.org", "label": None}]
    assert got["home"]["addressCity"] == "Paris" and got["home"]["addressStreet1"] is None
    assert got["budget"] == {"amount": 12.5, "currencyCode": "EUR"}
    for body, field in (
        ({"mails": {"primaryEmail": "nope"}}, "mails.primaryEmail"),
        ({"mails": {"additionalEmails": ["x"]}}, "mails.additionalEmails"),
        ({"links": {"primaryLinkUrl": "not a url"}}, "links.primaryLinkUrl"),
        ({"home": {"addressLat": 123}}, "home.addressLat"),
        ({"home": {"town": "Paris"}}, "home"),
        ({"alias": "Ada"}, "alias"),
        ({"phones2": {"primaryPhoneCallingCode": "33"}}, "phones2.primaryPhoneCallingCode"),
        ({"budget": {"amount": 1, "currencyCode": "XYZ"}}, "budget"),
    ):
        r = client.post("/rest/people", json={"name": "Bad", **body})
        assert r.status_code == 400, (body, r.text)
        assert r.json()["field"] == field, r.text


def test_filter_and_order_by_sub_field(composed: httpx.Client) -> None:
    client = composed
    for name, city, mail, lat in (
        ("Ann", "Paris", "ann@acme.com", 48.8),
        ("Bob", "Lyon", "bob@other.org", 45.7),
        ("Cyd", "paris", "cyd@ACME.com", None),
    ):
        factories.person(
            client,
            name=name,
            home={"addressCity": city, "addressLat": lat},
            mails={"primaryEmail": mail},
            budget={"amount": len(name) * 10 + ord(name[0]) % 7, "currencyCode": "USD"},
        )
    factories.person(client, name="Dee")
    assert _names(client, filter="home.addressCity[eq]:Paris") == ["Ann"]
    assert _names(client, filter="home.addressCity[ilike]:paris", order_by="name") == [
        "Ann",
        "Cyd",
    ]
    assert _names(client, filter="mails.primaryEmail[ilike]:%@acme.com", order_by="name") == [
        "Ann",
        "Cyd",
    ]
    assert _names(client, filter="home.addressLat[gt]:46") == ["Ann"]
    assert _names(client, filter="or(home.addressCity[eq]:Lyon,name[eq]:Dee)", order_by="name") == [
        "Bob",
        "Dee",
    ]
    assert _names(client, filter="home[is]:NULL") == ["Dee"]
    assert _names(client, filter="budget.currencyCode[eq]:USD", order_by="name") == [
        "Ann",
        "Bob",
        "Cyd",
    ]
    assert _names(client, filter="budget.amountMicros[gte]:30000000", order_by="name") != []
    assert _names(client, order_by="mails[AscNullsLast]") == ["Ann", "Bob", "Cyd", "Dee"]
    assert _names(client, order_by="home.addressCity[DescNullsLast]") == [
        "Cyd",
        "Ann",
        "Bob",
        "Dee",
    ]
    # Keyset pages walk an order by a sub-field.
    first = client.get("/rest/people", params={"order_by": "mails", "limit": 2}).json()
    cursor = first["pageInfo"]["endCursor"]
    rest = client.get(
        "/rest/people", params={"order_by": "mails", "limit": 2, "starting_after": cursor}
    ).json()
    seen = [p["name"] for p in first["data"]["people"] + rest["data"]["people"]]
    assert seen == ["Dee", "Ann", "Bob", "Cyd"]
    r = client.get("/rest/people", params={"filter": "home.town[eq]:x"})
    assert r.status_code == 400 and "home.addressCity" in r.text, r.text
    r = client.get("/rest/people", params={"filter": "mails.additionalEmails[eq]:x"})
    assert r.status_code == 400, r.text


def _gql(client: httpx.Client, query: str, **variables: Any) -> dict[str, Any]:
    r = client.post("/graphql", json={"query": query, "variables": variables})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def test_graphql_input_output_and_filter(composed: httpx.Client) -> None:
    client = composed
    made = _gql(
        client,
        "mutation($d: PersonCreateInput!) { createPerson(data: $d) { id "
        "alias { firstName lastName } mails { primaryEmail additionalEmails } "
        "home { addressCity addressLat } budget { amount amountMicros currencyCode } } }",
        d={
            "name": "Grace Hopper",
            "alias": {"firstName": "Grace", "lastName": "Hopper"},
            "mails": {"primaryEmail": "grace@navy.mil", "additionalEmails": ["g@h.org"]},
            "home": {"addressCity": "Arlington", "addressLat": 38.88},
            "budget": {"amountMicros": 2_000_000, "currencyCode": "USD"},
        },
    )
    node = made["data"]["createPerson"]
    assert node["alias"] == {"firstName": "Grace", "lastName": "Hopper"}, made
    assert node["mails"]["additionalEmails"] == ["g@h.org"]
    assert node["budget"] == {"amount": 2, "amountMicros": 2_000_000, "currencyCode": "USD"}
    factories.person(client, name="Other", home={"addressCity": "Boston"})
    found = _gql(
        client,
        '{ people(filter: {home: {addressCity: {eq: "Arlington"}}}) { edges { node { name } } } }',
    )
    assert found.get("data") and not found.get("errors"), found
    assert [e["node"]["name"] for e in found["data"]["people"]["edges"]] == ["Grace Hopper"]
    found = _gql(
        client,
        '{ people(filter: {mails: {primaryEmail: {ilike: "%@navy.mil"}}}) '
        "{ edges { node { name } } } }",
    )
    assert found.get("data") and not found.get("errors"), found
    assert [e["node"]["name"] for e in found["data"]["people"]["edges"]] == ["Grace Hopper"]
    refused = _gql(
        client,
        'mutation { createPerson(data: {name: "X", mails: {primaryEmail: "bad"}}) { id } }',
    )
    assert refused["errors"] and "mails.primaryEmail" in json.dumps(refused["errors"])


def test_openapi_and_catalogue(composed: httpx.Client) -> None:
    client = composed
    schemas = client.get("/rest/open-api").json()["components"]["schemas"]
    home = schemas["Person"]["properties"]["home"]
    assert "addressCity" in json.dumps(home)
    assert "FULL_NAME" in schemas["FieldCreateInput"]["properties"]["type"]["enum"]
    r = client.get("/rest/webhooks/event-types")
    types = {t["name"]: t for t in r.json()["data"]["eventTypes"]}
    data = types["person.created"]["schema"]["properties"]["data"]["properties"]
    assert "primaryEmail" in json.dumps(data["mails"])

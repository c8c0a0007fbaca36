"""The /twenty/ dialect: Twenty's record shapes, inputs, filters and errors over the
same records as the default routes; an update in one is seen in the other."""

from __future__ import annotations

import json

import httpx
from tests import factories
from tests.webhooks.helpers import make_hook
from tests.webhooks.receiver import Receiver


def test_people_in_twenty_shapes(client: httpx.Client) -> None:
    r = client.post(
        "/twenty/rest/people",
        json={
            "name": {"firstName": "Ada", "lastName": "Lovelace"},
            "emails": {"primaryEmail": "ada@acme.com", "additionalEmails": []},
            "city": "London",
        },
    )
    assert r.status_code == 201, r.text
    ada = r.json()["data"]["createPerson"]
    assert ada["name"] == {"firstName": "Ada", "lastName": "Lovelace"}
    assert ada["emails"]["primaryEmail"] == "ada@acme.com"
    # The default dialect sees the same record, flat.
    flat = client.get(f"/rest/people/{ada['id']}").json()["data"]["person"]
    assert flat["name"] == "Ada Lovelace" and flat["email"] == "ada@acme.com"
    r = client.patch(f"/rest/people/{ada['id']}", json={"name": "Ada King"})
    assert r.status_code == 200, r.text
    got = client.get(f"/twenty/rest/people/{ada['id']}").json()["data"]["person"]
    assert got["name"] == {"firstName": "Ada", "lastName": "King"}
    r = client.patch(f"/twenty/rest/people/{ada['id']}", json={"name": {"lastName": "Byron"}})
    assert r.status_code == 200, r.text
    assert client.get(f"/rest/people/{ada['id']}").json()["data"]["person"]["name"] == "Ada Byron"

    factories.person(client, name="Bob Smith", email="bob@other.org")
    for flt, expected in (
        ("name.firstName[eq]:Ada", ["Ada"]),
        ("emails.primaryEmail[ilike]:%@acme.com", ["Ada"]),
        ("and(name.lastName[eq]:Smith,city[is]:NULL)", ["Bob"]),
        ("or(name.firstName[eq]:Ada,name.firstName[eq]:Bob)", ["Ada", "Bob"]),
    ):
        r = client.get("/twenty/rest/people", params={"filter": flt, "order_by": "name"})
        assert r.status_code == 200, (flt, r.text)
        body = r.json()
        assert [p["name"]["firstName"] for p in body["data"]["people"]] == expected, flt
        assert body["totalCount"] == len(expected) and "pageInfo" in body


def test_batch_create_in_twenty_shapes(client: httpx.Client) -> None:
    r = client.post(
        "/twenty/rest/batch/people",
        json=[{"name": {"firstName": "A", "lastName": "One"}}, {"name": {"firstName": "B"}}],
    )
    assert r.status_code == 201, r.text
    made = r.json()["data"]["createPeople"]
    assert [p["name"] for p in made] == [
        {"firstName": "A", "lastName": "One"},
        {"firstName": "B", "lastName": ""},
    ]


def test_companies_and_opportunities(client: httpx.Client) -> None:
    member = client.post("/rest/members", json={"name": "Owner", "email": "o@acme.com"})
    assert member.status_code == 201, member.text
    owner = member.json()["data"]["createMember"]["id"]
    r = client.post(
        "/twenty/rest/companies",
        json={
            "name": "Acme",
            "domainName": {"primaryLinkUrl": "https://acme.com"},
            "address": {"addressCity": "Paris", "addressCountry": "France"},
            "accountOwnerId": owner,
        },
    )
    assert r.status_code == 201, r.text
    acme = r.json()["data"]["createCompany"]
    assert acme["address"]["addressCity"] == "Paris" and acme["accountOwnerId"] == owner
    flat = client.get(f"/rest/companies/{acme['id']}").json()["data"]["company"]
    assert flat["address"] == "Paris, France" and flat["domain"] == "acme.com"
    r = client.get("/twenty/rest/companies", params={"filter": "address.addressCity[eq]:Paris"})
    assert [c["id"] for c in r.json()["data"]["companies"]] == [acme["id"]]
    r = client.post(
        "/twenty/rest/opportunities",
        json={
            "name": "Deal",
            "amount": {"amountMicros": 10_000_000, "currencyCode": "EUR"},
            "stage": "PROPOSAL",
            "companyId": acme["id"],
        },
    )
    assert r.status_code == 201, r.text
    deal = r.json()["data"]["createOpportunity"]
    assert deal["amount"] == {"amountMicros": 10_000_000, "currencyCode": "EUR"}
    r = client.get("/twenty/rest/opportunities", params={"filter": "stage[eq]:PROPOSAL"})
    assert [o["name"] for o in r.json()["data"]["opportunities"]] == ["Deal"]


def test_errors_in_twenty_shape(client: httpx.Client) -> None:
    r = client.post("/twenty/rest/people", json={"emails": {"primaryEmail": "nope"}})
    assert r.status_code == 400
    body = r.json()
    assert body["statusCode"] == 400 and body["error"] == "BadRequestException"
    assert body["messages"] and "emails.primaryEmail" in body["messages"][0]
    r = client.get("/twenty/rest/people/00000000-0000-0000-0000-000000000000")
    assert r.status_code == 404 and r.json()["error"] == "NotFoundException", r.text
    r = httpx.get(str(client.base_url) + "/twenty/rest/people")
    assert r.status_code == 401 and r.json()["error"] == "UnauthorizedException", r.text


def test_graphql_and_metadata_under_the_prefix(client: httpx.Client) -> None:
    factories.person(client, name="Grace Hopper")
    r = client.post("/twenty/graphql", json={"query": "{ people { totalCount } }"})
    assert r.status_code == 200 and r.json()["data"]["people"]["totalCount"] == 1, r.text
    r = client.get("/twenty/rest/metadata/objects")
    assert r.status_code == 200, r.text
    assert "opportunity" in r.text


def test_twenty_webhook_format_sends_native_records(client: httpx.Client, monkeypatch) -> None:
    monkeypatch.setenv("ROLODEX_WEBHOOK_ALLOW_PRIVATE", "1")
    with Receiver() as rx:
        hook = make_hook(client, rx.url, format="twenty")
        r = client.post(f"/rest/webhooks/{hook['id']}/test", json={"eventType": "person.created"})
        assert r.status_code == 202, r.text
        body = json.loads(r.json()["data"]["delivery"]["body"])
    assert set(body["record"]["name"]) == {"firstName", "lastName"}
    assert "primaryEmail" in body["record"]["emails"]
    assert "userId" in body and "workspaceMemberId" in body

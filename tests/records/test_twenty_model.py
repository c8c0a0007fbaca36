"""Twenty's standard data model beside the seed's: the flat and composite forms of
one value stay equal, and opportunities are records with notes, tasks and events."""

from __future__ import annotations

import httpx
from tests import factories


def test_person_flat_and_composite_agree(client: httpx.Client) -> None:
    p = factories.person(client, name="Ada Lovelace", email="ada@acme.com", phone="+1-555-0100")
    assert p["emails"] == {"primaryEmail": "ada@acme.com", "additionalEmails": []}
    assert p["phones"]["primaryPhoneNumber"] == "+1-555-0100"
    r = client.patch(
        f"/rest/people/{p['id']}",
        json={
            "emails": {"primaryEmail": "ada@x.org", "additionalEmails": ["a@y.org"]},
            "phones": {"primaryPhoneNumber": "612345678", "primaryPhoneCallingCode": "+33"},
            "city": "London",
            "linkedinLink": {"primaryLinkUrl": "https://linkedin.com/in/ada"},
        },
    )
    assert r.status_code == 200, r.text
    got = r.json()["data"]["updatePerson"]
    assert got["email"] == "ada@x.org" and got["phone"] == "+33 612345678"
    assert got["city"] == "London"
    r = client.patch(f"/rest/people/{p['id']}", json={"email": "ada@z.org"})
    got = r.json()["data"]["updatePerson"]
    assert got["emails"] == {"primaryEmail": "ada@z.org", "additionalEmails": ["a@y.org"]}
    # The unique email holds for the composite form too.
    r = client.post("/rest/people", json={"emails": {"primaryEmail": "ADA@z.org"}})
    assert r.status_code == 409, r.text
    r = client.patch(
        f"/rest/people/{p['id']}",
        json={"email": "a@b.co", "emails": {"primaryEmail": "c@d.co"}},
    )
    assert r.status_code == 400 and r.json()["field"] == "email", r.text
    found = client.get("/rest/people", params={"filter": "emails.primaryEmail[eq]:ada@z.org"})
    assert [x["id"] for x in found.json()["data"]["people"]] == [p["id"]]


def test_company_domain_and_address(client: httpx.Client) -> None:
    r = client.post(
        "/rest/companies",
        json={
            "name": "Acme",
            "domainName": {"primaryLinkUrl": "https://www.Acme.com/about"},
            "postalAddress": {"addressStreet1": "1 Main St", "addressCity": "Paris"},
            "annualRecurringRevenue": {"amountMicros": 5_000_000_000, "currencyCode": "EUR"},
            "idealCustomerProfile": True,
        },
    )
    assert r.status_code == 201, r.text
    c = r.json()["data"]["createCompany"]
    assert c["domain"] == "acme.com" and c["address"] == "1 Main St, Paris"
    assert c["annualRecurringRevenue"] == {"amount": 5000, "currencyCode": "EUR"}
    r = client.patch(f"/rest/companies/{c['id']}", json={"domain": "acme.org"})
    assert r.json()["data"]["updateCompany"]["domainName"]["primaryLinkUrl"] == "https://acme.org"
    # Writing the domain leaves the address alone; writing the flat address replaces it.
    r = client.get("/rest/companies", params={"filter": "postalAddress.addressCity[eq]:Paris"})
    assert [x["id"] for x in r.json()["data"]["companies"]] == [c["id"]]
    r = client.patch(f"/rest/companies/{c['id']}", json={"address": "2 High St"})
    got = r.json()["data"]["updateCompany"]["postalAddress"]
    assert got["addressStreet1"] == "2 High St" and got["addressCity"] is None


def test_opportunity_crud_notes_tasks_and_events(client: httpx.Client, db_url: str) -> None:
    person = factories.person(client, name="Grace Hopper")
    r = client.post(
        "/rest/opportunities",
        json={
            "name": "Big deal",
            "amount": {"amountMicros": 1_500_000, "currencyCode": "USD"},
            "closeDate": "2026-12-31T00:00:00Z",
            "probability": 40,
            "pointOfContactId": person["id"],
        },
    )
    assert r.status_code == 201, r.text
    opp = r.json()["data"]["createOpportunity"]
    assert opp["stage"] == "NEW" and opp["amount"] == {"amount": 1.5, "currencyCode": "USD"}
    r = client.patch(f"/rest/opportunities/{opp['id']}", json={"stage": "MEETING"})
    assert r.status_code == 200, r.text
    r = client.patch(f"/rest/opportunities/{opp['id']}", json={"stage": "WON"})
    assert r.status_code == 400, r.text
    r = client.post("/rest/notes", json={"title": "Call", "opportunityId": opp["id"]})
    assert r.status_code == 201, r.text
    r = client.post("/rest/tasks", json={"title": "Send offer", "opportunityId": opp["id"]})
    assert r.status_code == 201, r.text
    r = client.get(f"/rest/opportunities/{opp['id']}", params={"depth": 1})
    got = r.json()["data"]["opportunity"]
    assert [n["title"] for n in got["notes"]] == ["Call"]
    assert got["pointOfContact"]["id"] == person["id"]
    r = client.get("/rest/opportunities", params={"filter": "stage[eq]:MEETING"})
    assert [o["id"] for o in r.json()["data"]["opportunities"]] == [opp["id"]]
    events = factories.events(db_url, opp["id"])
    assert [e["type"] for e in events] == ["opportunity.created", "opportunity.updated"]
    assert events[1]["changes"] == ["stage"]
    r = client.get("/rest/webhooks/event-types")
    names = {t["name"] for t in r.json()["data"]["eventTypes"]}
    assert {"opportunity.created", "opportunity.updated", "opportunity.deleted"} <= names
    gql = client.post(
        "/graphql",
        json={
            "query": "{ opportunities { edges { node { name stage amount { amountMicros } } } } }"
        },
    ).json()
    assert gql["data"]["opportunities"]["edges"][0]["node"]["amount"] == {"amountMicros": 1500000}


def test_stages_are_editable_per_workspace(client: httpx.Client, db_url: str) -> None:
    r = client.patch(
        "/rest/metadata/fields/opportunity.stage",
        json={"options": ["NEW", "QUALIFIED", {"value": "WON", "label": "Won"}]},
    )
    assert r.status_code == 200, r.text
    assert [o["value"] for o in r.json()["data"]["updateField"]["options"]] == [
        "NEW",
        "QUALIFIED",
        "WON",
    ]
    r = client.post("/rest/opportunities", json={"name": "Deal", "stage": "WON"})
    assert r.status_code == 201, r.text
    r = client.post("/rest/opportunities", json={"name": "Old", "stage": "PROPOSAL"})
    assert r.status_code == 400, r.text
    r = client.patch("/rest/metadata/fields/opportunity.stage", json={"options": ["WON"]})
    assert r.status_code == 400 and "default" in r.text, r.text
    r = client.patch("/rest/metadata/fields/task.status", json={"options": ["TODO"]})
    assert r.status_code == 400, r.text
    # Another workspace keeps Twenty's stages.
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url, "Other"))
    with factories.http(str(client.base_url), other) as c2:
        r = c2.post("/rest/opportunities", json={"name": "Theirs", "stage": "PROPOSAL"})
        assert r.status_code == 201, r.text

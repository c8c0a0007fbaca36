"""Consent through REST: give, change, withdraw, remove, filter, options, events."""

from tests import factories


def test_consent_lifecycle_and_events(client, db_url):
    p = factories.person(client, name="Ada Lovelace", email="ada@example.com")
    url = f"/rest/people/{p['id']}/consents"
    r = client.post(
        url,
        json={
            "purpose": "newsletter",
            "legalBasis": "consent",
            "source": "web form",
            "comment": "footer signup",
        },
    )
    assert r.status_code == 201, r.text
    c = r.json()["data"]["consent"]
    assert c["active"] and c["recordedBy"]["type"] == "apiKey" and c["givenAt"]
    person = client.get(f"/rest/people/{p['id']}").json()["data"]["person"]
    assert person["consents"] == ["newsletter"]
    # The same consent again changes nothing and emits nothing.
    assert (
        client.post(
            url,
            json={
                "purpose": "newsletter",
                "legalBasis": "consent",
                "source": "web form",
                "comment": "footer signup",
            },
        ).status_code
        == 201
    )
    r = client.post(
        url,
        json={
            "purpose": "newsletter",
            "legalBasis": "legitimate-interest",
            "source": "web form",
            "comment": "footer signup",
        },
    )
    assert r.json()["data"]["consent"]["legalBasis"] == "legitimate-interest"
    client.post(url, json={"purpose": "sales-calls", "legalBasis": "contract"})
    # Filter people who may receive the newsletter.
    factories.person(client, name="Nobody")
    r = client.get("/rest/people", params={"filter": "consents[contains]:newsletter"})
    assert [x["name"] for x in r.json()["data"]["people"]] == ["Ada Lovelace"]
    # Withdraw keeps the consent, with withdrawnAt.
    r = client.delete(f"{url}/newsletter")
    assert r.status_code == 200 and r.json()["data"]["consent"]["withdrawnAt"]
    items = client.get(url).json()["data"]["consents"]
    assert {c["purpose"]: c["active"] for c in items} == {"newsletter": False, "sales-calls": True}
    r = client.get("/rest/people", params={"filter": "consents[contains]:newsletter"})
    assert r.json()["totalCount"] == 0
    # Remove erases it.
    assert client.delete(f"{url}/sales-calls?remove=true").status_code == 200
    assert [c["purpose"] for c in client.get(url).json()["data"]["consents"]] == ["newsletter"]
    events = factories.events(db_url, p["id"])
    assert [e["type"] for e in events] == [
        "person.created",
        "person.consented",
        "person.consented",
        "person.consented",
        "person.unconsented",
        "person.unconsented",
    ]
    assert events[1]["changes"][:2] == ["purpose", "legalBasis"]
    assert events[2]["changes"] == ["legalBasis"]
    assert events[2]["previous"] == {"legalBasis": "consent"}
    assert events[4]["changes"] == ["withdrawnAt"]
    assert events[1]["record"]["consents"] == ["newsletter"]


def test_consent_bad_input(client, server, db_url):
    p = factories.person(client)
    url = f"/rest/people/{p['id']}/consents"
    for body in (
        {"purpose": "spam", "legalBasis": "consent"},
        {"purpose": "newsletter", "legalBasis": "because"},
        {"purpose": "newsletter"},
        {"purpose": "newsletter", "legalBasis": "consent", "extra": 1},
        [],
        {"purpose": "newsletter", "legalBasis": "consent", "comment": 5},
    ):
        r = client.post(url, json=body)
        assert r.status_code == 400, (body, r.text)
    assert client.delete(f"{url}/newsletter").status_code == 404
    assert client.post("/rest/people/nope/consents", json={}).status_code == 400
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with factories.http(server.url, other) as c:
        r = c.post(url, json={"purpose": "newsletter", "legalBasis": "consent"})
        assert r.status_code == 404
    assert client.patch(f"/rest/people/{p['id']}", json={"consents": ["x"]}).status_code == 400


def test_consent_options_are_managed_per_workspace(client):
    opts = client.get("/rest/metadata/consent-options").json()["data"]["consentOptions"]
    assert "newsletter" in opts["purposes"] and "consent" in opts["legalBases"]
    r = client.put("/rest/metadata/consent-options", json={"purposes": ["webinars"]})
    assert r.status_code == 200
    p = factories.person(client)
    url = f"/rest/people/{p['id']}/consents"
    assert (
        client.post(url, json={"purpose": "newsletter", "legalBasis": "consent"}).status_code == 400
    )
    assert (
        client.post(url, json={"purpose": "webinars", "legalBasis": "consent"}).status_code == 201
    )
    assert client.put("/rest/metadata/consent-options", json={"purposes": []}).status_code == 400


def test_deleting_a_person_erases_their_consents(client, db_url):
    p = factories.person(client)
    client.post(
        f"/rest/people/{p['id']}/consents", json={"purpose": "newsletter", "legalBasis": "consent"}
    )
    assert client.delete(f"/rest/people/{p['id']}").status_code == 200

    async def count(conn):
        import sqlalchemy as sa

        return await conn.fetchval(conn.db.compile(sa.text("SELECT count(*) FROM consent")), {})

    assert factories.run_db(db_url, count, write=False) == 0

"""The metadata REST API: describing objects, and custom fields end to end."""

from tests import factories


def field(client, **body):
    r = client.post("/rest/metadata/fields", json=body)
    assert r.status_code == 201, r.text
    return r.json()["data"]["createField"]


def test_describe_objects_and_picklists(client):
    r = client.get("/rest/metadata/objects")
    assert r.status_code == 200
    names = {o["name"] for o in r.json()["data"]["objects"]}
    assert {"person", "company", "note", "task", "member"} <= names
    for name in ("person", "people"):
        obj = client.get(f"/rest/metadata/objects/{name}").json()["data"]["object"]
        fields = {f["name"]: f for f in obj["fields"]}
        assert fields["email"]["isUnique"] and fields["email"]["type"] == "EMAIL"
        assert fields["company"]["relationTarget"] == "company"
        assert not fields["name"]["isCustom"]
    picks = client.get("/rest/metadata/picklists").json()["data"]["picklists"]
    status = next(p for p in picks if p["objectName"] == "task" and p["fieldName"] == "status")
    assert [o["value"] for o in status["options"]] == ["TODO", "IN_PROGRESS", "DONE"]
    assert client.get("/rest/metadata/objects/persons").status_code == 404


def test_custom_field_lifecycle(client, db_url):
    f = field(client, objectName="person", name="lead_score", type="NUMBER", label="Lead score")
    assert f["name"] == "leadScore" and f["isCustom"]
    # Plain keys and the seed's customFields form both write it; reads show both.
    p = factories.person(client, name="A", leadScore=87)
    assert p["leadScore"] == 87
    r = client.post(
        "/rest/people",
        json={"name": "B", "customFields": [{"fieldId": "lead_score", "value": "42"}]},
    )
    assert r.status_code == 201, r.text
    assert r.json()["data"]["createPerson"]["leadScore"] == 42
    r = client.get("/rest/people", params={"filter": "leadScore[gte]:50"})
    assert [x["name"] for x in r.json()["data"]["people"]] == ["A"]
    r = client.get("/rest/people", params={"order_by": "leadScore[DescNullsLast]"})
    assert [x["name"] for x in r.json()["data"]["people"]] == ["A", "B"]
    assert client.post("/rest/people", json={"leadScore": "high"}).status_code == 400
    # Rename keeps the data.
    r = client.patch(f"/rest/metadata/fields/{f['id']}", json={"name": "score"})
    assert r.status_code == 200, r.text
    got = client.get(f"/rest/people/{p['id']}").json()["data"]["person"]
    assert got["score"] == 87 and "leadScore" not in got
    # Type change to TEXT converts; back to NUMBER converts; to BOOLEAN is refused.
    assert (
        client.patch(f"/rest/metadata/fields/{f['id']}", json={"type": "TEXT"}).status_code == 200
    )
    assert client.get(f"/rest/people/{p['id']}").json()["data"]["person"]["score"] == "87"
    r = client.patch(f"/rest/metadata/fields/{f['id']}", json={"type": "BOOLEAN"})
    assert r.status_code == 400 and r.json()["field"] == "type"
    # Deactivate hides it but keeps the data; restore brings it back; purge removes it.
    assert client.delete(f"/rest/metadata/fields/{f['id']}").status_code == 200
    got = client.get(f"/rest/people/{p['id']}").json()["data"]["person"]
    assert "score" not in got
    assert client.post("/rest/people", json={"score": "1"}).status_code == 400
    assert client.post(f"/rest/metadata/fields/{f['id']}/restore").status_code == 200
    assert client.get(f"/rest/people/{p['id']}").json()["data"]["person"]["score"] == "87"
    assert client.delete(f"/rest/metadata/fields/{f['id']}?purge=true").status_code == 400
    client.delete(f"/rest/metadata/fields/{f['id']}")
    assert client.delete(f"/rest/metadata/fields/{f['id']}?purge=true").status_code == 200
    assert client.get(f"/rest/metadata/fields/{f['id']}").status_code == 404
    # Every change was audited as an event with the actor.
    types = [e["type"] for e in factories.events(db_url, f["id"])]
    assert types[0] == "field.created" and types[-1] == "field.purged"
    assert all(e["actor"]["type"] == "apiKey" for e in factories.events(db_url, f["id"]))


def test_select_field_and_unique(client):
    f = field(
        client,
        objectName="company",
        name="tier",
        type="SELECT",
        options=["GOLD", {"value": "SILVER", "label": "Silver"}],
    )
    assert [o["value"] for o in f["options"]] == ["GOLD", "SILVER"]
    r = client.post("/rest/companies", json={"name": "X", "tier": "BRONZE"})
    assert r.status_code == 400 and "GOLD" in r.json()["message"]
    factories.company(client, name="Y", tier="GOLD")
    field(client, objectName="company", name="vatNumber", type="TEXT", isUnique=True)
    factories.company(client, name="Z", vatNumber="FI123")
    r = client.post("/rest/companies", json={"name": "W", "vatNumber": "FI123"})
    assert r.status_code == 409


def test_bad_field_definitions(client):
    bad = [
        {"objectName": "person", "name": "email", "type": "TEXT"},
        {"objectName": "person", "name": "Email", "type": "TEXT"},
        {"objectName": "person", "name": "edges", "type": "TEXT"},
        {"objectName": "person", "name": "9lives", "type": "TEXT"},
        {"objectName": "person", "name": "x", "type": "NOPE"},
        {"objectName": "person", "name": "x", "type": "SELECT"},
        {"objectName": "person", "name": "x", "type": "TEXT", "options": ["A"]},
        {"objectName": "person", "name": "x", "type": "NUMBER", "defaultValue": "abc"},
        {"objectName": "person", "name": "x", "type": "TEXT", "bogus": 1},
        {"objectName": "person", "name": "notesList", "type": "TEXT"},
        {"name": "x", "type": "TEXT"},
        [],
    ]
    for body in bad:
        r = client.post("/rest/metadata/fields", json=body)
        assert r.status_code == 400, (body, r.text)
    r = client.post(
        "/rest/metadata/fields", json={"objectName": "widgets", "name": "x", "type": "TEXT"}
    )
    assert r.status_code == 404
    assert client.get("/rest/metadata/fields/not-a-uuid").status_code == 400


def test_scopes(server, db_url):
    key = factories.make_key(db_url, scopes=["metadata:read"])
    with factories.http(server.url, key) as c:
        assert c.get("/rest/metadata/objects").status_code == 200
        r = c.post(
            "/rest/metadata/fields", json={"objectName": "person", "name": "x", "type": "TEXT"}
        )
        assert r.status_code == 403
    key = factories.make_key(db_url, scopes=["record:read"])
    with factories.http(server.url, key) as c:
        assert c.get("/rest/metadata/objects").status_code == 403

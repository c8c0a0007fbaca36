"""Duplicates and merge: GET /rest/{objects}/duplicates, POST /rest/{objects}/merge and
GraphQL's merge<Objects>, with the events and the timeline they leave."""

import uuid

from tests import factories
from tests.graphql.helpers import data, post


def types_of(db_url, record_id):
    return [e["type"] for e in factories.events(db_url, record_id)]


def custom_deal(client):
    r = client.post("/rest/metadata/objects", json={"nameSingular": "deal", "namePlural": "deals"})
    assert r.status_code == 201, r.text
    for body in (
        {"objectName": "deal", "name": "contact", "type": "RELATION", "relationTarget": "person"},
        {"objectName": "person", "name": "nickname", "type": "TEXT"},
    ):
        r = client.post("/rest/metadata/fields", json=body)
        assert r.status_code == 201, r.text


def test_merge_people_moves_relations_fills_fields_and_soft_deletes(client, db_url):
    custom_deal(client)
    acme = factories.company(client, name="Acme")
    primary = factories.person(client, name="Ada Lovelace", email="ada@example.com")
    dup1 = factories.person(
        client, name="ada lovelace", jobTitle="Analyst", phone="+44 20 7946 0000"
    )
    dup2 = factories.person(
        client,
        name="Ada L.",
        email="countess@example.com",
        jobTitle="Countess",
        location="London",
        companyId=acme["id"],
        nickname="Enchantress",
    )
    n1 = factories.create(client, "notes", body="from dup1", personId=dup1["id"])
    n2 = factories.create(client, "notes", body="shared", personId=dup2["id"], companyId=acme["id"])
    t1 = factories.create(client, "tasks", title="call", personId=dup2["id"])
    deal = factories.create(client, "deals", name="Big", contactId=dup1["id"])
    gone_note = factories.create(client, "notes", body="old", personId=dup1["id"])
    client.delete(f"/rest/notes/{gone_note['id']}?soft_delete=true")
    other = factories.person(client, name="Someone Else")

    r = client.post(
        "/rest/people/merge",
        json={
            "primaryId": primary["id"],
            "duplicateIds": [dup1["id"], dup2["id"]],
            "prefer": {"jobTitle": dup2["id"]},
        },
    )
    assert r.status_code == 200, r.text
    body = r.json()["data"]
    got = body["mergePeople"]
    assert body["mergedIds"] == [dup1["id"], dup2["id"]]
    assert body["moved"] == {"note": 3, "task": 1, "deal": 1}
    assert got["id"] == primary["id"]
    assert got["name"] == "Ada Lovelace" and got["email"] == "ada@example.com"
    assert got["jobTitle"] == "Countess"  # prefer
    assert got["phone"] == dup1["phone"]  # first non-empty, in duplicateIds order
    assert got["location"] == "London" and got["companyId"] == acme["id"]
    assert got["nickname"] == "Enchantress"
    for plural, rel in (("notes", n1), ("notes", n2), ("tasks", t1)):
        rec = client.get(f"/rest/{plural}/{rel['id']}").json()["data"]
        assert next(iter(rec.values()))["personId"] == primary["id"]
    assert (
        client.get(f"/rest/deals/{deal['id']}").json()["data"]["deal"]["contactId"]
        == (primary["id"])
    )
    hidden = client.get("/rest/notes", params={"filter": "deletedAt[is]:NOT_NULL"}).json()
    assert hidden["data"]["notes"][0]["personId"] == primary["id"]
    # The duplicates are soft-deleted, restorable; the others untouched.
    assert client.get(f"/rest/people/{dup1['id']}").status_code == 404
    ids = {p["id"] for p in client.get("/rest/people").json()["data"]["people"]}
    assert ids == {primary["id"], other["id"]}
    assert types_of(db_url, other["id"]) == ["person.created"]
    # Events: the moves, the primary's update, the soft deletes, and one merged event.
    assert types_of(db_url, n1["id"]) == ["note.created", "note.updated"]
    assert types_of(db_url, deal["id"]) == ["deal.created", "deal.updated"]
    assert types_of(db_url, dup1["id"]) == ["person.created", "person.softdeleted"]
    assert types_of(db_url, primary["id"]) == [
        "person.created",
        "person.updated",
        "person.merged",
    ]
    merged = factories.events(db_url, primary["id"])[-1]
    assert merged["previous"] == {"mergedIds": [dup1["id"], dup2["id"]]}
    assert set(merged["changes"]) >= {"jobTitle", "phone", "location", "companyId", "nickname"}
    assert merged["record"]["jobTitle"] == "Countess"
    # The timeline shows the merge, and the notes moved in.
    r = client.get(f"/rest/people/{primary['id']}/timeline")
    assert r.status_code == 200, r.text
    items = r.json()["data"]["timeline"] if "data" in r.json() else r.json()["timeline"]
    kinds = [i["type"] for i in items]
    assert kinds[0] == "person.merged" and "note.updated" in kinds
    assert client.patch(f"/rest/people/{dup1['id']}/restore").status_code == 200


def test_merge_takes_a_unique_value_from_a_duplicate(client, db_url):
    primary = factories.person(client, name="Grace Hopper")
    dup = factories.person(client, name="Grace Hopper", email="grace@example.com")
    r = client.post(
        "/rest/people/merge", json={"primaryId": primary["id"], "duplicateIds": [dup["id"]]}
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["mergePeople"]["email"] == "grace@example.com"
    assert types_of(db_url, dup["id"]) == ["person.created", "person.updated", "person.softdeleted"]
    # prefer can name the primary, or a value on a record with a name of its own.
    a = factories.create(client, "people", firstName="Alan")
    b = factories.person(client, name="Alan Mathison Turing", jobTitle="Mathematician")
    r = client.post(
        "/rest/people/merge",
        json={"primaryId": a["id"], "duplicateIds": [b["id"]], "prefer": {"name": b["id"]}},
    )
    assert r.status_code == 200, r.text
    got = r.json()["data"]["mergePeople"]
    assert (got["name"], got["firstName"], got["lastName"]) == (
        "Alan Mathison Turing",
        "Alan",
        "Mathison Turing",
    )


def test_merge_companies_moves_their_people(client, db_url):
    a = factories.company(client, name="Acme", domain="acme.com")
    b = factories.company(client, name="ACME", employees=50)
    p = factories.person(client, name="Worker", companyId=b["id"])
    r = client.post("/rest/companies/merge", json={"primaryId": a["id"], "duplicateIds": [b["id"]]})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["mergeCompanies"]["employees"] == 50
    assert r.json()["data"]["moved"] == {"person": 1}
    got = client.get(f"/rest/people/{p['id']}").json()["data"]["person"]
    assert got["companyId"] == a["id"]
    assert types_of(db_url, a["id"])[-1] == "company.merged"


def test_merge_errors(client, server, db_url):
    a = factories.person(client, name="A")
    b = factories.person(client, name="B")
    gone = factories.person(client, name="C")
    client.delete(f"/rest/people/{gone['id']}?soft_delete=true")
    company = factories.company(client, name="Co")
    missing = str(uuid.uuid4())
    cases = [
        ({"primaryId": a["id"], "duplicateIds": [a["id"]]}, 400, "duplicateIds"),
        ({"primaryId": a["id"], "duplicateIds": [b["id"], b["id"]]}, 400, "duplicateIds"),
        ({"primaryId": a["id"], "duplicateIds": []}, 400, "duplicateIds"),
        ({"primaryId": a["id"]}, 400, "duplicateIds"),
        ({"primaryId": "nope", "duplicateIds": [b["id"]]}, 400, "primaryId"),
        ({"primaryId": missing, "duplicateIds": [b["id"]]}, 404, "primaryId"),
        ({"primaryId": a["id"], "duplicateIds": [missing]}, 404, "duplicateIds"),
        ({"primaryId": a["id"], "duplicateIds": [gone["id"]]}, 404, "duplicateIds"),
        ({"primaryId": a["id"], "duplicateIds": [company["id"]]}, 404, "duplicateIds"),
        ({"primaryId": a["id"], "duplicateIds": [b["id"]], "x": 1}, 400, "x"),
        ({"primaryId": a["id"], "duplicateIds": [b["id"]], "prefer": {"nope": a["id"]}}, 400, None),
        ({"primaryId": a["id"], "duplicateIds": [b["id"]], "prefer": {"name": missing}}, 400, None),
        (
            {"primaryId": a["id"], "duplicateIds": [b["id"]], "prefer": {"createdAt": a["id"]}},
            400,
            None,
        ),
    ]
    for body, status, field in cases:
        r = client.post("/rest/people/merge", json=body)
        assert r.status_code == status, (body, r.text)
        if field is not None:
            assert r.json()["field"] == field, (body, r.text)
    assert client.post("/rest/people/merge", json=[]).status_code == 400
    # Another workspace sees none of these records.
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with factories.http(server.url, other) as c:
        r = c.post("/rest/people/merge", json={"primaryId": a["id"], "duplicateIds": [b["id"]]})
        assert r.status_code == 404
        mine = factories.person(c, name="Mine")
        r = c.post("/rest/people/merge", json={"primaryId": mine["id"], "duplicateIds": [b["id"]]})
        assert r.status_code == 404 and r.json()["index"] == 0
    # Nothing changed.
    assert types_of(db_url, b["id"]) == ["person.created"]
    assert client.get(f"/rest/people/{b['id']}").status_code == 200


def test_duplicates_lists_groups_page_by_page(client, server, db_url):
    factories.person(client, name="Ada Lovelace", email="ada@example.com")
    factories.person(client, name="ADA LOVELACE")
    factories.person(client, name="ada lovelace")
    g1 = factories.person(client, name="Grace Hopper")
    g2 = factories.person(client, name="grace hopper")
    factories.person(client, name="Alan Turing")
    r = client.get("/rest/people/duplicates")
    assert r.status_code == 200, r.text
    groups = r.json()["data"]["duplicates"]
    assert [(g["field"], g["value"], g["count"]) for g in groups] == [
        ("name", "ada lovelace", 3),
        ("name", "grace hopper", 2),
    ]
    assert [p["id"] for p in groups[1]["records"]] == [g1["id"], g2["id"]]
    assert r.json()["pageInfo"] == {"hasNextPage": False, "endCursor": None}
    r = client.get("/rest/people/duplicates", params={"limit": 1})
    page = r.json()
    assert [g["value"] for g in page["data"]["duplicates"]] == ["ada lovelace"]
    assert page["pageInfo"]["hasNextPage"]
    r = client.get(
        "/rest/people/duplicates",
        params={"limit": 1, "starting_after": page["pageInfo"]["endCursor"]},
    )
    assert [g["value"] for g in r.json()["data"]["duplicates"]] == ["grace hopper"]
    assert not r.json()["pageInfo"]["hasNextPage"]
    assert client.get("/rest/people/duplicates?starting_after=zz").status_code == 400
    assert client.get("/rest/people/duplicates?limit=0").status_code == 400
    assert client.get("/rest/people/duplicates?limt=1").status_code == 400
    # Companies by name too; soft-deleted records are not duplicates.
    factories.company(client, name="Acme", domain="acme.com")
    c2 = factories.company(client, name="acme")
    r = client.get("/rest/companies/duplicates").json()["data"]["duplicates"]
    assert [(g["field"], g["value"], g["count"]) for g in r] == [("name", "acme", 2)]
    client.delete(f"/rest/companies/{c2['id']}?soft_delete=true")
    assert client.get("/rest/companies/duplicates").json()["data"]["duplicates"] == []
    # The same through GraphQL.
    q = """query($after: String) {
      peopleDuplicates(first: 1, after: $after) {
        groups { field value count records { id name } }
        pageInfo { hasNextPage endCursor }
      }
    }"""
    got = data(client, q)["peopleDuplicates"]
    assert [(g["field"], g["value"], g["count"]) for g in got["groups"]] == [
        ("name", "ada lovelace", 3)
    ]
    assert got["pageInfo"]["hasNextPage"]
    got = data(client, q, {"after": got["pageInfo"]["endCursor"]})["peopleDuplicates"]
    assert [r["id"] for r in got["groups"][0]["records"]] == [g1["id"], g2["id"]]
    assert not got["pageInfo"]["hasNextPage"]
    body = post(client, "{ peopleDuplicates(first: 0) { groups { value } } }")
    assert "first" in body["errors"][0]["message"]
    # Per workspace.
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with factories.http(server.url, other) as c:
        assert c.get("/rest/people/duplicates").json()["data"]["duplicates"] == []
    # The names are not ids, on the hot path and behind it.
    assert client.get("/rest/people/duplicates/").status_code == 200
    assert client.get("/rest/nothings/duplicates").status_code == 404


def test_custom_object_duplicates_and_graphql_merge(client, db_url):
    custom_deal(client)
    r = client.post(
        "/rest/metadata/fields",
        json={"objectName": "deal", "name": "code", "type": "TEXT", "isUnique": True},
    )
    assert r.status_code == 201, r.text
    d1 = factories.create(client, "deals", name="Big One", code="ABC")
    d2 = factories.create(client, "deals", name="big one", code="abc")
    factories.create(client, "deals", name="Other", code="xyz")
    r = client.get("/rest/deals/duplicates").json()["data"]["duplicates"]
    assert [(g["field"], g["value"], g["count"]) for g in r] == [
        ("code", "abc", 2),
        ("name", "big one", 2),
    ]
    assert {x["id"] for x in r[0]["records"]} == {d1["id"], d2["id"]}
    # Merging them: the duplicate keeps its own code (the primary has one).
    r = client.post("/rest/deals/merge", json={"primaryId": d1["id"], "duplicateIds": [d2["id"]]})
    assert r.status_code == 200 and r.json()["data"]["mergeDeals"]["code"] == "ABC"

    p1 = factories.person(client, name="Ada")
    p2 = factories.person(client, name="Ada", jobTitle="Analyst")
    note = factories.create(client, "notes", body="n", personId=p2["id"])
    q = """mutation($p: ID!, $d: [ID!]!, $pref: JSON) {
      mergePeople(primaryId: $p, duplicateIds: $d, prefer: $pref) {
        id jobTitle notes { edges { node { id } } }
      }
    }"""
    got = data(client, q, {"p": p1["id"], "d": [p2["id"]]})["mergePeople"]
    assert got["id"] == p1["id"] and got["jobTitle"] == "Analyst"
    assert [e["node"]["id"] for e in got["notes"]["edges"]] == [note["id"]]
    assert types_of(db_url, p1["id"])[-1] == "person.merged"
    body = post(client, q, {"p": p1["id"], "d": [p1["id"]]})
    assert body["data"]["mergePeople"] is None
    assert "duplicates" in body["errors"][0]["message"]
    body = post(client, q, {"p": p1["id"], "d": [p2["id"]], "pref": ["x"]})
    assert body["data"]["mergePeople"] is None


def test_merged_event_is_in_the_catalogue_and_can_be_subscribed(client):
    r = client.get("/rest/webhooks/event-types")
    assert r.status_code == 200, r.text
    body = r.json()
    items = body["data"] if isinstance(body.get("data"), list) else body["data"]["eventTypes"]
    names = {e["name"]: e for e in items}
    assert "person.merged" in names and "company.merged" in names
    schema = names["person.merged"]["schema"]
    assert "mergedIds" in schema["properties"]["previous"]["properties"]
    r = client.post(
        "/rest/webhooks",
        json={"targetUrl": "https://example.com/hook", "operations": ["person.merged"]},
    )
    assert r.status_code == 201, r.text


def test_scopes_and_idempotent_merge(client, server, db_url):
    a = factories.person(client, name="Ada")
    b = factories.person(client, name="ada")
    reader = factories.make_key(db_url, scopes=["record:read"])
    with factories.http(server.url, reader) as c:
        assert c.get("/rest/people/duplicates").status_code == 200
        r = c.post("/rest/people/merge", json={"primaryId": a["id"], "duplicateIds": [b["id"]]})
        assert r.status_code == 403
        r = c.patch("/rest/batch/people", json=[{"id": a["id"], "jobTitle": "x"}])
        assert r.status_code == 403
        assert c.request("DELETE", "/rest/batch/people", json={"ids": [a["id"]]}).status_code == 403
    body = {"primaryId": a["id"], "duplicateIds": [b["id"]]}
    headers = {"Idempotency-Key": "merge-1"}
    first = client.post("/rest/people/merge", json=body, headers=headers)
    again = client.post("/rest/people/merge", json=body, headers=headers)
    assert first.status_code == again.status_code == 200, first.text
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
    assert types_of(db_url, a["id"]).count("person.merged") == 1
    # Without the key, a second merge of the same records is a 404: the duplicate is gone.
    r = client.post("/rest/people/merge", json=body)
    assert r.status_code == 404 and r.json()["field"] == "duplicateIds"

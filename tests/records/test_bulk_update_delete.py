"""Bulk update and delete: PATCH and DELETE /rest/batch/{objects}, and GraphQL's
updatePeople / deletePeople / destroyPeople, all or nothing, one event per record."""

import uuid

from tests import factories
from tests.graphql.helpers import data, post


def types_of(db_url, record_id):
    return [e["type"] for e in factories.events(db_url, record_id)]


def test_bulk_update_all_or_nothing_naming_the_item(client, db_url):
    a = factories.person(client, name="Ada Lovelace", email="ada@example.com")
    b = factories.person(client, name="Grace Hopper")
    c = factories.person(client, name="Alan Turing")
    r = client.patch(
        "/rest/batch/people",
        json=[
            {"id": a["id"], "jobTitle": "Analyst"},
            {"id": b["id"], "jobTitle": "Admiral", "tags": "not a list"},
            {"id": c["id"], "jobTitle": "Mathematician"},
        ],
    )
    assert r.status_code == 400, r.text
    body = r.json()
    assert body["index"] == 1 and body["id"] == b["id"] and body["field"] == "tags"
    assert body["message"].startswith("Item 1:")
    # Nothing was written, and no event.
    assert client.get(f"/rest/people/{a['id']}").json()["data"]["person"]["jobTitle"] is None
    assert types_of(db_url, a["id"]) == ["person.created"]

    missing = str(uuid.uuid4())
    r = client.patch(
        "/rest/batch/people",
        json={"data": [{"id": a["id"], "jobTitle": "x"}, {"id": missing, "jobTitle": "y"}]},
    )
    assert r.status_code == 404 and r.json()["index"] == 1 and r.json()["id"] == missing
    # A unique clash is a 409 naming the item.
    r = client.patch("/rest/batch/people", json=[{"id": c["id"], "email": "ADA@example.com"}])
    assert r.status_code == 409 and r.json()["index"] == 0 and r.json()["id"] == c["id"]
    for bad, field in (
        ([{"jobTitle": "x"}], "id"),
        ([{"id": "nope"}], "id"),
        ([{"id": a["id"]}, {"id": a["id"], "jobTitle": "x"}], "id"),
    ):
        r = client.patch("/rest/batch/people", json=bad)
        assert r.status_code == 400 and r.json()["field"] == field, r.text
    assert client.patch("/rest/batch/people", json={"id": a["id"]}).status_code == 400
    too_many = [{"id": str(uuid.uuid4())} for _ in range(2001)]
    assert client.patch("/rest/batch/people", json=too_many).status_code == 400

    r = client.patch(
        "/rest/batch/people",
        json=[{"id": a["id"], "jobTitle": "Analyst"}, {"id": b["id"], "lastName": "Murray Hopper"}],
    )
    assert r.status_code == 200, r.text
    got = r.json()["data"]["updatePeople"]
    assert [p["id"] for p in got] == [a["id"], b["id"]]
    assert got[1]["name"] == "Grace Murray Hopper"
    # One event per record, as a single PATCH gives it.
    single = client.patch(f"/rest/people/{c['id']}", json={"jobTitle": "Analyst"})
    assert single.status_code == 200
    ev_a = factories.events(db_url, a["id"])[-1]
    ev_c = factories.events(db_url, c["id"])[-1]
    assert ev_a["type"] == ev_c["type"] == "person.updated"
    assert ev_a["changes"] == ev_c["changes"] == ["jobTitle"]
    assert ev_a["previous"] == ev_c["previous"] == {"jobTitle": None}
    ev_b = factories.events(db_url, b["id"])[-1]
    assert set(ev_b["changes"]) == {"lastName", "name"}
    assert types_of(db_url, b["id"]) == ["person.created", "person.updated"]


def test_bulk_delete_by_ids_is_soft_and_restorable(client, db_url):
    a = factories.person(client, name="Ada")
    b = factories.person(client, name="Grace")
    note = factories.create(client, "notes", body="hers", personId=a["id"])
    missing = str(uuid.uuid4())
    r = client.request("DELETE", "/rest/batch/people", json={"ids": [a["id"], missing]})
    assert r.status_code == 404 and r.json()["index"] == 1 and r.json()["id"] == missing
    assert client.get(f"/rest/people/{a['id']}").status_code == 200

    r = client.request("DELETE", "/rest/batch/people", json={"ids": [a["id"], b["id"]]})
    assert r.status_code == 200, r.text
    gone = r.json()["data"]["deletePeople"]
    assert [g["id"] for g in gone] == [a["id"], b["id"]] and all(g["deletedAt"] for g in gone)
    assert client.get("/rest/people").json()["totalCount"] == 0
    assert client.get(f"/rest/notes/{note['id']}").status_code == 404
    assert types_of(db_url, a["id"]) == ["person.created", "person.softdeleted"]
    assert types_of(db_url, note["id"]) == ["note.created", "note.softdeleted"]
    assert client.patch(f"/rest/people/{a['id']}/restore").status_code == 200
    assert client.get(f"/rest/notes/{note['id']}").status_code == 200
    # Already soft-deleted: not found for a soft delete; deleted for good when asked.
    r = client.request("DELETE", "/rest/batch/people", json={"ids": [b["id"]]})
    assert r.status_code == 404
    r = client.request(
        "DELETE", "/rest/batch/people?soft_delete=false", json={"ids": [a["id"], b["id"]]}
    )
    assert r.status_code == 200 and r.json()["data"]["deletePeople"] == [
        {"id": a["id"]},
        {"id": b["id"]},
    ]
    assert types_of(db_url, b["id"])[-1] == "person.deleted"
    assert types_of(db_url, note["id"])[-1] == "note.deleted"
    for bad in (
        {},
        {"ids": "x"},
        {"ids": [a["id"]], "filter": "name[eq]:x"},
        {"ids": [a["id"]], "expectedCount": 1},
        {"ids": ["nope"]},
        {"ids": [], "extra": 1},
    ):
        assert client.request("DELETE", "/rest/batch/people", json=bad).status_code == 400, bad
    assert client.request("DELETE", "/rest/batch/people?soft_delete=maybe", json={"ids": []})
    assert client.request("DELETE", "/rest/batch/people", json={"ids": []}).status_code == 200


def test_bulk_delete_by_filter_needs_the_expected_count(client, db_url):
    people = [factories.person(client, name=f"P{i}", jobTitle="Intern") for i in range(3)]
    keep = factories.person(client, name="Boss", jobTitle="CEO")
    r = client.request("DELETE", "/rest/batch/people", json={"filter": "jobTitle[eq]:Intern"})
    assert r.status_code == 400 and r.json()["field"] == "expectedCount"
    r = client.request(
        "DELETE", "/rest/batch/people", json={"filter": "jobTitle[eq]:Intern", "expectedCount": 2}
    )
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "COUNT_MISMATCH"
    assert r.json()["matched"] == 3 and r.json()["expectedCount"] == 2
    assert client.get("/rest/people").json()["totalCount"] == 4
    assert all(types_of(db_url, p["id"]) == ["person.created"] for p in people)
    r = client.request(
        "DELETE", "/rest/batch/people", json={"filter": "jobTitle[eq]:Intern", "expectedCount": 3}
    )
    assert r.status_code == 200, r.text
    assert {g["id"] for g in r.json()["data"]["deletePeople"]} == {p["id"] for p in people}
    assert [p["id"] for p in client.get("/rest/people").json()["data"]["people"]] == [keep["id"]]
    assert all(types_of(db_url, p["id"])[-1] == "person.softdeleted" for p in people)
    # Deleted for good by a filter on deletedAt (the soft-deleted ones).
    r = client.request(
        "DELETE",
        "/rest/batch/people?soft_delete=false",
        json={"filter": "deletedAt[is]:NOT_NULL", "expectedCount": 3},
    )
    assert r.status_code == 200, r.text
    assert all(types_of(db_url, p["id"])[-1] == "person.deleted" for p in people)
    bad = client.request(
        "DELETE", "/rest/batch/people", json={"filter": "nope[eq]:1", "expectedCount": 0}
    )
    assert bad.status_code == 400
    bad = client.request("DELETE", "/rest/batch/people", json={"filter": "", "expectedCount": 0})
    assert bad.status_code == 400
    bad = client.request(
        "DELETE", "/rest/batch/people", json={"filter": "name[eq]:x", "expectedCount": "1"}
    )
    assert bad.status_code == 400


def test_bulk_is_per_workspace_and_replays_with_an_idempotency_key(client, server, db_url):
    mine = factories.person(client, name="Mine")
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with factories.http(server.url, other) as c:
        r = c.patch("/rest/batch/people", json=[{"id": mine["id"], "jobTitle": "x"}])
        assert r.status_code == 404
        r = c.request("DELETE", "/rest/batch/people", json={"ids": [mine["id"]]})
        assert r.status_code == 404
        r = c.request(
            "DELETE", "/rest/batch/people", json={"filter": "name[eq]:Mine", "expectedCount": 1}
        )
        assert r.status_code == 409 and r.json()["matched"] == 0
    headers = {"Idempotency-Key": "bulk-1"}
    body = [{"id": mine["id"], "jobTitle": "Analyst"}]
    first = client.patch("/rest/batch/people", json=body, headers=headers)
    again = client.patch("/rest/batch/people", json=body, headers=headers)
    assert first.status_code == again.status_code == 200
    assert again.headers.get("idempotent-replayed") == "true"
    assert types_of(db_url, mine["id"]) == ["person.created", "person.updated"]
    r = client.request(
        "DELETE",
        "/rest/batch/people",
        json={"ids": [mine["id"]]},
        headers={"Idempotency-Key": "k2"},
    )
    r2 = client.request(
        "DELETE",
        "/rest/batch/people",
        json={"ids": [mine["id"]]},
        headers={"Idempotency-Key": "k2"},
    )
    assert r.status_code == r2.status_code == 200 and r2.headers["idempotent-replayed"] == "true"
    assert types_of(db_url, mine["id"])[-1] == "person.softdeleted"


UPDATE = """mutation($f: PersonFilterInput!, $d: PersonUpdateInput!) {
  updatePeople(filter: $f, data: $d) { id jobTitle }
}"""


def test_graphql_update_and_delete_many(client, db_url):
    interns = [factories.person(client, name=f"I{i}", jobTitle="Intern") for i in range(3)]
    boss = factories.person(client, name="Boss", jobTitle="CEO")
    got = data(client, UPDATE, {"f": {"jobTitle": {"eq": "Intern"}}, "d": {"jobTitle": "Analyst"}})
    assert sorted(p["id"] for p in got["updatePeople"]) == sorted(p["id"] for p in interns)
    assert {p["jobTitle"] for p in got["updatePeople"]} == {"Analyst"}
    assert all(types_of(db_url, p["id"])[-1] == "person.updated" for p in interns)
    assert types_of(db_url, boss["id"]) == ["person.created"]
    # No match: an empty list. An empty filter is refused.
    got = data(client, UPDATE, {"f": {"jobTitle": {"eq": "Nobody"}}, "d": {"jobTitle": "x"}})
    assert got["updatePeople"] == []
    body = post(client, UPDATE, {"f": {}, "d": {"jobTitle": "x"}})
    assert body["data"]["updatePeople"] is None and "filter" in body["errors"][0]["message"]

    q = """mutation($f: PersonFilterInput!, $n: Int) {
      deletePeople(filter: $f, expectedCount: $n) { id deletedAt }
    }"""
    body = post(client, q, {"f": {"jobTitle": {"eq": "Analyst"}}, "n": 2})
    assert body["data"]["deletePeople"] is None
    assert body["errors"][0]["extensions"]["code"] == "CONFLICT" or "3" in str(body["errors"])
    got = data(client, q, {"f": {"jobTitle": {"eq": "Analyst"}}})
    assert len(got["deletePeople"]) == 3 and all(p["deletedAt"] for p in got["deletePeople"])
    assert all(types_of(db_url, p["id"])[-1] == "person.softdeleted" for p in interns)
    q = """mutation($f: PersonFilterInput!) { destroyPeople(filter: $f) { id } }"""
    got = data(client, q, {"f": {"deletedAt": {"is": "NOT_NULL"}}})
    assert len(got["destroyPeople"]) == 3
    assert all(types_of(db_url, p["id"])[-1] == "person.deleted" for p in interns)
    assert client.get("/rest/people").json()["totalCount"] == 1


def test_graphql_bulk_refuses_more_than_the_bound(client):
    r = client.post("/rest/batch/people", json=[{"name": f"p{i}"} for i in range(2001 // 2)])
    assert r.status_code == 201
    r = client.post("/rest/batch/people", json=[{"name": f"q{i}"} for i in range(1001)])
    assert r.status_code == 201
    body = post(client, UPDATE, {"f": {"name": {"is": "NOT_NULL"}}, "d": {"jobTitle": "x"}})
    assert body["data"]["updatePeople"] is None
    assert "more than 2000" in body["errors"][0]["message"]
    r = client.request(
        "DELETE", "/rest/batch/people", json={"filter": "name[is]:NOT_NULL", "expectedCount": 2001}
    )
    assert r.status_code == 422 and r.json()["error"] == "TOO_MANY_RECORDS"
    assert client.get("/rest/people?filter=jobTitle[eq]:x").json()["totalCount"] == 0


def test_bulk_update_written_together_reads_as_item_by_item(client, db_url):
    """The rows of a bulk update go in together; what they write, index and emit is
    what one update after another would, unique values included."""
    a = factories.person(client, name="Ada Lovelace", email="ada@example.com")
    b = factories.person(client, name="Grace Hopper", email="grace@example.com")
    c = factories.person(client, name="Alan Turing")
    # Items setting other columns, and a unique value given up by one item and
    # taken by a later one.
    r = client.patch(
        "/rest/batch/people",
        json=[
            {"id": a["id"], "email": "ada@lovelace.org", "jobTitle": "Countess"},
            {"id": b["id"], "jobTitle": "Rear admiral"},
            {"id": c["id"], "email": "ada@example.com", "city": "Wilmslow"},
        ],
    )
    assert r.status_code == 200, r.text
    shown = {p["id"]: p for p in r.json()["data"]["updatePeople"]}
    for rid in (a["id"], b["id"], c["id"]):
        stored = client.get(f"/rest/people/{rid}").json()["data"]["person"]
        assert stored == shown[rid]
    assert shown[c["id"]]["email"] == "ada@example.com"
    assert shown[c["id"]]["emails"]["primaryEmail"] == "ada@example.com"  # the mirror
    assert shown[b["id"]]["jobTitle"] == "Rear admiral"
    ev = factories.events(db_url, c["id"])[-1]
    assert ev["type"] == "person.updated"
    assert ev["previous"]["email"] is None
    hits = client.get("/rest/search", params={"query": "rear admiral"}).json()
    assert b["id"] in [h["id"] for h in hits["data"]["search"]], hits
    # Two items taking one value: the second is refused, and nothing is written.
    r = client.patch(
        "/rest/batch/people",
        json=[
            {"id": a["id"], "email": "same@example.com"},
            {"id": b["id"], "email": "SAME@example.com"},
        ],
    )
    assert r.status_code == 409 and r.json()["index"] == 1 and r.json()["id"] == b["id"]
    stored = client.get(f"/rest/people/{a['id']}").json()["data"]["person"]
    assert stored["email"] == "ada@lovelace.org"

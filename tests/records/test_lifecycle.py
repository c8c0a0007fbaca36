"""Soft delete, restore and permanent delete through REST, with their events."""

from tests import factories


def types_of(db_url, record_id):
    return [e["type"] for e in factories.events(db_url, record_id)]


def test_soft_delete_and_restore_cascade(client, db_url):
    acme = factories.company(client, name="Acme")
    p = factories.person(client, name="Ada Lovelace", companyId=acme["id"])
    own = factories.create(client, "notes", body="only hers", personId=p["id"])
    shared = factories.create(
        client, "notes", body="shared", personId=p["id"], companyId=acme["id"]
    )
    task = factories.create(client, "tasks", title="call", personId=p["id"])

    r = client.delete(f"/rest/people/{p['id']}", params={"soft_delete": "true"})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["deletePerson"]["deletedAt"]
    assert client.get(f"/rest/people/{p['id']}").status_code == 404
    assert client.get("/rest/people").json()["totalCount"] == 0
    assert client.get(f"/rest/notes/{own['id']}").status_code == 404
    assert client.get(f"/rest/tasks/{task['id']}").status_code == 404
    assert client.get(f"/rest/notes/{shared['id']}").status_code == 200
    # A filter on deletedAt shows soft-deleted records, as in Twenty.
    r = client.get("/rest/people", params={"filter": "deletedAt[is]:NOT_NULL"})
    assert [x["id"] for x in r.json()["data"]["people"]] == [p["id"]]
    # The email stays taken while the record can come back.
    r = client.post("/rest/people", json={"name": "x", "email": None})
    assert r.status_code == 201

    r = client.patch(f"/rest/people/{p['id']}/restore")
    assert r.status_code == 200, r.text
    assert r.json()["data"]["restorePerson"]["deletedAt"] is None
    assert client.get(f"/rest/notes/{own['id']}").status_code == 200
    assert client.get(f"/rest/tasks/{task['id']}").status_code == 200
    got = client.get(f"/rest/people/{p['id']}").json()["data"]["person"]
    assert got["companyId"] == acme["id"]
    assert types_of(db_url, p["id"]) == ["person.created", "person.softdeleted", "person.restored"]
    assert types_of(db_url, own["id"]) == ["note.created", "note.softdeleted", "note.restored"]
    assert types_of(db_url, shared["id"]) == ["note.created"]
    # Restoring a live record, or an unknown one, is a clear error.
    assert client.patch(f"/rest/people/{p['id']}/restore").status_code == 400
    assert client.post(f"/rest/people/{acme['id']}/restore").status_code == 404


def test_permanent_delete_of_a_soft_deleted_record(client, db_url):
    p = factories.person(client, name="Grace Hopper", email="grace@example.com")
    note = factories.create(client, "notes", body="n", personId=p["id"])
    client.delete(f"/rest/people/{p['id']}?soft_delete=true")
    assert client.delete(f"/rest/people/{p['id']}").status_code == 200
    assert client.get("/rest/people?filter=deletedAt[is]:NOT_NULL").json()["totalCount"] == 0
    assert types_of(db_url, note["id"])[-1] == "note.deleted"
    assert types_of(db_url, p["id"])[-1] == "person.deleted"
    # The email is free again once the record is gone.
    factories.person(client, name="Grace", email="grace@example.com")
    assert client.patch(f"/rest/people/{p['id']}/restore").status_code == 404


def test_other_workspace_cannot_soft_delete_or_restore(client, server, db_url):
    p = factories.person(client)
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with factories.http(server.url, other) as c:
        assert c.delete(f"/rest/people/{p['id']}?soft_delete=true").status_code == 404
    client.delete(f"/rest/people/{p['id']}?soft_delete=true")
    with factories.http(server.url, other) as c:
        assert c.patch(f"/rest/people/{p['id']}/restore").status_code == 404
    assert client.delete(f"/rest/people/{p['id']}?soft_delete=maybe").status_code == 400

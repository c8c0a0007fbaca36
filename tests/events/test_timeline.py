"""A record's timeline: every kind of change, newest first, paginated."""

from tests import factories


def test_timeline_covers_every_kind_of_change(client):
    p = factories.person(client, name="Ada Lovelace")
    client.patch(f"/rest/people/{p['id']}", json={"jobTitle": "Analyst"})
    note = factories.create(client, "notes", body="met at the fair", personId=p["id"])
    task = factories.create(client, "tasks", title="call back", personId=p["id"])
    client.patch(f"/rest/tasks/{task['id']}", json={"status": "DONE"})
    client.post(
        f"/rest/people/{p['id']}/consents", json={"purpose": "newsletter", "legalBasis": "consent"}
    )
    client.delete(f"/rest/notes/{note['id']}")
    client.delete(f"/rest/people/{p['id']}?soft_delete=true")
    client.patch(f"/rest/people/{p['id']}/restore")
    other = factories.person(client, name="Someone else")
    client.patch(f"/rest/people/{other['id']}", json={"jobTitle": "x"})

    r = client.get(f"/rest/people/{p['id']}/timeline")
    assert r.status_code == 200, r.text
    items = r.json()["data"]["timeline"]
    types = [i["type"] for i in items]
    assert types == [
        "task.restored",
        "person.restored",
        "task.softdeleted",
        "person.softdeleted",
        "note.deleted",
        "person.consented",
        "task.completed",
        "task.updated",
        "task.created",
        "note.created",
        "person.updated",
        "person.created",
    ]
    assert items[-2]["changes"] == ["jobTitle"] and items[-2]["previous"] == {"jobTitle": None}
    assert all(i["actor"]["type"] == "apiKey" for i in items)

    # Pages of 5 walk the same list with no gaps or repeats.
    seen, cursor = [], None
    while True:
        params = {"limit": 5, **({"starting_after": cursor} if cursor else {})}
        page = client.get(f"/rest/people/{p['id']}/timeline", params=params).json()
        seen += [i["id"] for i in page["data"]["timeline"]]
        cursor = page["pageInfo"]["endCursor"]
        if not page["pageInfo"]["hasNextPage"]:
            break
    assert seen == [i["id"] for i in items]


def test_timeline_errors(client, server, db_url):
    p = factories.person(client)
    assert client.get("/rest/people/not-a-uuid/timeline").status_code == 400
    assert client.get(f"/rest/companies/{p['id']}/timeline").status_code == 404
    assert client.get(f"/rest/people/{p['id']}/timeline?limit=0").status_code == 400
    assert client.get(f"/rest/people/{p['id']}/timeline?starting_after=zz").status_code == 400
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with factories.http(server.url, other) as c:
        assert c.get(f"/rest/people/{p['id']}/timeline").status_code == 404
    # A record deleted for good keeps its history.
    client.delete(f"/rest/people/{p['id']}")
    items = client.get(f"/rest/people/{p['id']}/timeline").json()["data"]["timeline"]
    assert [i["type"] for i in items] == ["person.deleted", "person.created"]

from tests import factories


def test_create_get_update_delete(client, db_url):
    p = factories.person(client, name="John Doe", email="john.doe@example.com")
    assert p["firstName"] == "John" and p["lastName"] == "Doe"
    r = client.get(f"/rest/people/{p['id']}")
    assert r.status_code == 200 and r.json()["data"]["person"]["email"] == "john.doe@example.com"
    r = client.patch(f"/rest/people/{p['id']}", json={"phone": "+1-555-9999"})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["updatePerson"]["phone"] == "+1-555-9999"
    r = client.delete(f"/rest/people/{p['id']}")
    assert r.status_code == 200, r.text
    assert client.get(f"/rest/people/{p['id']}").status_code == 404
    types = [e["type"] for e in factories.events(db_url, p["id"])]
    assert types == ["person.created", "person.updated", "person.deleted"]

"""Custom objects end to end: definition, records, relations, lifecycle."""

from tests import factories


def post(client, path, body, status=201):
    r = client.post(path, json=body)
    assert r.status_code == status, r.text
    return next(iter(r.json()["data"].values())) if status < 300 else r.json()


def test_custom_object_with_fields_and_relation(client, db_url):
    obj = post(
        client,
        "/rest/metadata/objects",
        {"nameSingular": "deal", "namePlural": "deals", "labelSingular": "Deal"},
    )
    assert obj["namePlural"] == "deals" and obj["isCustom"]
    post(
        client,
        "/rest/metadata/fields",
        {"objectName": "deal", "name": "stage", "type": "SELECT", "options": ["NEW", "WON"]},
    )
    post(
        client,
        "/rest/metadata/fields",
        {"objectName": "deal", "name": "amount", "type": "CURRENCY"},
    )
    rel = post(
        client,
        "/rest/metadata/fields",
        {"objectName": "deal", "name": "company", "type": "RELATION", "relationTarget": "company"},
    )
    assert rel["relationTarget"] == "company"
    acme = factories.company(client, name="Acme")
    deal = factories.create(
        client,
        "deals",
        name="Big one",
        stage="NEW",
        amount={"amount": 1200.5, "currencyCode": "EUR"},
        companyId=acme["id"],
    )
    assert deal["companyId"] == acme["id"] and deal["amount"]["amount"] == 1200.5
    factories.create(client, "deals", name="Small", stage="WON")
    r = client.get("/rest/deals", params={"filter": "stage[eq]:NEW"})
    assert [d["name"] for d in r.json()["data"]["deals"]] == ["Big one"]
    r = client.get("/rest/deals", params={"filter": f"companyId[eq]:{acme['id']}"})
    assert r.json()["totalCount"] == 1
    got = client.get(f"/rest/deals/{deal['id']}?depth=1").json()["data"]["deal"]
    assert got["company"]["name"] == "Acme"
    got = client.get(f"/rest/companies/{acme['id']}?depth=1").json()["data"]["company"]
    assert [d["name"] for d in got["deals"]] == ["Big one"]
    assert client.post("/rest/deals", json={"stage": "LOST"}).status_code == 400
    assert client.post("/rest/deals", json={"companyId": deal["id"]}).status_code == 400
    r = client.patch(f"/rest/deals/{deal['id']}", json={"stage": "WON"})
    assert r.status_code == 200 and r.json()["data"]["updateDeal"]["stage"] == "WON"
    # Deleting the company clears the deal's relation, with its own event.
    assert client.delete(f"/rest/companies/{acme['id']}").status_code == 200
    assert client.get(f"/rest/deals/{deal['id']}").json()["data"]["deal"]["companyId"] is None
    types = [e["type"] for e in factories.events(db_url, deal["id"])]
    assert types == ["deal.created", "deal.updated", "deal.updated"]
    # Batch, then deactivate (hidden, data kept), restore, purge.
    r = client.post("/rest/batch/deals", json=[{"name": f"d{i}"} for i in range(5)])
    assert r.status_code == 201 and len(r.json()["data"]["createDeals"]) == 5
    assert client.delete("/rest/metadata/objects/deal").status_code == 200
    assert client.get("/rest/deals").status_code == 404
    assert client.post("/rest/metadata/objects/deal/restore").status_code == 200
    assert client.get("/rest/deals").json()["totalCount"] == 7
    assert client.delete("/rest/metadata/objects/deal?purge=true").status_code == 400
    client.delete("/rest/metadata/objects/deal")
    assert client.delete("/rest/metadata/objects/deal?purge=true").status_code == 200
    post(client, "/rest/metadata/objects", {"nameSingular": "deal", "namePlural": "deals"})
    assert client.get("/rest/deals").json()["totalCount"] == 0


def test_custom_objects_are_per_workspace(client, server, db_url):
    post(client, "/rest/metadata/objects", {"nameSingular": "invoice"})
    factories.create(client, "invoices", name="INV-1")
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with factories.http(server.url, other) as c:
        assert c.get("/rest/invoices").status_code == 404
        post(c, "/rest/metadata/objects", {"nameSingular": "invoice"})
        assert c.get("/rest/invoices").json()["totalCount"] == 0


def test_bad_object_definitions(client):
    for body, status in [
        ({"nameSingular": "person"}, 409),
        ({"nameSingular": "thing", "namePlural": "people"}, 400),
        ({"nameSingular": "thing", "namePlural": "companys"}, 201),
        ({"nameSingular": "widget", "namePlural": "companys"}, 409),
        ({"nameSingular": "hook", "namePlural": "webhooks"}, 400),
        ({"nameSingular": "meta", "namePlural": "metadata"}, 400),
        ({"nameSingular": "Deal"}, 400),
        ({"nameSingular": "x y"}, 400),
        ({"nameSingular": "same", "namePlural": "same"}, 400),
        ({"nameSingular": "ok", "bogus": True}, 400),
        ({}, 400),
    ]:
        r = client.post("/rest/metadata/objects", json=body)
        assert r.status_code == status, (body, r.text)
    assert client.patch("/rest/metadata/objects/person", json={"label": "X"}).status_code == 400
    assert client.delete("/rest/metadata/objects/nothing").status_code == 404

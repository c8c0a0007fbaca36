"""``GET /rest/search`` on both databases: matching, ranking, the index kept by writes."""

from __future__ import annotations

from typing import Any

import httpx

from tests import factories


def search(client: httpx.Client, query: str, **params: Any) -> list[dict[str, Any]]:
    r = client.get("/rest/search", params={"query": query, **params})
    assert r.status_code == 200, r.text
    return r.json()["data"]["search"]


def labels(client: httpx.Client, query: str, **params: Any) -> list[str]:
    return [h["label"] for h in search(client, query, **params)]


def create(client: httpx.Client, objects: str, body: dict[str, Any]) -> dict[str, Any]:
    r = client.post(f"/rest/{objects}", json=body)
    assert r.status_code == 201, r.text
    return next(iter(r.json()["data"].values()))


def patch(client: httpx.Client, person: dict[str, Any], body: dict[str, Any]) -> int:
    return client.patch(f"/rest/people/{person['id']}", json=body).status_code


def test_prefix_accents_and_case(client: httpx.Client) -> None:
    ada = create(client, "people", {"name": "Ada Lovelace", "email": "ada@analytical.org"})
    create(client, "people", {"name": "Zoë Kravitz", "jobTitle": "Actress"})
    create(client, "people", {"name": "Grace Hopper", "jobTitle": "Rear admiral"})
    hits = search(client, "lov")
    assert [(h["object"], h["objectNameSingular"], h["id"], h["label"]) for h in hits] == [
        ("people", "person", ada["id"], "Ada Lovelace")
    ]
    assert isinstance(hits[0]["score"], float)
    assert labels(client, "zoe") == ["Zoë Kravitz"]
    assert labels(client, "ZOË") == ["Zoë Kravitz"]
    assert labels(client, "KRAV") == ["Zoë Kravitz"]
    assert labels(client, "actr") == ["Zoë Kravitz"]  # job titles
    assert labels(client, "analytical") == ["Ada Lovelace"]  # emails, by their words
    assert labels(client, "ada@analytical.org") == ["Ada Lovelace"]
    assert labels(client, "ada hop") == []  # every word must match
    assert labels(client, "grace  REAR") == ["Grace Hopper"]
    assert labels(client, "velace") == []  # words are matched from their start


def test_exact_name_ranks_above_partial(client: httpx.Client) -> None:
    create(client, "people", {"name": "Adam Smith"})
    create(client, "people", {"name": "Adalbert Ada Stifter"})
    create(client, "companies", {"name": "Ada", "domain": "ada.example"})
    create(client, "people", {"name": "Ada"})
    found = search(client, "ada")
    assert [h["label"] for h in found][:2] == ["Ada", "Ada"]
    assert {h["object"] for h in found[:2]} == {"people", "companies"}
    # a whole word ranks above a word that only begins with the query
    assert [h["label"] for h in found][2:] == ["Adalbert Ada Stifter", "Adam Smith"]
    scores = [h["score"] for h in found]
    assert scores == sorted(scores, reverse=True)


def test_objects_filter_and_limit(client: httpx.Client) -> None:
    create(client, "people", {"name": "Acme Person"})
    create(client, "companies", {"name": "Acme Corp", "domain": "acme.com"})
    create(client, "notes", {"title": "Acme call", "body": "talked about pricing"})
    create(client, "tasks", {"title": "Send Acme the quote", "body": "before friday"})
    assert {h["object"] for h in search(client, "acme")} == {
        "people",
        "companies",
        "notes",
        "tasks",
    }
    assert {h["object"] for h in search(client, "acme", objects="people,companies")} == {
        "people",
        "companies",
    }
    assert {h["object"] for h in search(client, "acme", objects="note")} == {"notes"}
    r = client.get("/rest/search", params={"query": "acme", "limit": 2})
    assert len(r.json()["data"]["search"]) == 2
    assert r.json()["pageInfo"] == {"hasNextPage": True}
    assert labels(client, "acme.com") == ["Acme Corp"]  # domains
    assert labels(client, "pricing") == ["Acme call"]  # note bodies
    assert labels(client, "frid") == ["Send Acme the quote"]  # task bodies


def test_updates_and_deletes_are_reflected(client: httpx.Client) -> None:
    p = create(client, "people", {"name": "Ada Lovelace"})
    assert patch(client, p, {"name": "Ada Byron"}) == 200
    assert labels(client, "lovelace") == []
    assert labels(client, "byron") == ["Ada Byron"]
    # a change of another field leaves the document as it was
    assert patch(client, p, {"phone": "+33123456789"}) == 200
    assert labels(client, "byron") == ["Ada Byron"]
    assert client.delete(f"/rest/people/{p['id']}?soft_delete=true").status_code == 200
    assert labels(client, "byron") == []
    assert client.post(f"/rest/people/{p['id']}/restore").status_code == 200
    assert labels(client, "byron") == ["Ada Byron"]
    assert client.delete(f"/rest/people/{p['id']}").status_code == 200
    assert labels(client, "byron") == []


def test_cascades_batches_and_upserts(client: httpx.Client) -> None:
    person = create(client, "people", {"name": "Charles Babbage", "email": "cb@example.com"})
    create(client, "notes", {"title": "Difference engine", "personId": person["id"]})
    r = client.post(
        "/rest/batch/people",
        json=[{"name": f"Batch Person {i}", "email": f"b{i}@example.com"} for i in range(5)],
    )
    assert r.status_code == 201, r.text
    assert len(search(client, "batch", limit=10)) == 5
    r = client.post(
        "/rest/batch/people?upsert=true",
        json=[{"email": "b0@example.com", "name": "Renamed Zero"}],
    )
    assert r.status_code == 201, r.text
    assert labels(client, "renamed") == ["Renamed Zero"]
    assert len(search(client, "batch", limit=10)) == 4
    # a soft delete takes the person's own notes out of the index with it
    assert client.delete(f"/rest/people/{person['id']}?soft_delete=true").status_code == 200
    assert labels(client, "difference") == []
    assert client.post(f"/rest/people/{person['id']}/restore").status_code == 200
    assert labels(client, "difference") == ["Difference engine"]


def test_tenant_isolation(client: httpx.Client, server: Any, db_url: str) -> None:
    create(client, "people", {"name": "Ada Lovelace"})
    other = factories.make_workspace(db_url)
    key = factories.make_key(db_url, workspace=other)
    with factories.http(server.url, key) as them:
        assert labels(them, "ada") == []
        create(them, "people", {"name": "Ada Other"})
        assert labels(them, "ada") == ["Ada Other"]
    assert labels(client, "ada") == ["Ada Lovelace"]


def test_custom_searchable_field(client: httpx.Client) -> None:
    p = create(client, "people", {"name": "Ada Lovelace"})
    r = client.post(
        "/rest/metadata/fields",
        json={"objectName": "person", "name": "nickname", "type": "TEXT"},
    )
    assert r.status_code == 201, r.text
    field_id = r.json()["data"]["createField"]["id"]
    assert patch(client, p, {"nickname": "Enchantress"}) == 200
    assert labels(client, "enchant") == []  # not searchable yet
    r = client.patch(f"/rest/metadata/fields/{field_id}", json={"isSearchable": True})
    assert r.status_code == 200, r.text
    assert labels(client, "enchant") == ["Ada Lovelace"]  # existing values are indexed
    other = create(client, "people", {"name": "Mary Somerville", "nickname": "Queen of Science"})
    assert [h["id"] for h in search(client, "queen")] == [other["id"]]
    assert client.delete(f"/rest/metadata/fields/{field_id}").status_code == 200  # deactivates
    assert labels(client, "queen") == []
    assert labels(client, "mary") == ["Mary Somerville"]
    r = client.post(
        "/rest/metadata/fields",
        json={"objectName": "person", "name": "score", "type": "NUMBER", "isSearchable": True},
    )
    assert r.status_code == 400
    assert r.json()["field"] == "isSearchable"


def test_custom_objects(client: httpx.Client) -> None:
    r = client.post("/rest/metadata/objects", json={"nameSingular": "deal", "namePlural": "deals"})
    assert r.status_code == 201, r.text
    deal = create(client, "deals", {"name": "Analytical Engine rollout"})
    hits = search(client, "engine")
    assert [(h["object"], h["id"]) for h in hits] == [("deals", deal["id"])]
    assert labels(client, "engine", objects="deals") == ["Analytical Engine rollout"]
    assert labels(client, "engine", objects="people") == []


def test_bad_requests(client: httpx.Client) -> None:
    for params, field in (
        ({}, "query"),
        ({"query": ""}, "query"),
        ({"query": "   "}, "query"),
        ({"query": "!!!"}, "query"),
        ({"query": "a" * 201}, "query"),
        ({"query": "ada", "objects": "persn"}, "objects"),
        ({"query": "ada", "objects": ""}, "objects"),
        ({"query": "ada", "limit": "0"}, "limit"),
        ({"query": "ada", "limit": "101"}, "limit"),
        ({"query": "ada", "limit": "x"}, "limit"),
        ({"query": "ada", "order_by": "name"}, None),
    ):
        r = client.get("/rest/search", params=params)
        assert r.status_code == 400, (params, r.text)
        body = r.json()
        assert body["statusCode"] == 400
        if field:
            assert body["field"] == field, (params, body)
    assert (
        "Did you mean 'people'"
        in client.get("/rest/search", params={"query": "a", "objects": "persn"}).json()["message"]
    )


def test_scope(server: Any, db_url: str) -> None:
    key = factories.make_key(db_url, scopes=["webhook:read"])
    with factories.http(server.url, key) as c:
        r = c.get("/rest/search", params={"query": "ada"})
        assert r.status_code == 403
    key = factories.make_key(db_url, scopes=["record:read"])
    with factories.http(server.url, key) as c:
        assert c.get("/rest/search", params={"query": "ada"}).status_code == 200


def test_deactivated_objects_and_fields_that_stop_being_text(client: httpx.Client) -> None:
    r = client.post("/rest/metadata/objects", json={"nameSingular": "deal", "namePlural": "deals"})
    assert r.status_code == 201, r.text
    create(client, "deals", {"name": "Engine deal"})
    assert client.delete("/rest/metadata/objects/deal").status_code == 200  # deactivates
    assert labels(client, "engine") == []
    assert client.get("/rest/search", params={"query": "x", "objects": "deals"}).status_code == 400
    assert client.post("/rest/metadata/objects/deal/restore").status_code == 200
    assert labels(client, "engine") == ["Engine deal"]
    r = client.post(
        "/rest/metadata/fields",
        json={"objectName": "company", "name": "code", "type": "TEXT", "isSearchable": True},
    )
    assert r.status_code == 201, r.text
    fid = r.json()["data"]["createField"]["id"]
    create(client, "companies", {"name": "Acme", "code": "4242"})
    assert labels(client, "4242") == ["Acme"]
    r = client.patch(f"/rest/metadata/fields/{fid}", json={"type": "NUMBER"})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["updateField"]["isSearchable"] is False
    assert labels(client, "4242") == []

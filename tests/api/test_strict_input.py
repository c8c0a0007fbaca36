"""What the REST API refuses that it used to accept silently (docs/api.md, "What is refused")."""

from __future__ import annotations

import httpx
from tests import factories
from tests.api.test_errors import check_error

JSON = {"Content-Type": "application/json"}


def test_patch_refuses_an_id_that_is_not_the_paths(client: httpx.Client) -> None:
    p = factories.person(client, name="Ada Lovelace")
    other = factories.person(client, name="Grace Hopper")
    for bad in ("garbage", other["id"], None, 5):
        r = client.patch(f"/rest/people/{p['id']}", json={"id": bad, "jobTitle": "x"})
        assert check_error(r, 400)["field"] == "id", bad
    # The record's own id, echoed from a read, is accepted (any case).
    r = client.patch(f"/rest/people/{p['id']}", json={"id": p["id"].upper(), "jobTitle": "ok"})
    assert r.status_code == 200, r.text
    assert client.get(f"/rest/people/{p['id']}").json()["data"]["person"]["jobTitle"] == "ok"
    assert client.get(f"/rest/people/{other['id']}").json()["data"]["person"]["jobTitle"] is None


def test_a_string_is_not_a_list(client: httpx.Client) -> None:
    r = client.post("/rest/people", json={"name": "Ada", "tags": "vip"})
    body = check_error(r, 400)
    assert body["field"] == "tags"
    assert "list" in body["message"]
    p = factories.person(client, tags=["vip"])
    check_error(client.patch(f"/rest/people/{p['id']}", json={"tags": "a, b"}), 400)
    assert client.get(f"/rest/people/{p['id']}").json()["data"]["person"]["tags"] == ["vip"]


def test_bodies_must_be_declared_json(client: httpx.Client) -> None:
    body = '{"name": "Ada"}'
    for ctype in ("text/plain", "text/plain; charset=utf-8", "application/jsonx", "text/json"):
        r = client.post("/rest/people", content=body, headers={"Content-Type": ctype})
        assert check_error(r, 415)["field"] == "Content-Type"
    p = factories.person(client)
    r = client.patch(
        f"/rest/people/{p['id']}", content=body, headers={"Content-Type": "text/plain"}
    )
    check_error(r, 415)
    r = client.post(
        "/rest/batch/people", content=f"[{body}]", headers={"Content-Type": "text/plain"}
    )
    check_error(r, 415)
    for ctype in (
        "application/json",
        "Application/JSON; charset=utf-8",
        "application/merge-patch+json",
    ):
        r = client.post("/rest/people", content=body, headers={"Content-Type": ctype})
        assert r.status_code == 201, (ctype, r.text)
    assert client.get("/rest/people").json()["totalCount"] == 4


def test_a_create_must_set_a_field(client: httpx.Client) -> None:
    for body in ({}, {"name": None}, {"__typename": "Person"}, {"email": None, "tags": None}):
        check_error(client.post("/rest/people", json=body), 400)
    check_error(client.post("/rest/companies", json={}), 400)
    r = client.post("/rest/batch/people", json=[{"name": "Ada"}, {}])
    assert check_error(r, 400)["index"] == 1
    assert client.get("/rest/people").json()["totalCount"] == 0


def test_upsert_needs_an_object_with_a_unique_field(client: httpx.Client) -> None:
    for path in ("/rest/notes?upsert=true", "/rest/batch/tasks?upsert=true"):
        body = {"title": "t"} if "notes" in path else [{"title": "t"}]
        message = check_error(client.post(path, json=body), 400)["message"]
        assert "people (by email)" in message and "companies (by domain)" in message, message
    assert client.get("/rest/notes").json()["totalCount"] == 0
    assert client.get("/rest/tasks").json()["totalCount"] == 0
    ok = client.post("/rest/people?upsert=true", json={"name": "Ada", "email": "ada@x.io"})
    assert ok.status_code == 201, ok.text


def test_unknown_query_parameters_are_refused(client: httpx.Client) -> None:
    p = factories.person(client)
    for method, path in (
        ("GET", "/rest/people?limt=5"),
        ("GET", "/rest/people?filter=name[eq]:x&orderBy=name"),
        ("GET", f"/rest/people/{p['id']}?dept=1"),
        ("POST", "/rest/people?upsrt=true"),
        ("POST", "/rest/batch/people?upsert=true&dry_run=1"),
        ("PATCH", f"/rest/people/{p['id']}?upsert=true"),
        ("DELETE", f"/rest/people/{p['id']}?softDelete=true"),
        ("POST", f"/rest/people/{p['id']}/restore?x=1"),
        ("GET", "/rest/metadata/fields?objectname=person"),
        ("GET", "/rest/metadata/objects?limit=5"),
        ("DELETE", "/rest/metadata/fields/00000000-0000-0000-0000-000000000000?prune=true"),
    ):
        body = [{"name": "x"}] if "batch" in path else {"name": "x"}
        r = client.request(method, path, json=body if method in ("POST", "PATCH") else None)
        err = check_error(r, 400)
        assert err["field"] in path and err["accepted"] is not None, (path, err)
        assert "accepts" in err["message"], err
    # Nothing was written or deleted by the refused requests.
    assert client.get("/rest/people").json()["totalCount"] == 1
    # The parameters each route takes still work, spelled as documented.
    ok = client.get("/rest/people?limit=5&depth=1&filter=name[eq]:x&order_by=name")
    assert ok.status_code == 200, ok.text
    assert client.get(f"/rest/people/{p['id']}?depth=1").status_code == 200
    r = client.get("/rest/metadata/fields?object=person&includeInactive=true")
    assert r.status_code == 200, r.text
    assert client.delete(f"/rest/people/{p['id']}?soft_delete=true").status_code == 200


def test_unknown_objects_get_the_closest_name(client: httpx.Client) -> None:
    for typo, want in (
        ("persn", "people"),
        ("peple", "people"),
        ("compnay", "companies"),
        ("compnies", "companies"),
        ("taks", "tasks"),
        ("Notes", "notes"),
    ):
        message = check_error(client.get(f"/rest/{typo}"), 404)["message"]
        assert f"Did you mean '{want}'?" in message, (typo, message)
    message = check_error(client.get("/rest/unicorns"), 404)["message"]
    assert "Did you mean" not in message and "people" in message
    long = check_error(client.get("/rest/" + "x" * 5000), 404)
    assert len(long["message"]) < 300

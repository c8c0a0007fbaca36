"""Record writes over REST: validation, per-object rules, batches, relations and events."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from tests import factories


def error(r: httpx.Response, status: int, field: str | None = None) -> dict[str, Any]:
    """Assert ``r`` is the standard JSON error with ``status`` (and ``field``); return it."""
    assert r.status_code == status, r.text
    body = r.json()
    assert body["statusCode"] == status and body["messages"] == [body["message"]]
    if field is not None:
        assert body.get("field") == field, body
    return body  # type: ignore[no-any-return]


def event_count(db_url: str) -> int:
    return len(factories.events(db_url))


# -- person names ------------------------------------------------------------
def test_person_name_rule(client: httpx.Client, db_url: str) -> None:
    # name alone splits at the first space (whitespace runs collapse)
    p = factories.person(client, name="Mary Ann  Smith")
    assert (p["name"], p["firstName"], p["lastName"]) == ("Mary Ann Smith", "Mary", "Ann Smith")
    single = factories.person(client, name="Cher")
    assert (single["firstName"], single["lastName"]) == ("Cher", None)
    # the parts alone rebuild name; a PATCH of one part keeps the other
    p = factories.create(client, "people", firstName="Ada", lastName="Lovelace")
    assert p["name"] == "Ada Lovelace"
    r = client.patch(f"/rest/people/{p['id']}", json={"lastName": "Byron"})
    got = r.json()["data"]["updatePerson"]
    assert (got["name"], got["firstName"], got["lastName"]) == ("Ada Byron", "Ada", "Byron")
    r = client.patch(f"/rest/people/{p['id']}", json={"name": "Grace Brewster Hopper"})
    got = r.json()["data"]["updatePerson"]
    assert (got["firstName"], got["lastName"]) == ("Grace", "Brewster Hopper")
    # all three must agree
    ok = factories.create(client, "people", name="Ada King", firstName="Ada", lastName="King")
    assert ok["name"] == "Ada King"
    before = event_count(db_url)
    r = client.post(
        "/rest/people", json={"name": "Ada Lovelace", "firstName": "Grace", "lastName": "Hopper"}
    )
    assert "firstName" in error(r, 400, "name")["message"]
    r = client.patch(f"/rest/people/{ok['id']}", json={"name": "Ada King", "lastName": "Byron"})
    error(r, 400, "name")
    assert client.get("/rest/people").json()["totalCount"] == 4
    assert event_count(db_url) == before


# -- uniqueness --------------------------------------------------------------
def test_clashes_of_a_single_create_are_409s_and_write_nothing(
    client: httpx.Client, db_url: str
) -> None:
    """A single create learns of a clash from its insert; the answer is the same as a batch's."""
    first = factories.person(client, name="Ada", email="ada@example.com")
    gone = factories.person(client, name="Gone", email="gone@example.com")
    assert client.delete(f"/rest/people/{gone['id']}", params={"soft_delete": "true"}).is_success
    before = event_count(db_url), client.get("/rest/people").json()["totalCount"]
    # The same id as an existing record: no field to name.
    body = error(client.post("/rest/people", json={"id": first["id"], "name": "Twin"}), 409)
    assert "unique" in body["message"]
    # A soft-deleted record still holds its email.
    body = error(client.post("/rest/people", json={"name": "G", "email": "GONE@example.com"}), 409)
    assert body["field"] == "email" and body["existingId"] == gone["id"]
    # The same answers in a batch of one, which looks before it inserts.
    r = client.post("/rest/batch/people", json=[{"name": "G", "email": "gone@example.com"}])
    assert error(r, 409, "email")["existingId"] == gone["id"]
    assert (event_count(db_url), client.get("/rest/people").json()["totalCount"]) == before


def test_email_unique_per_workspace_ignoring_case(client: httpx.Client, db_url: str) -> None:
    first = factories.person(client, email="ada@example.com")
    before = event_count(db_url)
    r = client.post("/rest/people", json={"name": "Other", "email": "ADA@Example.com"})
    body = error(r, 409, "email")
    assert body["existingId"] == first["id"]
    other = factories.person(client, name="Grace Hopper", email="grace@example.com")
    r = client.patch(f"/rest/people/{other['id']}", json={"email": "Ada@example.COM"})
    error(r, 409, "email")
    # Case is ignored beyond ASCII too, on both backends.
    factories.person(client, name="Ä", email="ÄDA@example.de")
    error(client.post("/rest/people", json={"name": "X", "email": "äda@EXAMPLE.de"}), 409, "email")
    # A failed write leaves no event behind.
    assert event_count(db_url) == before + 2
    # Any number of people may have no email.
    for i in range(3):
        factories.person(client, name=f"Nobody {i}")
    factories.person(client, name="Blank", email="")
    factories.person(client, name="Null", email=None)
    assert client.get("/rest/people").json()["totalCount"] == 8
    # Another workspace may use the same address.
    ws = factories.make_workspace(db_url)
    with factories.http(str(client.base_url), factories.make_key(db_url, workspace=ws)) as c2:
        assert factories.person(c2, email="ada@example.com")["email"] == "ada@example.com"


def test_company_domain_unique_and_upsert(client: httpx.Client, db_url: str) -> None:
    acme = factories.company(client, name="Acme Corp", domain="acme.com", employees=250)
    error(client.post("/rest/companies", json={"name": "Dup", "domain": "ACME.com"}), 409, "domain")
    r = client.post("/rest/companies?upsert=true", json={"name": "Acme Inc", "domain": "acme.com"})
    assert r.status_code in (200, 201), r.text
    got = r.json()["data"]["createCompany"]
    assert got["id"] == acme["id"] and got["name"] == "Acme Inc" and got["employees"] == 250
    assert client.get("/rest/companies").json()["totalCount"] == 1
    updates = [e for e in factories.events(db_url, acme["id"]) if e["type"] == "company.updated"]
    assert [e["changes"] for e in updates] == [["name"]]


# -- batches -----------------------------------------------------------------
def test_duplicate_emails_in_one_batch(client: httpx.Client, db_url: str) -> None:
    items = [{"name": f"P {i}", "email": f"p{i}@example.com"} for i in range(5)]
    items[3]["email"] = "P1@example.com"
    body = error(client.post("/rest/batch/people", json=items), 409, "email")
    assert body["index"] == 3
    assert client.get("/rest/people").json()["totalCount"] == 0
    assert event_count(db_url) == 0


BATCH_FAILURES: list[tuple[dict[str, Any], int, str]] = [
    ({"name": 5}, 400, "name"),
    ({"name": "X", "email": "taken@example.com"}, 409, "email"),
    ({"name": "X", "companyId": str(uuid.uuid4())}, 400, "companyId"),
    ({"name": "X", "nope": 1}, 400, "nope"),
]


def test_batch_is_all_or_nothing(client: httpx.Client, db_url: str) -> None:
    factories.person(client, name="Taken", email="taken@example.com")
    before = event_count(db_url)
    for bad, status, field in BATCH_FAILURES:
        items: list[dict[str, Any]] = [
            {"name": f"P {i}", "email": f"p{i}@x.org"} for i in range(50)
        ]
        items[37] = bad
        body = error(client.post("/rest/batch/people", json=items), status, field)
        assert body["index"] == 37 and "37" in body["message"]
        assert client.get("/rest/people").json()["totalCount"] == 1
        assert event_count(db_url) == before


def test_upsert_batch_names_the_failing_item(client: httpx.Client) -> None:
    factories.person(client, name="Old", email="old@example.com")
    items = [
        {"name": "Old Again", "email": "old@example.com"},
        {"name": "New", "email": "new@example.com", "companyId": str(uuid.uuid4())},
    ]
    body = error(client.post("/rest/batch/people?upsert=true", json=items), 400, "companyId")
    assert body.get("index") == 1


def test_batch_size_limits(client: httpx.Client, db_url: str) -> None:
    items = [{"name": f"Person {i}", "email": f"person{i}@example.com"} for i in range(1000)]
    r = client.post("/rest/batch/people", json=items)
    assert r.status_code == 201, r.text[:500]
    created = r.json()["data"]["createPeople"]
    assert len(created) == 1000 and created[999]["email"] == "person999@example.com"
    assert client.get("/rest/people", params={"limit": 1}).json()["totalCount"] == 1000
    assert event_count(db_url) == 1000
    items = [{"name": f"P{i}"} for i in range(2001)]
    assert "2000" in error(client.post("/rest/batch/people", json=items), 400)["message"]
    assert client.get("/rest/people").json()["totalCount"] == 1000


# -- relations ---------------------------------------------------------------
def test_company_id_must_name_a_company_here(client: httpx.Client, db_url: str) -> None:
    error(
        client.post("/rest/people", json={"name": "X", "companyId": str(uuid.uuid4())}),
        400,
        "companyId",
    )
    ws = factories.make_workspace(db_url)
    with factories.http(str(client.base_url), factories.make_key(db_url, workspace=ws)) as other:
        foreign = factories.company(other, name="Elsewhere")
    r = client.post("/rest/people", json={"name": "X", "companyId": foreign["id"]})
    error(r, 400, "companyId")
    p = factories.person(client)
    error(
        client.patch(f"/rest/people/{p['id']}", json={"companyId": foreign["id"]}), 400, "companyId"
    )
    error(client.post("/rest/people", json={"name": "X", "companyId": "acme"}), 400, "companyId")
    # A relation object instead of its id field says which field to set.
    acme = factories.company(client, name="Here")
    r = client.post("/rest/people", json={"name": "X", "company": {"id": acme["id"]}})
    assert "companyId" in error(r, 400, "company")["message"]


def test_members_as_assignees_and_authors(client: httpx.Client) -> None:
    r = client.post("/rest/members", json={"name": "Sam Rep", "email": "sam@example.com"})
    assert r.status_code == 201, r.text
    sam = r.json()["data"]["createMember"]
    task = factories.create(client, "tasks", title="Call", assigneeId=sam["id"])
    note = factories.create(client, "notes", body="Hello", authorId=sam["id"])
    assert task["assigneeId"] == sam["id"] and note["authorId"] == sam["id"]
    got = client.get(f"/rest/tasks/{task['id']}", params={"depth": 1}).json()["data"]["task"]
    assert got["assignee"]["name"] == "Sam Rep"
    error(
        client.post("/rest/tasks", json={"title": "T", "assigneeId": str(uuid.uuid4())}),
        400,
        "assigneeId",
    )
    error(
        client.post("/rest/members", json={"name": "Dup", "email": "SAM@example.com"}), 409, "email"
    )


def test_deleting_a_company_detaches_people(client: httpx.Client, db_url: str) -> None:
    acme = factories.company(client)
    people = [factories.person(client, name=f"P {i}", companyId=acme["id"]) for i in range(2)]
    only_company = factories.create(client, "notes", body="about acme", companyId=acme["id"])
    assert client.delete(f"/rest/companies/{acme['id']}").status_code == 200
    for p in people:
        got = client.get(f"/rest/people/{p['id']}").json()["data"]["person"]
        assert got["companyId"] is None
        updated = [e for e in factories.events(db_url, p["id"]) if e["type"] == "person.updated"]
        assert [(e["changes"], e["previous"]) for e in updated] == [
            (["companyId"], {"companyId": acme["id"]})
        ]
    assert client.get(f"/rest/notes/{only_company['id']}").status_code == 404


def test_deleting_a_person_deletes_only_their_own_notes(client: httpx.Client, db_url: str) -> None:
    acme = factories.company(client)
    p = factories.person(client)
    own = factories.create(client, "notes", body="own", personId=p["id"])
    shared = factories.create(
        client, "notes", body="shared", personId=p["id"], companyId=acme["id"]
    )
    task = factories.create(client, "tasks", title="Call", personId=p["id"])
    assert client.delete(f"/rest/people/{p['id']}").status_code == 200
    assert client.get(f"/rest/notes/{own['id']}").status_code == 404
    assert client.get(f"/rest/tasks/{task['id']}").status_code == 404
    kept = client.get(f"/rest/notes/{shared['id']}").json()["data"]["note"]
    assert kept["personId"] is None and kept["companyId"] == acme["id"]
    assert [e["type"] for e in factories.events(db_url, own["id"])][-1] == "note.deleted"
    last = factories.events(db_url, shared["id"])[-1]
    assert (last["type"], last["changes"]) == ("note.updated", ["personId"])


# -- tasks -------------------------------------------------------------------
def test_task_status_default_and_allowed_values(client: httpx.Client) -> None:
    task = factories.create(client, "tasks", title="Call back")
    assert task["status"] == "TODO" and task["completedAt"] is None
    body = error(client.post("/rest/tasks", json={"title": "T", "status": "done"}), 400, "status")
    assert all(v in body["message"] for v in ("TODO", "IN_PROGRESS", "DONE"))
    assert body["allowed"] == ["TODO", "IN_PROGRESS", "DONE"]
    error(client.patch(f"/rest/tasks/{task['id']}", json={"status": None}), 400, "status")
    error(client.post("/rest/tasks", json={"status": "TODO"}), 400, "title")


def test_task_completion(client: httpx.Client, db_url: str) -> None:
    task = factories.create(client, "tasks", title="Call back")
    r = client.patch(f"/rest/tasks/{task['id']}", json={"status": "DONE"})
    done = r.json()["data"]["updateTask"]
    assert done["status"] == "DONE" and done["completedAt"]
    types = [e["type"] for e in factories.events(db_url, task["id"])]
    assert types == ["task.created", "task.updated", "task.completed"]
    r = client.patch(f"/rest/tasks/{task['id']}", json={"status": "IN_PROGRESS"})
    reopened = r.json()["data"]["updateTask"]
    assert reopened["completedAt"] is None
    assert client.get(f"/rest/tasks/{task['id']}").json()["data"]["task"]["completedAt"] is None
    last = factories.events(db_url, task["id"])[-1]
    assert last["type"] == "task.updated" and "status" in last["changes"]
    error(client.patch(f"/rest/tasks/{task['id']}", json={"completedAt": None}), 400, "completedAt")
    born_done = factories.create(client, "tasks", title="Done already", status="DONE")
    assert born_done["completedAt"]
    types = [e["type"] for e in factories.events(db_url, born_done["id"])]
    assert types == ["task.created", "task.completed"]


# -- events and audit fields ---------------------------------------------------
def test_event_rows_describe_each_change(client: httpx.Client, db_url: str) -> None:
    p = factories.person(client, name="John Doe", email="john@example.com", phone="+1-555-0123")
    client.patch(f"/rest/people/{p['id']}", json={"phone": "+1-555-9999"})
    client.delete(f"/rest/people/{p['id']}")
    created, updated, deleted = factories.events(db_url, p["id"])
    assert created["type"] == "person.created" and created["previous"] is None
    # emails and phones are the same values in Twenty's shapes (records/mirrors.py).
    assert created["changes"] == [
        "name",
        "firstName",
        "lastName",
        "email",
        "phone",
        "emails",
        "phones",
    ]
    assert created["record"]["email"] == "john@example.com"
    assert updated["type"] == "person.updated"
    assert updated["changes"] == ["phone", "phones"]
    assert updated["previous"]["phone"] == "+1-555-0123"
    assert updated["previous"]["phones"]["primaryPhoneNumber"] == "+1-555-0123"
    assert updated["record"]["phone"] == "+1-555-9999"
    assert deleted["type"] == "person.deleted" and deleted["record"]["phone"] == "+1-555-9999"
    assert {e["object_name"] for e in (created, updated, deleted)} == {"person"}
    assert all(e["actor"]["type"] == "apiKey" for e in (created, updated, deleted))


def test_noop_patch_writes_nothing(client: httpx.Client, db_url: str) -> None:
    p = factories.person(client, name="John Doe", phone="+1-555-0123", tags=["a"])
    r = client.patch(
        f"/rest/people/{p['id']}", json={"name": "John Doe", "phone": "+1-555-0123", "tags": ["a"]}
    )
    assert r.status_code == 200, r.text
    assert r.json()["data"]["updatePerson"]["updatedAt"] == p["updatedAt"]
    got = client.get(f"/rest/people/{p['id']}").json()["data"]["person"]
    assert got["updatedAt"] == p["updatedAt"]
    assert [e["type"] for e in factories.events(db_url, p["id"])] == ["person.created"]


def test_created_by_and_updated_by_name_the_key(client: httpx.Client, db_url: str) -> None:
    keys = client.get("/rest/keys").json()["data"]["keys"]
    me = {"type": "apiKey", "id": keys[0]["id"], "name": "test key"}
    p = factories.person(client)
    assert p["createdBy"] == me and p["updatedBy"] == me
    other_key = factories.make_key(db_url, name="other key")
    with factories.http(str(client.base_url), other_key) as other:
        r = other.patch(f"/rest/people/{p['id']}", json={"jobTitle": "CTO"})
    got = r.json()["data"]["updatePerson"]
    assert got["createdBy"] == me
    assert got["updatedBy"]["name"] == "other key" and got["updatedBy"]["id"] != me["id"]
    assert factories.events(db_url, p["id"])[-1]["actor"] == got["updatedBy"]


# -- input validation ----------------------------------------------------------
def test_ids_unknown_and_read_only_fields(client: httpx.Client) -> None:
    body = error(client.post("/rest/people", json={"name": "X", "emial": "a@b.co"}), 400, "emial")
    assert "Did you mean 'email'?" in body["message"]
    for name in ("createdAt", "updatedAt", "deletedAt", "createdBy"):
        r = client.post("/rest/people", json={"name": "X", name: "2025-01-01T00:00:00Z"})
        error(r, 400, name)
    p = factories.person(client)
    error(
        client.patch(f"/rest/people/{p['id']}", json={"createdAt": p["createdAt"]}),
        400,
        "createdAt",
    )
    # A client-chosen id is honoured once, and must be a UUID.
    wanted = str(uuid.uuid4())
    assert factories.person(client, id=wanted)["id"] == wanted
    assert client.get(f"/rest/people/{wanted}").status_code == 200
    error(client.post("/rest/people", json={"id": wanted, "name": "Again"}), 409)
    error(client.post("/rest/people", json={"id": "not-a-uuid", "name": "X"}), 400, "id")
    error(client.post("/rest/people", json={"id": 12, "name": "X"}), 400, "id")


WRONG_TYPES: list[tuple[str, dict[str, Any], str]] = [
    ("people", {"name": 5}, "name"),
    ("people", {"name": "X", "email": "not-an-email"}, "email"),
    ("people", {"name": "X", "phone": "call me"}, "phone"),
    ("people", {"name": "X", "tags": [1]}, "tags"),
    ("people", {"name": "X", "tags": {"a": 1}}, "tags"),
    ("people", {"name": ["X"]}, "name"),
    ("companies", {"name": "X", "employees": "many"}, "employees"),
    ("companies", {"name": "X", "employees": 1.5}, "employees"),
    ("companies", {"name": "X", "employees": -1}, "employees"),
    ("companies", {"name": "X", "employees": True}, "employees"),
    ("companies", {"name": None}, "name"),
    ("tasks", {"title": "T", "dueDate": "next week"}, "dueDate"),
]


def test_wrong_types_name_the_field(client: httpx.Client) -> None:
    for plural, body, field in WRONG_TYPES:
        error(client.post(f"/rest/{plural}", json=body), 400, field)
    for plural in ("people", "companies", "tasks"):
        assert client.get(f"/rest/{plural}").json()["totalCount"] == 0
    # A string is not a list (issue 12: "a string tags becomes a list" must be refused).
    error(client.post("/rest/people", json={"name": "X", "tags": "x"}), 400, "tags")
    # Lenient where it is unambiguous: an integral float.
    assert factories.company(client, employees=250.0)["employees"] == 250


def test_concurrent_creates_with_one_email(
    client: httpx.Client, db_url: str, backend: str, request: pytest.FixtureRequest
) -> None:

    def create(i: int) -> httpx.Response:
        return client.post("/rest/people", json={"name": f"P {i}", "email": email})

    # Simultaneous creates race between the service's check and the insert; a
    # few rounds make sure the database's unique index is what stops one.
    for rounds in range(1, 9):
        email = f"same{rounds}@example.com"
        with ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(create, range(16)))
        statuses = sorted(r.status_code for r in responses)
        assert statuses == [201] + [409] * 15, [r.text for r in responses if r.status_code != 409]
        for r in responses:
            if r.status_code == 409:
                error(r, 409, "email")
        assert client.get("/rest/people").json()["totalCount"] == rounds
    assert event_count(db_url) == 8

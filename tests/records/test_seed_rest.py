"""The seed guide's REST examples (001, "Commands & Examples"), run verbatim on a live server.

Bodies are sent as the exact text of the guide's ``curl -d`` arguments, with its
headers, so what a reader copies from the guide is what is tested here.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from tests import factories

JSON = {"Content-Type": "application/json"}

# The -d argument of "Create Person (REST)", byte for byte.
CREATE_PERSON_BODY = """{
    "name": "John Doe",
    "email": "john.doe@example.com",
    "phone": "+1-555-0123",
    "jobTitle": "Sales Manager"
  }"""

# The -d argument of "Update Person (REST)".
UPDATE_PERSON_BODY = """{
    "phone": "+1-555-9999"
  }"""


def _create_john(client: httpx.Client) -> dict[str, Any]:
    r = client.post("/rest/people", content=CREATE_PERSON_BODY, headers=JSON)
    assert r.status_code == 201, r.text
    body = r.json()
    assert list(body) == ["data"] and list(body["data"]) == ["createPerson"]
    return body["data"]["createPerson"]  # type: ignore[no-any-return]


def test_create_person(client: httpx.Client, api_key: str) -> None:
    person = _create_john(client)
    assert person["name"] == "John Doe"
    assert person["firstName"] == "John" and person["lastName"] == "Doe"
    assert person["email"] == "john.doe@example.com"
    assert person["phone"] == "+1-555-0123"
    assert person["jobTitle"] == "Sales Manager"
    assert person["companyId"] is None
    assert person["createdAt"] and person["updatedAt"] == person["createdAt"]
    assert person["createdBy"]["type"] == "apiKey"


def test_get_update_delete_person(client: httpx.Client, db_url: str) -> None:
    person_id = _create_john(client)["id"]

    r = client.get(f"/rest/people/{person_id}")
    assert r.status_code == 200, r.text
    assert r.json() == {"data": {"person": r.json()["data"]["person"]}}
    got = r.json()["data"]["person"]
    assert got["id"] == person_id and got["email"] == "john.doe@example.com"

    r = client.patch(f"/rest/people/{person_id}", content=UPDATE_PERSON_BODY, headers=JSON)
    assert r.status_code == 200, r.text
    updated = r.json()["data"]["updatePerson"]
    assert updated["phone"] == "+1-555-9999"
    assert updated["name"] == "John Doe" and updated["jobTitle"] == "Sales Manager"
    assert client.get(f"/rest/people/{person_id}").json()["data"]["person"]["phone"] == (
        "+1-555-9999"
    )

    r = client.delete(f"/rest/people/{person_id}")
    assert r.status_code == 200, r.text
    assert r.json() == {"data": {"deletePerson": {"id": person_id}}}
    r = client.get(f"/rest/people/{person_id}")
    assert r.status_code == 404 and r.json()["statusCode"] == 404
    types = [e["type"] for e in factories.events(db_url, person_id)]
    assert types == ["person.created", "person.updated", "person.deleted"]


def test_list_people_envelope(client: httpx.Client) -> None:
    r = client.get("/rest/people")
    assert r.status_code == 200, r.text
    assert r.json() == {
        "data": {"people": []},
        "pageInfo": {
            "hasNextPage": False,
            "hasPreviousPage": False,
            "startCursor": None,
            "endCursor": None,
        },
        "totalCount": 0,
    }
    john = _create_john(client)
    body = client.get("/rest/people").json()
    assert set(body) == {"data", "pageInfo", "totalCount"}
    assert [p["id"] for p in body["data"]["people"]] == [john["id"]]
    assert body["totalCount"] == 1
    info = body["pageInfo"]
    assert info["hasNextPage"] is False and info["startCursor"] and info["endCursor"]


def test_trailing_slash_variants_never_redirect(client: httpx.Client) -> None:
    r = client.post("/rest/people/", content=CREATE_PERSON_BODY, headers=JSON)
    assert r.status_code == 201, r.text
    pid = r.json()["data"]["createPerson"]["id"]
    calls = [
        ("GET", "/rest/people/", None, 200),
        ("GET", f"/rest/people/{pid}/", None, 200),
        ("PATCH", f"/rest/people/{pid}/", UPDATE_PERSON_BODY, 200),
        ("DELETE", f"/rest/people/{pid}/", None, 200),
    ]
    for method, path, body, status in calls:
        r = client.request(method, path, content=body, headers=JSON if body else None)
        assert not 300 <= r.status_code < 400, (method, path, r.status_code, r.headers)
        assert r.status_code == status, (method, path, r.text)
    assert client.get(f"/rest/people/{pid}").status_code == 404


def test_python_client_sends_nulls_for_absent_fields(client: httpx.Client) -> None:
    # The guide's TwentyClient.create_person sends every argument, None included.
    r = client.post(
        "/rest/people",
        json={"name": "Jane Smith", "email": "jane@example.com", "phone": None, "jobTitle": None},
    )
    assert r.status_code == 201, r.text
    jane = r.json()["data"]["createPerson"]
    assert jane["phone"] is None and jane["jobTitle"] is None
    assert jane["firstName"] == "Jane" and jane["lastName"] == "Smith"


def test_seed_phone_numbers_are_accepted(client: httpx.Client) -> None:
    p = factories.person(client, name="John Doe", phone="+1-555-0123")
    assert p["phone"] == "+1-555-0123"
    # Quick Reference: updatePerson(id: "id", data: {phone: "+1234"})
    r = client.patch(f"/rest/people/{p['id']}", json={"phone": "+1234"})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["updatePerson"]["phone"] == "+1234"
    jane = factories.person(client, name="Jane Smith", phone="+1-555-0456")
    assert jane["phone"] == "+1-555-0456"


def test_method_4_person_with_company(client: httpx.Client) -> None:
    company = factories.create(
        client, "companies", name="Acme Corp", domain="acme.com", employees=250
    )
    assert company["name"] == "Acme Corp" and company["domain"] == "acme.com"
    assert company["employees"] == 250
    person = factories.create(
        client, "people", name="John Doe", email="john@acme.com", companyId=company["id"]
    )
    assert person["companyId"] == company["id"]
    r = client.get(f"/rest/people/{person['id']}", params={"depth": 1})
    assert r.status_code == 200, r.text
    embedded = r.json()["data"]["person"]["company"]
    assert embedded["id"] == company["id"] and embedded["name"] == "Acme Corp"
    r = client.get(f"/rest/companies/{company['id']}", params={"depth": 1})
    assert [p["id"] for p in r.json()["data"]["company"]["people"]] == [person["id"]]


def test_method_5_upsert_by_email(client: httpx.Client, db_url: str) -> None:
    first = factories.person(client, name="John Doe", email="john@example.com")
    r = client.post("/rest/people", json={"name": "Johnny Doe", "email": "john@example.com"})
    assert r.status_code == 409, r.text
    assert r.json()["field"] == "email"

    r = client.post(
        "/rest/people?upsert=true",
        json={"name": "Johnny Doe", "email": "john@example.com", "jobTitle": "CTO"},
    )
    assert r.status_code in (200, 201), r.text
    upserted = r.json()["data"]["createPerson"]
    assert upserted["id"] == first["id"]
    assert upserted["name"] == "Johnny Doe" and upserted["firstName"] == "Johnny"
    assert upserted["jobTitle"] == "CTO"
    listed = client.get("/rest/people").json()
    assert listed["totalCount"] == 1
    types = [e["type"] for e in factories.events(db_url, first["id"])]
    assert types == ["person.created", "person.updated"]

    # A new email upserts into a new record.
    r = client.post("/rest/people?upsert=true", json={"name": "Ann Lee", "email": "ann@x.org"})
    assert r.status_code == 201, r.text
    assert r.json()["data"]["createPerson"]["id"] != first["id"]


def test_method_3_parallel_creates(client: httpx.Client) -> None:
    # The guide fires creates in parallel batches of ten (Promise.all).
    def create(i: int) -> int:
        r = client.post("/rest/people", json={"name": f"Person {i}", "email": f"p{i}@example.com"})
        return r.status_code

    with ThreadPoolExecutor(10) as pool:
        statuses = list(pool.map(create, range(20)))
    assert statuses == [201] * 20
    assert client.get("/rest/people").json()["totalCount"] == 20


def test_batch_create_people(client: httpx.Client) -> None:
    # The guide's batchCreatePeople variables, over REST.
    inputs = [
        {"name": "Person 1", "email": "person1@example.com"},
        {"name": "Person 2", "email": "person2@example.com"},
        {"name": "Person 3", "email": "person3@example.com"},
    ]
    r = client.post("/rest/batch/people", json=inputs)
    assert r.status_code == 201, r.text
    created = r.json()["data"]["createPeople"]
    assert [p["email"] for p in created] == [i["email"] for i in inputs]


def test_use_cases_task_and_note_for_a_lead(client: httpx.Client) -> None:
    rep = factories.create(client, "members", name="Sam Rep", email="sam@example.com")
    lead = factories.person(client, name="Lead Person", email="lead@example.com")
    # JavaScript's Date serialises as an ISO instant with milliseconds and Z.
    task = factories.create(
        client,
        "tasks",
        title="Follow up with lead",
        assigneeId=rep["id"],
        personId=lead["id"],
        dueDate="2025-11-07T10:30:45.123Z",
    )
    assert task["status"] == "TODO" and task["assigneeId"] == rep["id"]
    assert task["dueDate"].startswith("2025-11-07T10:30:45.123")
    note = factories.create(client, "notes", personId=lead["id"], body="Met at the fair")
    assert note["personId"] == lead["id"] and note["body"] == "Met at the fair"
    r = client.get(f"/rest/people/{lead['id']}", params={"depth": 1})
    embedded = r.json()["data"]["person"]
    assert [n["id"] for n in embedded["notes"]] == [note["id"]]
    assert [t["id"] for t in embedded["tasks"]] == [task["id"]]


def test_curl_get_with_only_the_auth_header(server: Any, api_key: str) -> None:
    # curl -X GET http://localhost:8080/rest/people -H "Authorization: Bearer YOUR_API_KEY"
    r = httpx.get(f"{server.url}/rest/people", headers={"Authorization": f"Bearer {api_key}"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")

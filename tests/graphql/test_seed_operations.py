"""Every GraphQL operation of the seed guide (001), run verbatim against a live server.

Documents come from ``seed_ops`` (copied byte for byte); only the variables
are ours, shaped as the guide's prose describes them.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx

from rolodex.kit import clock
from tests.graphql import seed_ops as seed
from tests.graphql.helpers import add_custom_field, code, create, data, error, post


def _ops(block: str) -> dict[str, str]:
    return seed.operations(block)


def _company(client: httpx.Client, **fields: Any) -> dict[str, Any]:
    fields.setdefault("name", "Acme Corp")
    doc = _ops(seed.COMPANIES_BLOCK)["CreateCompany"]
    return data(client, doc, {"input": fields})["createCompany"]  # type: ignore[no-any-return]


def test_people_block(client: httpx.Client) -> None:
    ops = _ops(seed.PEOPLE_BLOCK)
    acme = _company(client, domain="acme.com", employees=250, address="1 Main St")
    person = data(
        client,
        ops["CreatePerson"],
        {
            "input": {
                "name": "John Doe",
                "email": "john.doe@example.com",
                "phone": "+1-555-0123",
                "jobTitle": "Sales Manager",
                "companyId": acme["id"],
            }
        },
    )["createPerson"]
    assert person["name"] == "John Doe" and person["jobTitle"] == "Sales Manager"
    assert person["company"] == {"id": acme["id"], "name": "Acme Corp"}
    assert person["createdAt"].endswith("Z")

    got = data(
        client,
        ops["GetPeople"],
        {"filter": {"email": {"eq": "john.doe@example.com"}}, "first": 10, "after": None},
    )["people"]
    assert [e["node"]["id"] for e in got["edges"]] == [person["id"]]
    assert got["edges"][0]["node"]["company"] == {"name": "Acme Corp"}
    assert got["pageInfo"]["hasNextPage"] is False and got["pageInfo"]["endCursor"]

    updated = data(
        client, ops["UpdatePerson"], {"id": person["id"], "input": {"email": "john@acme.com"}}
    )["updatePerson"]
    assert updated == {"id": person["id"], "name": "John Doe", "email": "john@acme.com"}

    assert data(client, ops["DeletePerson"], {"id": person["id"]}) == {
        "deletePerson": {"success": True}
    }
    assert data(client, ops["GetPeople"], {})["people"]["edges"] == []


def test_people_block_sent_whole_with_an_operation_name(client: httpx.Client) -> None:
    block = seed.PEOPLE_BLOCK
    made = data(client, block, {"input": {"name": "Whole Block"}}, "CreatePerson")
    pid = made["createPerson"]["id"]
    got = data(client, block, {"first": 5}, "GetPeople")["people"]["edges"]
    assert [e["node"]["id"] for e in got] == [pid]
    data(client, block, {"id": pid, "input": {"name": "Renamed"}}, "UpdatePerson")
    assert data(client, block, {"id": pid}, "DeletePerson")["deletePerson"]["success"]
    # Without a name the server cannot choose among four operations.
    err = error(client, block, {})
    assert err["extensions"]["code"] == "BAD_USER_INPUT" and "operationName" in err["message"]


def test_companies_block_lists_people_as_a_plain_list(client: httpx.Client) -> None:
    acme = _company(client, domain="acme.com", employees=250, address="1 Main St")
    assert acme["domain"] == "acme.com" and acme["employees"] == 250
    assert acme["address"] == "1 Main St" and acme["createdAt"]
    ada = create(client, "Person", {"name": "Ada", "companyId": acme["id"]})
    bob = create(client, "Person", {"name": "Bob", "companyId": acme["id"]})
    _company(client, name="Empty Inc")
    got = data(client, _ops(seed.COMPANIES_BLOCK)["GetCompanies"])["companies"]["edges"]
    by_name = {e["node"]["name"]: e["node"] for e in got}
    assert by_name["Acme Corp"]["people"] == [
        {"id": ada["id"], "name": "Ada"},
        {"id": bob["id"], "name": "Bob"},
    ]
    assert by_name["Empty Inc"]["people"] == []
    assert by_name["Acme Corp"]["employees"] == 250


def test_notes_block(client: httpx.Client) -> None:
    ops = _ops(seed.NOTES_BLOCK)
    author = create(client, "Member", {"name": "Sam Seller", "email": "sam@example.com"})
    person = create(client, "Person", {"name": "Ada"})
    note = data(
        client,
        ops["CreateNote"],
        {"input": {"body": "Met at the fair", "personId": person["id"], "authorId": author["id"]}},
    )["createNote"]
    assert note["body"] == "Met at the fair"
    assert note["author"] == {"id": author["id"], "name": "Sam Seller"}
    got = data(client, ops["GetNotes"], {"personId": person["id"]})["person"]["notes"]
    assert [e["node"] for e in got["edges"]] == [
        {"id": note["id"], "body": "Met at the fair", "createdAt": note["createdAt"]}
    ]


def test_tasks_block(client: httpx.Client) -> None:
    ops = _ops(seed.TASKS_BLOCK)
    rep = create(client, "Member", {"name": "Rep"})
    lead = create(client, "Person", {"name": "Lead"})
    due = "2025-11-07T10:30:45.000Z"  # what JSON.stringify makes of a JS Date
    task = data(
        client,
        ops["CreateTask"],
        {
            "input": {
                "title": "Follow up with lead",
                "assigneeId": rep["id"],
                "personId": lead["id"],
                "dueDate": due,
            }
        },
    )["createTask"]
    assert task["status"] == "TODO" and task["dueDate"] == due
    assert task["assignee"] == {"id": rep["id"], "name": "Rep"}
    data(client, ops["CreateTask"], {"input": {"title": "Done one", "status": "DONE"}})
    got = data(client, ops["GetTasks"], {"filter": {"status": {"eq": "TODO"}}})["tasks"]
    assert [e["node"]["title"] for e in got["edges"]] == ["Follow up with lead"]
    assert got["edges"][0]["node"]["dueDate"] == due
    # GetTasks declares its filter non-null: leaving it out is the client's error.
    assert code(client, ops["GetTasks"], {}) == "BAD_USER_INPUT"


def test_custom_fields_block(client: httpx.Client, db_url: str) -> None:
    ops = _ops(seed.CUSTOM_FIELDS_BLOCK)
    before = data(client, ops["GetPersonMetadata"])["metadata"]["objects"]
    assert len(before) == 1
    fields = {f["name"]: f for f in before[0]["fields"]}
    assert fields["email"] == {"name": "email", "type": "EMAIL", "isCustom": False}
    assert not any(f["isCustom"] for f in fields.values())

    add_custom_field(db_url, "person", "lead_score", "NUMBER", label="Lead score")
    add_custom_field(db_url, "person", "source", "TEXT")
    after = data(client, ops["GetPersonMetadata"])["metadata"]["objects"][0]["fields"]
    custom = {f["name"]: f["type"] for f in after if f["isCustom"]}
    assert custom == {"lead_score": "NUMBER", "source": "TEXT"}

    made = data(
        client,
        ops["CreatePersonWithCustomFields"],
        {
            "input": {
                "name": "Custom Carl",
                "customFields": [
                    {"fieldId": "lead_score", "value": "87"},
                    {"fieldId": "source", "value": "fair"},
                ],
            }
        },
    )["createPerson"]
    assert made["customFields"] == [
        {"fieldId": "lead_score", "value": 87},
        {"fieldId": "source", "value": "fair"},
    ]
    # Each custom field is also a typed field of its own, for reads and writes.
    got = data(client, "query($id: ID!) { person(id: $id) { lead_score source } }", made)
    assert got["person"] == {"lead_score": 87.0, "source": "fair"}
    typed = create(client, "Person", {"name": "Typed", "lead_score": 12.5})
    assert typed["lead_score"] == 12.5


def test_sales_report(client: httpx.Client) -> None:
    acme = _company(client)
    early = create(client, "Person", {"name": "Early", "email": "early@example.com"})
    time.sleep(0.01)
    start = clock.iso(clock.now())
    time.sleep(0.01)
    inside = create(
        client, "Person", {"name": "Inside", "email": "in@example.com", "companyId": acme["id"]}
    )
    for body in ("First call", "Second call"):
        data(
            client,
            _ops(seed.RELATIONSHIPS_BLOCK)["AddNoteToPerson"],
            {"personId": inside["id"], "body": body},
        )
    time.sleep(0.01)
    end = clock.iso(clock.now())
    time.sleep(0.01)
    create(client, "Person", {"name": "Late"})
    got = data(client, seed.SALES_REPORT, {"startDate": start, "endDate": end})["people"]
    assert got["edges"] == [
        {
            "node": {
                "name": "Inside",
                "email": "in@example.com",
                "company": {"name": "Acme Corp"},
                "notes": [{"body": "First call"}, {"body": "Second call"}],
            }
        }
    ]
    assert early["id"] != inside["id"]
    assert code(client, seed.SALES_REPORT, {"startDate": "last week", "endDate": end}) == (
        "BAD_USER_INPUT"
    )


def test_create_person_literal(client: httpx.Client) -> None:
    made = data(client, seed.CREATE_PERSON_LITERAL)["createPerson"]
    assert made["name"] == "Jane Smith" and made["email"] == "jane.smith@example.com"
    got = data(client, "query($id: ID!) { person(id: $id) { phone jobTitle } }", made)
    assert got["person"] == {"phone": "+1-555-0456", "jobTitle": "Marketing Director"}


def test_curl_example_with_escaped_quotes(server: Any, api_key: str) -> None:
    headers = {"Authorization": f"Bearer {api_key}", "Content-Type": "application/json"}
    r = httpx.post(f"{server.url}/graphql", headers=headers, content=seed.CURL_BODY)
    assert r.status_code == 200, r.text
    made = r.json()["data"]["createPerson"]
    assert made["name"] == "Jane Smith" and made["email"] == "jane@example.com"
    assert set(made) == {"id", "name", "email"}
    # The guide writes the URL with and without the trailing slash.
    again = seed.CURL_BODY.replace("jane@", "jane2@")
    r = httpx.post(f"{server.url}/graphql/", headers=headers, content=again)
    assert r.status_code == 200 and r.json()["data"]["createPerson"]["email"] == "jane2@example.com"


def test_get_people_by_email(client: httpx.Client) -> None:
    acme = _company(client)
    john = create(client, "Person", {"name": "John", "email": "john@example.com"})
    link = "mutation($id: ID!, $c: ID!) { updatePerson(id: $id, data: {companyId: $c}) { id } }"
    data(client, link, {"id": john["id"], "c": acme["id"]})
    create(client, "Person", {"name": "Other", "email": "other@example.com"})
    got = data(client, seed.GET_PEOPLE_BY_EMAIL)["people"]["edges"]
    assert got == [
        {
            "node": {
                "id": john["id"],
                "name": "John",
                "email": "john@example.com",
                "phone": None,
                "company": {"name": "Acme Corp"},
            }
        }
    ]


def test_batch_create_people(client: httpx.Client) -> None:
    made = data(client, seed.BATCH_CREATE_PEOPLE, json.loads(seed.BATCH_VARIABLES))
    assert [p["name"] for p in made["batchCreatePeople"]] == ["Person 1", "Person 2", "Person 3"]
    assert [p["email"] for p in made["batchCreatePeople"]] == [
        f"person{i}@example.com" for i in (1, 2, 3)
    ]
    # All or nothing: a clash in the batch writes none of it.
    err = error(client, seed.BATCH_CREATE_PEOPLE, json.loads(seed.BATCH_VARIABLES))
    assert err["extensions"]["code"] == "CONFLICT" and err["extensions"]["field"] == "email"
    total = data(client, "{ people { totalCount } }")["people"]["totalCount"]
    assert total == 3


def test_advanced_custom_fields_block(client: httpx.Client, db_url: str) -> None:
    ops = _ops(seed.ADVANCED_CUSTOM_FIELDS_BLOCK)
    err = error(client, ops["CreatePersonWithCustomField"])
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "customFields"}
    add_custom_field(db_url, "person", "custom_field_id", "TEXT")
    fields = data(client, ops["GetCustomFields"])["metadata"]["objects"][0]["fields"]
    assert {"name": "custom_field_id", "type": "TEXT", "isCustom": True} in fields
    made = data(client, ops["CreatePersonWithCustomField"])["createPerson"]
    assert made["customFields"] == [{"fieldId": "custom_field_id", "value": "Custom Value"}]


def test_relationships_block(client: httpx.Client) -> None:
    ops = _ops(seed.RELATIONSHIPS_BLOCK)
    acme = _company(client)
    person = create(client, "Person", {"name": "Ada"})
    linked = data(
        client, ops["LinkPersonToCompany"], {"personId": person["id"], "companyId": acme["id"]}
    )["updatePerson"]
    assert linked == {"id": person["id"], "company": {"id": acme["id"], "name": "Acme Corp"}}
    note = data(client, ops["AddNoteToPerson"], {"personId": person["id"], "body": "Hello"})
    assert note["createNote"]["body"] == "Hello" and note["createNote"]["createdAt"]
    bad = {"personId": "00000000-0000-7000-8000-000000000000", "companyId": acme["id"]}
    err = error(client, ops["LinkPersonToCompany"], bad)
    assert err["extensions"]["code"] == "NOT_FOUND" and err["path"] == ["updatePerson"]


def test_pagination_loop(client: httpx.Client) -> None:
    inputs = [{"name": f"P{i:03d}"} for i in range(230)]
    data(client, seed.BATCH_CREATE_PEOPLE, {"inputs": inputs})
    # getAllPeople(): client.getPeople(null, 100, cursor) until hasNextPage is false.
    all_people: list[dict[str, Any]] = []
    cursor = None
    has_more = True
    pages = []
    while has_more:
        result = data(client, seed.GET_PEOPLE_PAGINATED, {"first": 100, "after": cursor})
        all_people.extend(e["node"] for e in result["people"]["edges"])
        has_more = result["people"]["pageInfo"]["hasNextPage"]
        cursor = result["people"]["pageInfo"]["endCursor"]
        pages.append(result["people"]["pageInfo"])
    assert [p["name"] for p in all_people] == [f"P{i:03d}" for i in range(230)]
    assert [p["hasPreviousPage"] for p in pages] == [False, True, True]
    assert pages[0]["startCursor"] and pages[-1]["endCursor"]


def test_search_people(client: httpx.Client) -> None:
    create(client, "Person", {"name": "Grace Hopper", "email": "grace@navy.mil"})
    create(client, "Person", {"name": "Alan Turing", "email": "alan@bletchley.uk"})
    create(client, "Person", {"name": "Hal", "phone": "+1-555-0199"})

    def search(text: str) -> list[str]:
        got = data(client, seed.SEARCH_PEOPLE, {"search": text})["people"]["edges"]
        return sorted(e["node"]["name"] for e in got)

    assert search("grace") == ["Grace Hopper"]  # contains ignores case
    assert search("bletchley") == ["Alan Turing"]
    assert search("555-01") == ["Hal"]
    assert search("a") == ["Alan Turing", "Grace Hopper", "Hal"]
    assert search("100%") == []  # LIKE wildcards are literal


def test_get_people_sorted(client: httpx.Client) -> None:
    for name in ("First", "Second", "Third"):
        create(client, "Person", {"name": name})
        time.sleep(0.002)
    got = data(client, seed.GET_PEOPLE_SORTED, {"orderBy": {"createdAt": "DESC"}})
    assert [e["node"]["name"] for e in got["people"]["edges"]] == ["Third", "Second", "First"]
    got = data(client, seed.GET_PEOPLE_SORTED, {"orderBy": {"createdAt": "ASC"}})
    assert [e["node"]["name"] for e in got["people"]["edges"]] == ["First", "Second", "Third"]


def test_quick_reference(client: httpx.Client) -> None:
    made = data(client, seed.QUICK_CREATE_PERSON)["createPerson"]
    got = data(client, seed.QUICK_GET_PEOPLE)["people"]["edges"]
    assert got == [{"node": {"id": made["id"], "name": "John", "email": "john@example.com"}}]
    # "id" is the guide's placeholder: verbatim it is a clean input error...
    err = error(client, seed.QUICK_UPDATE_PERSON)
    assert err["extensions"] == {"code": "BAD_USER_INPUT", "field": "id"}
    assert error(client, seed.QUICK_DELETE_PERSON)["extensions"]["field"] == "id"
    # ...and with a real id in its place, the one-liners work.
    update = seed.QUICK_UPDATE_PERSON.replace('"id"', json.dumps(made["id"]))
    assert data(client, update) == {"updatePerson": {"id": made["id"]}}
    phone = data(client, "query($id: ID!) { person(id: $id) { phone } }", made)
    assert phone["person"]["phone"] == "+1234"
    delete = seed.QUICK_DELETE_PERSON.replace('"id"', json.dumps(made["id"]))
    assert data(client, delete) == {"deletePerson": {"success": True}}
    body = post(client, "query($id: ID!) { person(id: $id) { id } }", made)
    assert body["data"] == {"person": None}
    assert body["errors"][0]["extensions"] == {"code": "NOT_FOUND", "field": "id"}

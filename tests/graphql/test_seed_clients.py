"""The seed guide's clients: its Python TwentyClient run verbatim, and its TypeScript
client's documents and usage patterns replayed with the same requests.
"""

from __future__ import annotations

import json
import os
import sys
import types
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from tests.graphql import seed_ops as seed
from tests.graphql.helpers import add_custom_field, data

GUIDE_URL = "http://localhost:8080"


def _requests_shim(server_url: str) -> types.ModuleType:
    """A stand-in ``requests`` module over httpx, sending the guide's localhost URL to the
    test server (the project does not depend on requests)."""
    module = types.ModuleType("requests")

    class Response:
        def __init__(self, inner: httpx.Response) -> None:
            self.inner = inner
            self.status_code = inner.status_code

        def raise_for_status(self) -> None:
            self.inner.raise_for_status()

        def json(self) -> Any:
            return self.inner.json()

    def post(url: str, headers: dict[str, str] | None = None, json: Any = None) -> Response:
        url = url.replace(GUIDE_URL, server_url, 1)
        return Response(httpx.post(url, headers=headers, json=json, timeout=30))

    module.post = post  # type: ignore[attr-defined]
    return module


def test_python_client_verbatim(server: Any, api_key: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "requests", _requests_shim(server.url))
    monkeypatch.setenv("TWENTY_API_KEY", api_key)
    # The example uses os.getenv without importing os; the namespace provides it.
    namespace: dict[str, Any] = {"os": os, "__name__": "twenty_client"}
    exec(compile(seed.PYTHON_EXAMPLE, "twenty_client.py", "exec"), namespace)
    person = namespace["person"]["createPerson"]
    assert person["name"] == "Jane Smith" and person["email"] == "jane@example.com"
    assert person["phone"] == "+1-555-0456" and person["createdAt"]
    people = namespace["people"]["people"]["edges"]
    assert [p["node"]["id"] for p in people] == [person["id"]]
    assert people[0]["node"]["company"] is None
    # Errors surface as the guide's client raises them: the first error's message.
    client = namespace["client"]
    with pytest.raises(Exception, match="email must be an email address"):
        client.create_person(name="Bad", email="not-an-email")
    with pytest.raises(Exception, match="first must be at most 100"):
        client.get_people(first=101)
    filtered = client.get_people(filter={"email": {"eq": "jane@example.com"}}, first=1)
    assert len(filtered["people"]["edges"]) == 1


class TsClient:
    """The TypeScript client's request(), in Python: the same body, the same error rule."""

    def __init__(self, http: httpx.Client) -> None:
        self.http = http

    def request(self, query: str, variables: dict[str, Any] | None = None) -> Any:
        # JSON.stringify drops undefined values; None stands for undefined here.
        body = {"query": query}
        if variables is not None:
            body["variables"] = {k: v for k, v in variables.items() if v is not None}
        r = self.http.post("/graphql", content=json.dumps(body))
        if r.status_code >= 400:
            raise RuntimeError(f"API Error: {r.reason_phrase}")
        result = r.json()
        if result.get("errors"):
            raise RuntimeError(result["errors"][0]["message"])
        return result["data"]

    def create_person(self, data: dict[str, Any]) -> Any:
        return self.request(seed.TS_CREATE_PERSON, {"input": data})

    def get_people(self, filter: Any = None, first: Any = None, after: Any = None) -> Any:
        return self.request(seed.TS_GET_PEOPLE, {"filter": filter, "first": first, "after": after})

    def create_company(self, data: dict[str, Any]) -> Any:
        return self.request(seed.TS_CREATE_COMPANY, {"input": data})

    def update_person(self, id: str, data: dict[str, Any]) -> Any:
        return self.request(seed.TS_UPDATE_PERSON, {"id": id, "input": data})


@pytest.fixture
def ts(client: httpx.Client) -> TsClient:
    client.headers["Content-Type"] = "application/json"
    return TsClient(client)


def test_ts_client_usage_and_method_1(ts: TsClient) -> None:
    made = ts.create_person(
        {"name": "John Doe", "email": "john@example.com", "phone": "+1-555-0123"}
    )
    assert set(made["createPerson"]) == {"id", "name", "email", "phone", "createdAt"}
    one = ts.create_person(
        {
            "name": "Jane Roe",
            "email": "jane@example.com",
            "phone": "+1-555-0124",
            "jobTitle": "Sales Manager",
        }
    )
    people = ts.get_people()["people"]
    ids = [e["node"]["id"] for e in people["edges"]]
    assert ids == [made["createPerson"]["id"], one["createPerson"]["id"]]
    assert people["pageInfo"] == {
        "hasNextPage": False,
        "endCursor": people["pageInfo"]["endCursor"],
    }
    updated = ts.update_person(one["createPerson"]["id"], {"phone": "+1-555-9999"})
    assert updated["updatePerson"]["phone"] == "+1-555-9999"


def test_method_3_parallel_batches(ts: TsClient) -> None:
    people = [{"name": f"Person {i}", "email": f"person{i}@example.com"} for i in (1, 2, 3)]
    with ThreadPoolExecutor(max_workers=10) as pool:  # Promise.all over one batch
        results = list(pool.map(ts.create_person, people))
    assert sorted(r["createPerson"]["email"] for r in results) == [p["email"] for p in people]


def test_method_4_person_with_company(ts: TsClient) -> None:
    company = ts.create_company({"name": "Acme Corp", "domain": "acme.com", "employees": 250})
    # The guide reads company.id, but request() returns the data envelope; the id is at
    # company.createCompany.id (see docs/compatibility.md).
    company_id = company["createCompany"]["id"]
    person = ts.create_person(
        {"name": "John Doe", "email": "john@acme.com", "companyId": company_id}
    )
    got = ts.get_people({"email": {"eq": "john@acme.com"}})["people"]["edges"][0]["node"]
    assert got["id"] == person["createPerson"]["id"]
    assert got["company"] == {"id": company_id, "name": "Acme Corp"}


def test_method_5_upsert(ts: TsClient) -> None:
    def upsert_person(email: str, person: dict[str, Any]) -> Any:
        existing = ts.get_people({"email": {"eq": email}})
        if len(existing["people"]["edges"]) > 0:
            person_id = existing["people"]["edges"][0]["node"]["id"]
            return ts.update_person(person_id, person)
        return ts.create_person(person)

    first = upsert_person("ada@example.com", {"name": "Ada", "email": "ada@example.com"})
    second = upsert_person("ada@example.com", {"name": "Ada Lovelace", "email": "ada@example.com"})
    assert second["updatePerson"]["id"] == first["createPerson"]["id"]
    assert second["updatePerson"]["name"] == "Ada Lovelace"
    assert len(ts.get_people()["people"]["edges"]) == 1


def test_use_case_tasks_for_a_lead(ts: TsClient, client: httpx.Client) -> None:
    rep = data(client, 'mutation { createMember(data: {name: "Rep"}) { id } }')["createMember"]
    lead = ts.create_person({"name": "Lead"})["createPerson"]
    # createTask({title, assigneeId, personId, dueDate: new Date(...)}): the Date is sent
    # as the ISO string JSON.stringify makes of it.
    create_task = """
      mutation CreateTask($input: TaskCreateInput!) {
        createTask(data: $input) { id title status dueDate assignee { id name } }
      }
    """
    due = "2025-11-07T10:30:45.123Z"
    task = ts.request(
        create_task,
        {
            "input": {
                "title": "Follow up with lead",
                "assigneeId": rep["id"],
                "personId": lead["id"],
                "dueDate": due,
            }
        },
    )["createTask"]
    assert task["dueDate"] == due and task["assignee"]["name"] == "Rep"
    # The webhook example's createTask({title, personId, dueDate}) has no assignee.
    task = ts.request(
        create_task, {"input": {"title": "Welcome new contact", "personId": lead["id"]}}
    )["createTask"]
    assert task["assignee"] is None and task["status"] == "TODO"


def test_lead_score_through_update_person(ts: TsClient, db_url: str) -> None:
    add_custom_field(db_url, "person", "lead_score", "NUMBER")
    lead = ts.create_person({"name": "Lead"})["createPerson"]
    # scoreLead(): updatePerson(personId, {customFields: [{fieldId: 'lead_score', value}]})
    ts.update_person(lead["id"], {"customFields": [{"fieldId": "lead_score", "value": "73"}]})
    got = ts.request(
        "query($id: ID!) { person(id: $id) { customFields { fieldId value } } }", {"id": lead["id"]}
    )
    assert got["person"]["customFields"] == [{"fieldId": "lead_score", "value": 73}]

"""The record tools over /mcp: happy paths, REST's errors, paging, attribution."""

from __future__ import annotations

from typing import Any

import orjson
from mcp import Client

from tests import factories
from tests.mcp.conftest import data, error, run


def test_create_get_update_upsert_delete(server, api_key, client, db_url):
    company = factories.company(client, name="Acme", domain="acme.com")

    async def work(c: Client) -> dict[str, Any]:
        out: dict[str, Any] = {}
        created = data(
            await c.call_tool(
                "create_record",
                {
                    "object": "people",
                    "data": {
                        "name": "Ada Lovelace",
                        "email": "ada@acme.com",
                        "companyId": company["id"],
                    },
                },
            )
        )
        pid = created["record"]["id"]
        out["created"] = created
        out["got"] = data(
            await c.call_tool("get_record", {"object": "people", "id": pid, "include": ["company"]})
        )
        out["updated"] = data(
            await c.call_tool(
                "update_record", {"object": "person", "id": pid, "data": {"jobTitle": "CTO"}}
            )
        )
        up = {"object": "people", "data": {"email": "ADA@acme.com", "location": "London"}}
        out["upserted"] = data(await c.call_tool("upsert_record", up))
        out["upserted_again"] = data(await c.call_tool("upsert_record", up))
        out["deleted"] = data(await c.call_tool("delete_record", {"object": "people", "id": pid}))
        out["gone"] = error(await c.call_tool("get_record", {"object": "people", "id": pid}))
        out["pid"] = pid
        return out

    out = run(server.url, api_key, work)
    pid = out["pid"]
    assert out["created"]["object"] == "people"
    got = out["got"]
    assert got["record"]["company"]["name"] == "Acme"
    assert "notes" not in got["record"]  # only the relations asked for
    assert [e["type"] for e in got["timeline"]] == ["person.created"]
    assert out["updated"]["record"]["jobTitle"] == "CTO"
    assert out["upserted"]["record"]["id"] == pid == out["upserted_again"]["record"]["id"]
    assert out["upserted"]["record"]["location"] == "London"
    assert out["deleted"]["id"] == pid and out["deleted"]["deletedAt"]
    assert out["gone"] == f"No person with id {pid}."
    # Soft: REST can still restore it.
    assert client.post(f"/rest/people/{pid}/restore").status_code == 200


def test_errors_carry_rests_messages(server, api_key, client):
    rest_filter = client.get("/rest/people", params={"filter": "name[eq:x"}).json()["message"]
    rest_field = client.get("/rest/people", params={"filter": "nme[eq]:x"}).json()["message"]
    rest_create = client.post("/rest/people", json={"emial": "a@b.c"}).json()["message"]
    rest_object = client.get("/rest/persns").json()["message"]
    assert "Did you mean 'email'?" in rest_create

    async def work(c: Client) -> list[str]:
        calls = [
            ("query_records", {"object": "people", "filter": "name[eq:x"}),
            ("query_records", {"object": "people", "filter": "nme[eq]:x"}),
            ("create_record", {"object": "people", "data": {"emial": "a@b.c"}}),
            ("query_records", {"object": "persns"}),
            ("query_records", {"object": "people", "limit": 500}),
            ("query_records", {"object": "people", "fields": ["emial"]}),
            ("query_records", {"object": "people", "cursor": "garbage"}),
            ("get_record", {"object": "people", "id": "not-a-uuid"}),
            ("get_record", {"object": "people", "id": "x", "include": ["compny"]}),
            ("create_record", {"object": "people", "data": "Ada"}),
            ("create_record", {"object": "people", "dat": {}}),
            ("no_such_tool", {}),
        ]
        return [error(await c.call_tool(name, args)) for name, args in calls]

    got = run(server.url, api_key, work)
    assert got[:4] == [rest_filter, rest_field, rest_create, rest_object]
    assert got[4] == "limit must be between 1 and 100, got 500"
    assert got[5] == "Unknown field 'emial' on person. Did you mean 'email'?"
    assert "cursor" in got[6].lower()
    assert "not-a-uuid" in got[7]
    assert got[8].startswith("Unknown relation 'compny' on person. Did you mean 'company'?")
    assert got[9].startswith("data must be an object of field values")
    assert got[10].startswith("Unknown argument 'dat'; Did you mean 'data'?")
    assert got[11].startswith("Unknown tool 'no_such_tool'.")
    for message in got:
        assert "Traceback" not in message


def test_query_records_pages_with_cursors(server, api_key, client):
    r = client.post(
        "/rest/batch/people",
        json=[{"name": f"P{i:02}", "email": f"p{i}@x.com", "location": "Paris"} for i in range(25)],
    )
    assert r.status_code == 201

    async def work(c: Client) -> list[dict[str, Any]]:
        pages, cursor = [], None
        while True:
            args: dict[str, Any] = {
                "object": "people",
                "filter": "location[eq]:Paris",
                "orderBy": "name[desc]",
                "fields": ["name"],
                "limit": 10,
            }
            if cursor:
                args["cursor"] = cursor
            page = data(await c.call_tool("query_records", args))
            pages.append(page)
            if not page["pageInfo"]["hasNextPage"]:
                return pages
            cursor = page["pageInfo"]["endCursor"]

    pages = run(server.url, api_key, work)
    assert [len(p["records"]) for p in pages] == [10, 10, 5]
    names = [r["name"] for p in pages for r in p["records"]]
    assert names == sorted((f"P{i:02}" for i in range(25)), reverse=True)
    assert set(pages[0]["records"][0]) == {"id", "name"}
    assert pages[0]["totalCount"] == 25 and "next" in pages[0] and "next" not in pages[-1]


def test_search_ranks_across_objects(server, api_key, client):
    factories.company(client, name="Globex", domain="globex.com")
    factories.person(client, name="Hank Scorpio", email="hank@globex.com")
    factories.person(client, name="Globex Fan", email="fan@example.com")
    factories.person(client, name="Someone Else", email="else@example.com")

    async def work(c: Client) -> Any:
        return (
            data(await c.call_tool("search", {"query": "globex"})),
            data(await c.call_tool("search", {"query": "globex.com", "objects": ["companies"]})),
            data(await c.call_tool("search", {"query": "globex", "limit": 2})),
            error(await c.call_tool("search", {"query": ""})),
        )

    everything, companies, two, empty = run(server.url, api_key, work)
    assert everything["hasMore"] is False
    assert two["count"] == 2 and two["hasMore"] is True and "next" in two
    labels = [h["label"] for h in everything["results"]]
    assert set(labels) == {"Globex", "Hank Scorpio", "Globex Fan"}
    assert labels[0] in ("Globex", "Globex Fan")  # names starting with the word first
    assert [h["label"] for h in companies["results"]] == ["Globex"]
    scores = [h["score"] for h in everything["results"]]
    assert scores == sorted(scores, reverse=True) and scores[-1] > 0  # ranked, best first
    assert empty == "query is required."


def test_a_key_sees_nothing_of_another_workspace(server, api_key, client, db_url):
    theirs = factories.person(client, name="Secret Person", email="secret@x.com")
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))

    async def work(c: Client) -> Any:
        return (
            data(await c.call_tool("search", {"query": "secret"})),
            data(await c.call_tool("query_records", {"object": "people"})),
            error(await c.call_tool("get_record", {"object": "people", "id": theirs["id"]})),
            error(
                await c.call_tool(
                    "update_record",
                    {"object": "people", "id": theirs["id"], "data": {"name": "Mine"}},
                )
            ),
        )

    found, listed, got, updated = run(server.url, other, work)
    assert found["results"] == [] and listed["records"] == [] and listed["totalCount"] == 0
    assert got == updated == f"No person with id {theirs['id']}."
    assert client.get(f"/rest/people/{theirs['id']}").json()["data"]["person"]["name"] == (
        "Secret Person"
    )


def test_changes_through_mcp_name_the_key_and_mcp(server, api_key, client, db_url):
    rest = factories.person(client, name="Via Rest", email="rest@x.com")
    assert "via" not in rest["createdBy"]

    async def work(c: Client) -> Any:
        made = data(
            await c.call_tool("create_record", {"object": "people", "data": {"name": "Via Mcp"}})
        )
        pid = made["record"]["id"]
        await c.call_tool(
            "update_record", {"object": "people", "id": pid, "data": {"jobTitle": "X"}}
        )
        got = data(await c.call_tool("get_record", {"object": "people", "id": pid}))
        return made, got

    made, got = run(server.url, api_key, work)
    actor = made["record"]["createdBy"]
    assert actor["type"] == "apiKey" and actor["name"] == "test key" and actor["via"] == "mcp"
    assert actor["id"] == rest["createdBy"]["id"]  # the same key
    assert got["record"]["updatedBy"]["via"] == "mcp"
    assert [e["type"] for e in got["timeline"]] == ["person.updated", "person.created"]
    assert all(e["actor"]["via"] == "mcp" for e in got["timeline"])
    events = factories.events(db_url, made["record"]["id"])
    assert [e["type"] for e in events] == ["person.created", "person.updated"]
    assert all(e["actor"]["via"] == "mcp" for e in events)
    assert "via" not in factories.events(db_url, rest["id"])[0]["actor"]
    # REST shows the record as stored, with the attribution.
    shown = client.get(f"/rest/people/{made['record']['id']}").json()["data"]["person"]
    assert shown["createdBy"]["via"] == "mcp"


def test_an_idempotency_key_makes_a_retried_call_run_once(server, api_key, client):
    def call(key: str, name: str) -> Any:
        return client.post(
            "/mcp",
            json={
                "jsonrpc": "2.0",
                "id": 7,
                "method": "tools/call",
                "params": {
                    "name": "create_record",
                    "arguments": {"object": "people", "data": {"name": name}},
                },
            },
            headers={
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": "2025-11-25",
                "Idempotency-Key": key,
            },
        )

    first, again = call("retry-1", "Once Only"), call("retry-1", "Once Only")
    assert first.status_code == again.status_code == 200
    assert again.headers.get("idempotent-replayed") == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.json() == first.json()
    created = first.json()["result"]["structuredContent"]["record"]
    assert created["createdBy"]["via"] == "mcp"
    listed = client.get("/rest/people", params={"filter": "name[eq]:Once Only"}).json()
    assert listed["totalCount"] == 1
    reused = call("retry-1", "Someone Else")
    assert reused.status_code == 422 and reused.json()["error"] == "IDEMPOTENCY_KEY_REUSED"


def test_get_record_says_when_an_embedded_list_is_cut(server, api_key, client):
    company = factories.company(client, name="Big", domain="big.com")
    people = [{"name": f"E{i}", "companyId": company["id"]} for i in range(61)]
    assert client.post("/rest/batch/people", json=people).status_code == 201

    async def work(c: Client) -> Any:
        got = data(
            await c.call_tool(
                "get_record",
                {"object": "companies", "id": company["id"], "include": ["people"], "timeline": 0},
            )
        )
        hint = got["relationsTruncated"]["people"]
        object_name = hint.split("with object ")[1].split(" ")[0]
        rest = data(
            await c.call_tool(
                "query_records",
                {"object": object_name, "filter": f"companyId[eq]:{company['id']}", "limit": 100},
            )
        )
        return got, rest

    got, rest = run(server.url, api_key, work)
    assert len(got["record"]["people"]) == 60 and got["timeline"] == []
    assert len(rest["records"]) == 61


def test_the_structured_content_survives_the_sdk_for_each_version(server, api_key, client):
    """The structured content skips the SDK's result checking (server.PlainStructured)
    and is put back in the result the SDK shaped, for every handshake version."""
    factories.create(client, "people", name="Shape Check")

    def call(version: str) -> dict[str, Any]:
        r = client.post(
            "/mcp",
            json={
                "jsonrpc": "2.0",
                "id": 3,
                "method": "tools/call",
                "params": {"name": "query_records", "arguments": {"object": "people"}},
            },
            headers={
                "Accept": "application/json, text/event-stream",
                "MCP-Protocol-Version": version,
            },
        )
        assert r.status_code == 200, r.text
        result: dict[str, Any] = r.json()["result"]
        return result

    current = call("2025-11-25")
    assert [p["name"] for p in current["structuredContent"]["records"]] == ["Shape Check"]
    assert orjson.loads(current["content"][0]["text"]) == current["structuredContent"]
    assert "resultType" not in current  # a 2026-07-28 field, dropped by the SDK
    for version in ("2024-11-05", "2025-03-26", "2025-06-18"):
        assert call(version)["structuredContent"] == current["structuredContent"]

"""Schema, notes, tasks, webhooks, resources, prompts and the rate limit over /mcp."""

from __future__ import annotations

import json
from typing import Any

import mcp_types as types
import pytest
from mcp import Client
from mcp.shared.exceptions import MCPError

from tests import factories
from tests.conftest import LiveServer
from tests.mcp.conftest import data, error, run


def test_schema_refreshes_after_a_custom_field_is_added(server, api_key, client):
    async def look(c: Client) -> Any:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        described = data(await c.call_tool("describe_schema", {"object": "people"}))
        return tools, described

    tools, described = run(server.url, api_key, look)
    assert "leadScore" not in tools["create_record"].input_schema["$defs"]["people"]["properties"]
    r = client.post(
        "/rest/metadata/fields",
        json={"objectName": "person", "name": "leadScore", "type": "NUMBER", "label": "Lead score"},
    )
    assert r.status_code == 201, r.text
    tools, described = run(server.url, api_key, look)
    props = tools["create_record"].input_schema["$defs"]["people"]["properties"]
    assert props["leadScore"]["type"] == ["number", "null"]
    assert "leadScore" in tools["update_record"].input_schema["$defs"]["people"]["properties"]
    fields = {f["name"]: f for f in described["objects"][0]["fields"]}
    assert fields["leadScore"]["type"] == "NUMBER" and "custom" in fields["leadScore"]["flags"]
    assert fields["email"]["flags"] == ["unique"]
    assert fields["company"]["relation"]["target"] == "company"

    async def use(c: Client) -> Any:
        made = data(
            await c.call_tool(
                "create_record", {"object": "people", "data": {"name": "L", "leadScore": 80}}
            )
        )
        found = data(
            await c.call_tool("query_records", {"object": "people", "filter": "leadScore[gte]:50"})
        )
        return made, found

    made, found = run(server.url, api_key, use)
    assert made["record"]["leadScore"] == 80
    assert [r["id"] for r in found["records"]] == [made["record"]["id"]]


def test_describe_schema_shows_custom_objects_and_picklists(server, api_key, client):
    r = client.post(
        "/rest/metadata/objects",
        json={
            "nameSingular": "deal",
            "namePlural": "deals",
            "labelSingular": "Deal",
            "labelPlural": "Deals",
        },
    )
    assert r.status_code == 201, r.text

    async def work(c: Client) -> Any:
        tools = {t.name: t for t in (await c.list_tools()).tools}
        return tools, data(await c.call_tool("describe_schema", {}))

    tools, described = run(server.url, api_key, work)
    objects = {o["name"]: o for o in described["objects"]}
    assert objects["deal"]["custom"] is True
    status = {f["name"]: f for f in objects["task"]["fields"]}["status"]
    assert status["options"] == ["TODO", "IN_PROGRESS", "DONE"]
    assert "deals" in tools["query_records"].input_schema["properties"]["object"]["enum"]
    assert "deals" in tools["create_record"].input_schema["$defs"]


def test_notes_and_tasks_attach_to_people_and_companies(server, api_key, client, db_url):
    person = factories.person(client, email="n@x.com")
    company = factories.company(client, domain="n.com")

    async def work(c: Client) -> Any:
        note = data(
            await c.call_tool(
                "add_note",
                {"title": "Call", "body": "Talked about pricing", "personId": person["id"]},
            )
        )
        task = data(
            await c.call_tool(
                "create_task",
                {
                    "title": "Send quote",
                    "dueDate": "2030-01-01T09:00:00Z",
                    "companyId": company["id"],
                },
            )
        )
        loose = error(await c.call_tool("add_note", {"body": "Nowhere"}))
        bad = error(
            await c.call_tool(
                "create_task", {"title": "X", "status": "LATER", "personId": person["id"]}
            )
        )
        history = data(
            await c.call_tool(
                "get_record", {"object": "people", "id": person["id"], "include": ["notes"]}
            )
        )
        return note, task, loose, bad, history

    note, task, loose, bad, history = run(server.url, api_key, work)
    assert note["record"]["personId"] == person["id"] and note["record"]["body"]
    assert task["record"]["companyId"] == company["id"] and task["record"]["status"] == "TODO"
    assert loose == "Give personId or companyId (or both)."
    rest = client.post("/rest/tasks", json={"title": "X", "status": "LATER"}).json()["message"]
    assert bad == rest
    assert [n["id"] for n in history["record"]["notes"]] == [note["record"]["id"]]
    assert history["timeline"][0]["type"] == "note.created"
    assert history["timeline"][0]["summary"] == {"title": "Call", "body": "Talked about pricing"}
    assert factories.events(db_url, note["record"]["id"])[0]["actor"]["via"] == "mcp"


def test_webhook_tools_read_the_hooks_and_their_deliveries(server, api_key, client):
    r = client.post("/rest/webhooks", json={"targetUrl": "https://example.com/hook"})
    assert r.status_code == 201, r.text
    hook = r.json()["data"]["createWebhook"]

    async def work(c: Client) -> Any:
        return (
            data(await c.call_tool("list_webhooks", {})),
            data(await c.call_tool("webhook_deliveries", {"webhookId": hook["id"]})),
            error(
                await c.call_tool("webhook_deliveries", {"webhookId": hook["id"], "status": "x"})
            ),
            error(await c.call_tool("webhook_deliveries", {})),
        )

    hooks, deliveries, bad_status, missing = run(server.url, api_key, work)
    assert [h["id"] for h in hooks["webhooks"]] == [hook["id"]]
    assert "secret" not in hooks["webhooks"][0]
    assert hooks["totalCount"] == 1 and hooks["hasMore"] is False
    assert deliveries["totalCount"] == len(deliveries["deliveries"])
    assert bad_status == "status must be one of pending, succeeded, failed"
    assert missing == "webhookId is required."


def test_resources_and_prompts(server, api_key, client):
    company = factories.company(client, name="Initech", domain="initech.com")
    person = factories.person(client, name="Peter Gibbons", companyId=company["id"])

    async def work(c: Client) -> Any:
        listed = await c.list_resources()
        templates = await c.list_resource_templates()
        schema = await c.read_resource("rolodex://schema")
        record = await c.read_resource(f"rolodex://people/{person['id']}")
        prompts = await c.list_prompts()
        summary = await c.get_prompt("summarise_account", {"companyId": company["id"]})
        follow = await c.get_prompt("plan_follow_up", {"personId": person["id"]})
        assert "create_task" in follow.messages[0].content.text
        with pytest.raises(MCPError) as unknown:
            await c.get_prompt("summarise", {})
        assert "Prompts are: summarise_account, plan_follow_up." in str(unknown.value)
        with pytest.raises(MCPError) as missing:
            await c.read_resource("rolodex://people/01a00000-0000-7000-8000-000000000000")
        return listed, templates, schema, record, prompts, summary, str(missing.value)

    listed, templates, schema, record, prompts, summary, missing = run(server.url, api_key, work)
    assert [str(r.uri) for r in listed.resources] == ["rolodex://schema"]
    assert "rolodex://people/{id}" in [t.uri_template for t in templates.resource_templates]
    assert json.loads(schema.contents[0].text)["objects"][0]["name"] == "person"
    body = json.loads(record.contents[0].text)
    assert (
        body["record"]["name"] == "Peter Gibbons" and body["record"]["company"]["name"] == "Initech"
    )
    assert {p.name for p in prompts.prompts} == {"summarise_account", "plan_follow_up"}
    message = summary.messages[0].content
    assert isinstance(message, types.TextContent) and "Peter Gibbons" in message.text
    assert "No person with id" in missing


def test_the_rate_limit_is_a_tool_error_with_rests_message(db_url):
    key = factories.make_key(db_url)
    with LiveServer(db_url, rate_limit=0.001, rate_burst=2) as live:

        async def work(c: Client) -> list[Any]:
            return [await c.call_tool("search", {"query": "x"}) for _ in range(3)]

        results = run(live.url, key, work)
        assert [r.is_error for r in results] == [False, False, True]
        message = error(results[2])
        assert message.startswith("Rate limit exceeded for this API key")
        assert results[2].structured_content["error"] == "RATE_LIMITED"
        assert results[2].structured_content["retryAfter"] > 0
        with factories.http(live.url, key) as rest:
            r = rest.get("/rest/people")
        assert r.status_code == 429
        assert r.json()["message"].split(":")[0] == message.split(":")[0]

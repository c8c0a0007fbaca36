"""/mcp: authentication, and the tools a key sees (its scopes, ?tools=)."""

from __future__ import annotations

from typing import Any

from mcp import Client

from tests import factories
from tests.mcp.conftest import error, run

READ_TOOLS = ["describe_schema", "search", "query_records", "get_record"]
WRITE_TOOLS = [
    "create_record",
    "update_record",
    "upsert_record",
    "delete_record",
    "add_note",
    "create_task",
]
WEBHOOK_TOOLS = ["list_webhooks", "webhook_deliveries"]


async def _names(c: Client) -> list[str]:
    return [t.name for t in (await c.list_tools()).tools]


def test_without_a_key_a_401_points_at_the_resource_metadata(server, anon):
    r = anon.post("/mcp", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert r.status_code == 401
    challenge = r.headers["www-authenticate"]
    assert challenge.startswith("Bearer ")
    assert f'resource_metadata="{server.url}/.well-known/oauth-protected-resource/mcp"' in challenge
    assert r.json()["error"] == "UNAUTHENTICATED"
    bad = anon.post("/mcp", json={}, headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401 and 'error="invalid_token"' in bad.headers["www-authenticate"]
    for path in (
        "/.well-known/oauth-protected-resource",
        "/.well-known/oauth-protected-resource/mcp",
    ):
        meta = anon.get(path)
        assert meta.status_code == 200
        body = meta.json()
        assert body["resource"] == server.url + "/mcp"
        assert body["bearer_methods_supported"] == ["header"]
        assert "record:read" in body["scopes_supported"]
        refused = anon.post(path)
        assert refused.status_code == 405 and refused.headers["allow"] == "GET, HEAD"


def test_a_full_key_sees_every_tool_with_its_annotations(server, api_key):
    async def work(c: Client) -> Any:
        return (await c.list_tools()).tools

    tools = {t.name: t for t in run(server.url, api_key, work)}
    assert list(tools) == READ_TOOLS + WRITE_TOOLS + WEBHOOK_TOOLS
    for name in READ_TOOLS + WEBHOOK_TOOLS:
        a = tools[name].annotations
        assert a.read_only_hint is True and a.destructive_hint is False, name
    for name in WRITE_TOOLS:
        assert tools[name].annotations.read_only_hint is False, name
    assert tools["delete_record"].annotations.destructive_hint is True
    assert tools["update_record"].annotations.idempotent_hint is True
    assert tools["create_record"].annotations.idempotent_hint is False
    for t in tools.values():
        assert t.input_schema["type"] == "object" and t.description
    people = tools["create_record"].input_schema["$defs"]["people"]
    assert "email" in people["properties"] and "consents" not in people["properties"]
    assert "people" in tools["query_records"].input_schema["properties"]["object"]["enum"]


def test_scopes_decide_the_tools(server, db_url):
    cases = {
        ("record:read",): READ_TOOLS,
        ("record:read-write",): READ_TOOLS + WRITE_TOOLS,
        ("metadata:read",): ["describe_schema"],
        ("webhook:read",): WEBHOOK_TOOLS,
        ("record:read", "webhook:read"): READ_TOOLS + WEBHOOK_TOOLS,
    }
    for scopes, expected in cases.items():
        key = factories.make_key(db_url, list(scopes))
        assert run(server.url, key, _names) == expected, scopes


def test_a_read_only_key_cannot_call_a_write_tool(server, db_url):
    key = factories.make_key(db_url, ["record:read"])

    async def work(c: Client) -> Any:
        return await c.call_tool("create_record", {"object": "people", "data": {"name": "X"}})

    assert error(run(server.url, key, work)) == "This API key lacks the 'record:read-write' scope."


def test_tools_query_parameter_loads_a_subset(server, api_key, client):
    assert run(server.url, api_key, _names, tools="search,get_record") == ["search", "get_record"]

    async def outside(c: Client) -> Any:
        return await c.call_tool("create_record", {"object": "people", "data": {"name": "X"}})

    message = error(run(server.url, api_key, outside, tools="search"))
    assert message.startswith("Unknown tool 'create_record'.")
    r = client.post("/mcp?tools=serch", json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
    assert r.status_code == 404
    assert "Did you mean 'search'?" in r.json()["message"]


def test_a_subset_and_scopes_combine(server, db_url):
    key = factories.make_key(db_url, ["record:read"])
    assert run(server.url, key, _names, tools="search,create_record") == ["search"]


def test_only_post_is_served_on_mcp(client):
    for method in ("GET", "DELETE", "PUT"):
        r = client.request(method, "/mcp", headers={"Accept": "text/event-stream"})
        assert r.status_code == 405 and r.headers["allow"] == "POST", method

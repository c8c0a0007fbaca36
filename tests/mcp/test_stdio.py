"""``rolodex mcp``: the MCP server on stdio, as a subprocess, driven by the SDK's client."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, TypeVar

from mcp import Client, StdioServerParameters

import rolodex
from tests import factories
from tests.mcp.conftest import data, error

T = TypeVar("T")
SRC = str(Path(rolodex.__file__).parents[1])
COMMAND = [sys.executable, "-m", "rolodex.cli.main", "mcp"]


def _env(key: str | None, **settings: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROLODEX_")}
    env.update({f"ROLODEX_{k.upper()}": v for k, v in settings.items()})
    env["PYTHONPATH"] = os.pathsep.join([SRC, env.get("PYTHONPATH", "")])
    if key:
        env["ROLODEX_API_KEY"] = key
    return env


def stdio(
    args: list[str], key: str | None, work: Callable[[Client], Awaitable[T]], **settings: str
) -> T:
    params = StdioServerParameters(
        command=COMMAND[0], args=[*COMMAND[1:], *args], env=_env(key, **settings), cwd=SRC
    )

    async def main() -> T:
        async with Client(params, cache=None) as client:
            return await work(client)

    return asyncio.run(main())


async def _names(c: Client) -> list[str]:
    return [t.name for t in (await c.list_tools()).tools]


def test_stdio_on_the_local_database(db_url, api_key):
    async def work(c: Client) -> Any:
        names = await _names(c)
        made = data(
            await c.call_tool(
                "create_record", {"object": "people", "data": {"name": "Stdio", "email": "s@x.com"}}
            )
        )
        found = data(await c.call_tool("search", {"query": "s@x.com"}))
        bad = error(await c.call_tool("query_records", {"object": "people", "limit": 0}))
        schema = await c.read_resource("rolodex://schema")
        return names, made, found, bad, schema

    names, made, found, bad, schema = stdio(["--database", db_url], api_key, work)
    assert len(names) == 12
    assert made["record"]["createdBy"]["via"] == "mcp"
    assert [h["id"] for h in found["results"]] == [made["record"]["id"]]
    assert bad == "limit must be between 1 and 100, got 0"
    assert schema.contents[0].text.startswith("{")
    events = factories.events(db_url, made["record"]["id"])
    assert [e["type"] for e in events] == ["person.created"]
    assert events[0]["actor"]["via"] == "mcp"


def test_stdio_scopes_and_tools_subset(db_url):
    key = factories.make_key(db_url, ["record:read"])
    subset = ["--database", db_url, "--tools", "search,create_record,get_record"]
    assert stdio(subset, key, _names) == ["search", "get_record"]
    assert stdio(["--database", db_url], key, _names) == [
        "describe_schema",
        "search",
        "query_records",
        "get_record",
    ]


def test_stdio_refuses_a_bad_key_or_tool_before_serving(db_url, api_key):
    def start(args: list[str], key: str | None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*COMMAND, "--database", db_url, *args],
            env=_env(key),
            capture_output=True,
            text=True,
            timeout=60,
            stdin=subprocess.DEVNULL,
        )

    bad = start([], "rdx_not_a_key")
    assert bad.returncode == 1 and "The API key is not valid." in bad.stderr
    assert bad.stdout == ""  # stdout is the protocol's alone
    missing = start([], None)
    assert missing.returncode == 1 and "--key" in missing.stderr
    typo = start(["--tools", "serch"], api_key)
    assert typo.returncode == 1 and "Did you mean 'search'?" in typo.stderr


def test_stdio_remote_refuses_a_bad_key_with_the_servers_message(server):
    done = subprocess.run(
        [*COMMAND, "--url", server.url],
        env=_env("rdx_not_a_key"),
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert "answered 401: The API key is not valid." in done.stderr


def test_stdio_against_a_remote_server(server, api_key, client):
    async def work(c: Client) -> Any:
        names = await _names(c)
        made = data(
            await c.call_tool("create_record", {"object": "companies", "data": {"name": "Remote"}})
        )
        bad = error(await c.call_tool("query_records", {"object": "compnies"}))
        return names, made, bad

    names, made, bad = stdio(
        ["--url", server.url, "--tools", "create_record,query_records"], api_key, work
    )
    assert names == ["query_records", "create_record"]
    assert made["record"]["createdBy"]["via"] == "mcp"
    assert "Did you mean 'companies'?" in bad
    r = client.get(f"/rest/companies/{made['record']['id']}")
    assert r.json()["data"]["company"]["name"] == "Remote"


def test_stdio_stops_serving_a_key_revoked_while_it_runs(db_url, server, client):
    key = factories.make_key(db_url, ["record:read"], name="desktop agent")
    key_id = next(
        k["id"]
        for k in client.get("/rest/keys").json()["data"]["keys"]
        if k["name"] == "desktop agent"
    )

    async def work(c: Client) -> Any:
        before = await c.call_tool("search", {"query": "x"})
        assert client.delete(f"/rest/keys/{key_id}").status_code == 200
        after = await c.call_tool("search", {"query": "x"})
        return before, after

    before, after = stdio(["--database", db_url], key, work, key_cache_seconds="0")
    assert not before.is_error
    assert error(after) == "The API key has been revoked."

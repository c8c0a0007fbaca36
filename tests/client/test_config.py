"""Configuration, context managers, the lazy ``rolodex`` exports and the raw escape hatch."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys

import httpx
import pytest

import rolodex
from rolodex import AsyncClient, Client
from rolodex.client._base import normalise_base_url
from tests.client.scripted import Reply, Scripted

ENV = ("ROLODEX_API_KEY", "ROLODEX_BASE_URL", "TWENTY_API_KEY", "TWENTY_BASE_URL")


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_key_and_url_from_arguments_then_env(clean_env: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="ROLODEX_API_KEY"):
        Client()
    clean_env.setenv("TWENTY_API_KEY", "twenty-key")
    clean_env.setenv("TWENTY_BASE_URL", "http://twenty:3000/")
    with Client() as c:
        assert (c.config.api_key, c.config.base_url) == ("twenty-key", "http://twenty:3000")
    clean_env.setenv("ROLODEX_API_KEY", "rolodex-key")
    clean_env.setenv("ROLODEX_BASE_URL", "http://rolodex:9000/rest/")
    with Client() as c:
        assert (c.config.api_key, c.config.base_url) == ("rolodex-key", "http://rolodex:9000")
    with Client("arg-key", "http://arg:1", timeout=5, max_retries=7) as c:
        assert (c.config.api_key, c.config.base_url) == ("arg-key", "http://arg:1")
        assert c.config.timeout == 5 and c.config.max_retries == 7
    clean_env.delenv("ROLODEX_BASE_URL")
    clean_env.delenv("TWENTY_BASE_URL")
    with Client() as c:
        assert c.config.base_url == "http://localhost:8080"
    with pytest.raises(ValueError, match="max_retries"):
        Client("k", max_retries=-1)


def test_base_url_forms() -> None:
    assert normalise_base_url("http://h:8080/graphql/") == "http://h:8080"
    assert normalise_base_url(" http://h/api/ ") == "http://h/api"


def test_context_managers_close_connections() -> None:
    with Client("k", "http://x") as c:
        pass
    assert c._http.is_closed

    async def main() -> None:
        async with AsyncClient("k", "http://x") as ac:
            assert repr(ac) == "<AsyncClient http://x>"
        assert ac._http.is_closed

    asyncio.run(main())


def test_timeout_and_headers_reach_the_request() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(200, json={"data": {"keys": []}})

    transport = httpx.MockTransport(handler)
    with Client("k", "http://x", timeout=2.5, headers={"X-Trace": "1"}, transport=transport) as c:
        assert c.keys.list() == []
    request = seen[0]
    assert request.headers["authorization"] == "Bearer k"
    assert request.headers["x-trace"] == "1"
    assert request.headers["user-agent"].startswith("rolodex-python/")
    assert request.extensions["timeout"]["read"] == 2.5


def test_raw_requests() -> None:
    with Scripted(Reply(200, {"hello": "world"})) as srv, Client("k", srv.url) as c:
        assert c.request("GET", "/anything", params={"a": 1, "b": None}) == {"hello": "world"}
        assert c.request("post", "/x", json={"y": 1}) == {"hello": "world"}
    assert srv.seen[0].path == "/anything?a=1"
    assert (srv.seen[1].method, json.loads(srv.seen[1].body)) == ("POST", {"y": 1})


def test_unexpected_answers_raise_a_rolodex_error() -> None:
    from rolodex import RolodexError

    with (
        Scripted(Reply(200, {"nothing": "here"})) as srv,
        Client("k", srv.url) as c,
        pytest.raises(RolodexError, match="Unexpected answer"),
    ):
        c.people.get("p1")


def test_lazy_exports() -> None:
    assert rolodex.Client is Client and rolodex.AsyncClient is AsyncClient
    assert "Client" in dir(rolodex)
    with pytest.raises(AttributeError):
        rolodex.Nope  # noqa: B018
    # Importing the server package does not import the client.
    code = "import sys, rolodex; assert 'rolodex.client' not in sys.modules; print('ok')"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "ok"

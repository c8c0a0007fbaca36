"""Helpers for driving the MCP server with the SDK's own client."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import httpx2
import mcp_types as types
from mcp import Client
from mcp.client.streamable_http import streamable_http_client

T = TypeVar("T")


def connect(base_url: str, key: str | None, tools: str | None = None) -> Client:
    """A client of ``/mcp`` on a live server, with ``key`` as the bearer token."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    url = base_url + "/mcp" + (f"?tools={tools}" if tools else "")
    http = httpx2.AsyncClient(headers=headers, timeout=30)
    return Client(streamable_http_client(url, http_client=http), cache=None)


def run(
    base_url: str, key: str, work: Callable[[Client], Awaitable[T]], tools: str | None = None
) -> T:
    """Run ``work`` with a connected client, in a fresh event loop."""

    async def main() -> T:
        async with connect(base_url, key, tools) as client:
            return await work(client)

    return asyncio.run(main())


def data(result: types.CallToolResult) -> Any:
    """A successful call's structured result (failing with its message otherwise)."""
    assert not result.is_error, text(result)
    return result.structured_content


def text(result: types.CallToolResult) -> str:
    block = result.content[0]
    assert isinstance(block, types.TextContent)
    return block.text


def error(result: types.CallToolResult) -> str:
    """A tool error's message (failing if the call succeeded)."""
    assert result.is_error, result.structured_content
    return text(result)

"""Client fixtures: a ``Client`` on the live test server, and a way to run async scenarios."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from rolodex import AsyncClient, Client
from tests.conftest import LiveServer


@pytest.fixture
def rdx(server: LiveServer, api_key: str) -> Iterator[Client]:
    """The sync client, authenticated with an all-scopes key."""
    with Client(api_key, server.url, backoff=0.01) as c:
        yield c


@pytest.fixture
def run_async(
    server: LiveServer, api_key: str
) -> Callable[[Callable[[AsyncClient], Awaitable[Any]]], Any]:
    """``run_async(scenario)`` runs ``await scenario(async_client)`` on a fresh event loop."""

    def run(scenario: Callable[[AsyncClient], Awaitable[Any]]) -> Any:
        async def main() -> Any:
            async with AsyncClient(api_key, server.url, backoff=0.01) as c:
                return await scenario(c)

        return asyncio.run(main())

    return run

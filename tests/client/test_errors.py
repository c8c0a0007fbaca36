"""Error mapping against the live server: each status becomes its own exception class."""

from __future__ import annotations

import asyncio

import pytest

from rolodex import (
    AsyncClient,
    AuthenticationError,
    Client,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    RolodexError,
    ValidationError,
)
from tests import factories
from tests.conftest import LiveServer


def test_400_401_403_404_409(rdx: Client, server: LiveServer, db_url: str) -> None:
    with pytest.raises(ValidationError) as bad:
        rdx.people.create(name="X", nope=1)
    assert (bad.value.status, bad.value.code, bad.value.field) == (400, "VALIDATION_ERROR", "nope")
    assert "nope" in bad.value.message and isinstance(bad.value, RolodexError)
    assert str(bad.value).startswith("400 VALIDATION_ERROR: ")

    with Client("rdx_not_a_key", server.url) as anon, pytest.raises(AuthenticationError) as auth:
        anon.people.list()
    assert auth.value.status == 401 and auth.value.code == "UNAUTHENTICATED"

    reader = factories.make_key(db_url, scopes=["record:read"])
    with Client(reader, server.url) as c, pytest.raises(PermissionDeniedError) as denied:
        c.people.create(name="X")
    assert denied.value.status == 403 and denied.value.code == "FORBIDDEN"

    with pytest.raises(NotFoundError) as missing:
        rdx.people.get("0193b3a0-0000-7000-8000-000000000000")
    assert missing.value.status == 404 and missing.value.field == "id"
    with pytest.raises(NotFoundError) as route:
        rdx.objects("persons").list()
    assert "people" in route.value.message

    person = rdx.people.create(name="A", email="a@example.com")
    with pytest.raises(ConflictError) as clash:
        rdx.people.create(name="B", email="a@example.com")
    assert clash.value.status == 409 and clash.value.field == "email"
    assert clash.value.existing_id == person["id"]


def test_async_errors(run_async, server: LiveServer) -> None:
    async def scenario(c: AsyncClient) -> None:
        with pytest.raises(ValidationError):
            await c.people.create(name="X", nope=1)
        with pytest.raises(NotFoundError):
            await c.people.get("0193b3a0-0000-7000-8000-000000000000")
        await c.people.create(name="A", email="a@example.com")
        with pytest.raises(ConflictError):
            await c.people.create(name="B", email="a@example.com")
        async with AsyncClient("rdx_wrong", server.url) as anon:
            with pytest.raises(AuthenticationError):
                await anon.people.list()

    run_async(scenario)


def test_429_from_the_rate_limiter(db_url: str, api_key: str) -> None:
    with LiveServer(db_url, rate_limit=1, rate_burst=2) as live:
        with Client(api_key, live.url, max_retries=0) as c:
            c.people.list()
            c.people.list()
            with pytest.raises(RateLimitError) as info:
                c.people.list()
            assert info.value.status == 429 and info.value.code == "RATE_LIMITED"
            assert info.value.retry_after is not None and info.value.retry_after >= 1
        # With retries, the client waits as asked and gets through.
        with Client(api_key, live.url, max_retries=3) as c:
            assert c.people.list().total_count == 0

        async def main() -> None:
            async with AsyncClient(api_key, live.url, max_retries=0) as ac:
                for _ in range(3):
                    try:
                        await ac.people.list()
                    except RateLimitError as exc:
                        assert exc.retry_after
                        return
                raise AssertionError("no 429")

        asyncio.run(main())

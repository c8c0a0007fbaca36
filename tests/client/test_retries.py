"""Retries against a scripted local server: what is repeated, when, and what is not."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest

from rolodex import AsyncClient, Client
from rolodex.client import (
    APIConnectionError,
    APITimeoutError,
    ConflictError,
    RateLimitError,
    ServerError,
)
from tests.client.scripted import Reply, Scripted, error

PERSON = {"data": {"person": {"id": "p1", "name": "Ada"}}}
CREATED = {"data": {"createPerson": {"id": "p1", "name": "Ada"}}}
UNAVAILABLE = error(503, "UNAVAILABLE", "try later")


def fast(url: str, **kw: object) -> Client:
    kw.setdefault("backoff", 0.01)
    return Client("k", url, **kw)


def afast(url: str, **kw: object) -> AsyncClient:
    kw.setdefault("backoff", 0.01)
    return AsyncClient("k", url, **kw)


def test_429_waits_for_retry_after_then_succeeds() -> None:
    limited = Reply(429, {"statusCode": 429, "error": "RATE_LIMITED", "message": "slow"})
    limited.headers["Retry-After"] = "1"
    with Scripted(limited, Reply(200, PERSON)) as srv, fast(srv.url) as c:
        start = time.monotonic()
        assert c.people.get("p1") == {"id": "p1", "name": "Ada"}
        assert time.monotonic() - start >= 0.95
    assert srv.methods == ["GET", "GET"]
    assert srv.seen[0].headers["Authorization"] == "Bearer k"


def test_429_is_retried_even_for_a_plain_create() -> None:
    limited = Reply(429, {"error": "RATE_LIMITED", "message": "slow"}, {"Retry-After": "0"})
    with Scripted(limited, Reply(201, CREATED)) as srv, fast(srv.url) as c:
        assert c.people.create(name="Ada")["id"] == "p1"
    assert srv.methods == ["POST", "POST"]


def test_retry_after_beyond_the_cap_raises_at_once() -> None:
    limited = Reply(429, {"error": "RATE_LIMITED", "message": "slow"}, {"Retry-After": "120"})
    with (
        Scripted(limited) as srv,
        fast(srv.url, max_retry_after=60) as c,
        pytest.raises(RateLimitError) as info,
    ):
        c.people.get("p1")
    assert info.value.retry_after == 120 and info.value.status == 429
    assert info.value.code == "RATE_LIMITED"
    assert srv.methods == ["GET"]


def test_503_twice_then_200() -> None:
    with Scripted(UNAVAILABLE, UNAVAILABLE, Reply(200, PERSON)) as srv, fast(srv.url) as c:
        assert c.people.get("p1")["name"] == "Ada"
    assert srv.methods == ["GET"] * 3


def test_retries_run_out() -> None:
    with (
        Scripted(UNAVAILABLE) as srv,
        fast(srv.url, max_retries=2) as c,
        pytest.raises(ServerError) as info,
    ):
        c.people.list()
    assert info.value.status == 503 and info.value.message == "try later"
    assert len(srv.seen) == 3
    with (
        Scripted(UNAVAILABLE) as srv,
        fast(srv.url, max_retries=0) as c,
        pytest.raises(ServerError),
    ):
        c.people.list()
    assert len(srv.seen) == 1


def keys_sent(srv: Scripted) -> list[str | None]:
    return [seen.headers.get("Idempotency-Key") for seen in srv.seen]


def test_a_plain_create_is_retried_on_503_under_one_idempotency_key() -> None:
    # Each write that is not idempotent on its own carries a key made for the
    # call; its repeats send the same key, so the server runs it once.
    with Scripted(UNAVAILABLE) as srv, fast(srv.url, max_retries=2) as c:
        for attempt in (
            lambda: c.people.create(name="Ada"),
            lambda: c.keys.create("k2"),
            lambda: c.graphql("mutation { deletePerson(id: 1) { id } }"),
        ):
            with pytest.raises(ServerError):
                attempt()
    assert srv.methods == ["POST"] * 9
    keys = keys_sent(srv)
    assert all(keys) and [len(set(keys[i : i + 3])) for i in (0, 3, 6)] == [1, 1, 1]
    assert len(set(keys)) == 3  # one key per call


def test_idempotent_calls_send_no_key() -> None:
    with Scripted(Reply(200, PERSON)) as srv, fast(srv.url) as c:
        c.people.get("p1")
        c.people.update("p1", name="Ada")
        c.graphql("{ people { edges { node { id } } } }")
    assert keys_sent(srv) == [None, None, None]


def test_safe_posts_are_retried() -> None:
    ok = Reply(201, CREATED)
    # An upsert carrying the unique key.
    with Scripted(UNAVAILABLE, ok) as srv, fast(srv.url) as c:
        c.people.upsert(name="Ada", email="ada@example.com")
    assert srv.methods == ["POST", "POST"] and "upsert=true" in srv.seen[1].path
    # An upsert without it could create twice on its own: its key makes it safe.
    with Scripted(UNAVAILABLE, ok) as srv, fast(srv.url) as c:
        c.people.upsert(name="Ada")
    assert srv.methods == ["POST", "POST"] and len(set(keys_sent(srv))) == 1
    # A GraphQL query (not a mutation).
    with Scripted(UNAVAILABLE, Reply(200, {"data": {"people": []}})) as srv, fast(srv.url) as c:
        assert c.graphql("{ people { edges { node { id } } } }") == {"people": []}
    assert len(srv.seen) == 2


def test_a_repeated_create_with_id_that_clashes_fetches_the_record() -> None:
    rid = str(uuid.uuid4())
    clash = error(409, "CONFLICT", "Another record already has this unique value.")
    with Scripted(UNAVAILABLE, clash, Reply(200, PERSON)) as srv, fast(srv.url) as c:
        assert c.people.create(id=rid, name="Ada") == {"id": "p1", "name": "Ada"}
    assert srv.methods == ["POST", "POST", "GET"]
    assert srv.seen[2].path == f"/rest/people/{rid}"
    # A 409 on the first attempt is a real conflict.
    with Scripted(clash) as srv, fast(srv.url) as c, pytest.raises(ConflictError):
        c.people.create(id=rid, name="Ada")
    assert srv.methods == ["POST"]


def test_a_repeated_delete_that_finds_nothing_succeeded() -> None:
    gone = error(404, "NOT_FOUND", "No person with id p1.")
    with Scripted(UNAVAILABLE, gone) as srv, fast(srv.url) as c:
        assert c.people.delete("p1") == {"id": "p1"}
    assert srv.methods == ["DELETE", "DELETE"]


def test_non_json_error_bodies() -> None:
    with (
        Scripted(Reply(502, b"<html>Bad gateway</html>")) as srv,
        fast(srv.url, max_retries=0) as c,
        pytest.raises(ServerError) as info,
    ):
        c.people.get("p1")
    assert info.value.status == 502 and "Bad gateway" in info.value.message


def test_connection_errors() -> None:
    calls: list[str] = []

    def refuse_twice(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        if len(calls) <= 2:
            raise httpx.ConnectError("refused", request=request)
        return httpx.Response(201, json=CREATED)

    # Nothing was sent, so even a plain create is repeated.
    with Client("k", "http://x", backoff=0.01, transport=httpx.MockTransport(refuse_twice)) as c:
        assert c.people.create(name="Ada")["id"] == "p1"
    assert calls == ["POST"] * 3

    calls.clear()

    def read_timeout(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise httpx.ReadTimeout("slow", request=request)

    # The request may have landed: a plain create is repeated under its
    # Idempotency-Key (the server answers a repeat with the first answer), as a GET is.
    with Client("k", "http://x", backoff=0.01, transport=httpx.MockTransport(read_timeout)) as c:
        with pytest.raises(APITimeoutError):
            c.people.create(name="Ada")
        assert calls == ["POST"] * 4
        with pytest.raises(APIConnectionError):
            c.people.get("p1")
    assert calls == ["POST"] * 4 + ["GET"] * 4


def test_nothing_listening() -> None:
    with (
        Client("k", "http://127.0.0.1:9", max_retries=1, backoff=0.01) as c,
        pytest.raises(APIConnectionError) as info,
    ):
        c.people.list()
    assert info.value.status is None


def test_async_retries() -> None:
    limited = Reply(429, {"error": "RATE_LIMITED", "message": "slow"}, {"Retry-After": "1"})

    async def main() -> None:
        with Scripted(limited, Reply(200, PERSON)) as srv:
            async with afast(srv.url) as c:
                start = time.monotonic()
                assert (await c.people.get("p1"))["name"] == "Ada"
                assert time.monotonic() - start >= 0.95
            assert srv.methods == ["GET", "GET"]
        with Scripted(UNAVAILABLE, UNAVAILABLE, Reply(200, PERSON)) as srv:
            async with afast(srv.url) as c:
                assert (await c.people.get("p1"))["id"] == "p1"
            assert len(srv.seen) == 3
        with Scripted(UNAVAILABLE, Reply(201, CREATED)) as srv:
            async with afast(srv.url) as c:
                assert (await c.people.create(name="Ada"))["id"] == "p1"
            assert srv.methods == ["POST", "POST"] and len(set(keys_sent(srv))) == 1
        rid = str(uuid.uuid4())
        clash = error(409, "CONFLICT", "taken")
        with Scripted(UNAVAILABLE, clash, Reply(200, PERSON)) as srv:
            async with afast(srv.url) as c:
                assert (await c.people.create({"id": rid, "name": "Ada"}))["id"] == "p1"
            assert srv.methods == ["POST", "POST", "GET"]

    asyncio.run(main())

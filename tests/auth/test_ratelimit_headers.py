"""RateLimit-* headers on every authenticated response, and limits shared through Redis
(ROLODEX_REDIS_URL) by every process: two servers here, one budget."""

from __future__ import annotations

import socket

import pytest
from tests import factories
from tests.conftest import LiveServer

REDIS = "redis://127.0.0.1:6379/0"


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


needs_redis = pytest.mark.skipif(not _redis_reachable(), reason="no Redis at 127.0.0.1:6379")


def _quota(headers: object) -> tuple[int, int, int]:
    h = headers  # httpx.Headers
    assert h["ratelimit-remaining"] == h["x-ratelimit-remaining"]  # type: ignore[index]
    assert h["ratelimit-reset"] == h["x-ratelimit-reset"]  # type: ignore[index]
    return (
        int(h["ratelimit-limit"]),  # type: ignore[index]
        int(h["ratelimit-remaining"]),  # type: ignore[index]
        int(h["ratelimit-reset"]),  # type: ignore[index]
    )


def test_every_authenticated_response_says_what_is_left(db_url: str) -> None:
    key = factories.make_key(db_url)
    reader = factories.make_key(db_url, scopes=["record:read"])
    settings = {"rate_limit": 1, "rate_burst": 10, "workspace_rate_limit": 0}
    with LiveServer(db_url, **settings) as live, factories.http(live.url, key) as c:
        first = c.get("/rest/people")  # the hot path
        assert first.status_code == 200
        assert _quota(first.headers)[:2] == (10, 9)
        assert first.headers["x-ratelimit-limit"] == "1"
        # A Starlette route, GraphQL, the OpenAPI document and an error all say it too.
        for r in (
            c.get("/rest/metadata/objects"),
            c.post("/graphql", json={"query": "{ people { totalCount } }"}),
            c.get("/rest/open-api"),
            c.get("/rest/people?limit=nope"),
        ):
            assert "ratelimit-remaining" in r.headers, r.request.url
        limit, left, reset = _quota(c.get("/rest/people").headers)
        assert limit == 10 and left <= 4 and 1 <= reset <= 10
        with factories.http(live.url, reader) as ro:
            denied = ro.post("/rest/people", json={"name": {"firstName": "A"}})
            assert denied.status_code == 403 and "ratelimit-remaining" in denied.headers
        # No key, no quota to report.
        with factories.http(live.url, None) as anon:
            assert "ratelimit-remaining" not in anon.get("/rest/people").headers
        for _ in range(10):
            r = c.get("/rest/people")
        assert r.status_code == 429
        assert r.headers["ratelimit-remaining"] == "0"
        assert r.headers["ratelimit-reset"] == r.headers["retry-after"]
        assert r.headers["ratelimit-limit"] == "10"


def test_the_workspace_limit_shows_when_it_is_the_tighter(db_url: str) -> None:
    key = factories.make_key(db_url)
    settings = {"rate_limit": 100, "rate_burst": 100}
    with (
        LiveServer(db_url, workspace_rate_limit=1, workspace_rate_burst=5, **settings) as live,
        factories.http(live.url, key) as c,
    ):
        assert _quota(c.get("/rest/people").headers)[:2] == (5, 4)


@needs_redis
def test_two_processes_share_one_budget_through_redis(db_url: str) -> None:
    ws = factories.make_workspace(db_url)
    key = factories.make_key(db_url, workspace=ws)
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    settings = {"rate_limit": 0.5, "rate_burst": 6, "workspace_rate_limit": 0, "redis_url": REDIS}
    with (
        LiveServer(db_url, **settings) as one,
        LiveServer(db_url, **settings) as two,
        factories.http(one.url, key) as a,
        factories.http(two.url, key) as b,
    ):
        seen = []
        for i in range(6):
            r = (a if i % 2 else b).get("/rest/people")
            assert r.status_code == 200, r.text
            seen.append(int(r.headers["ratelimit-remaining"]))
        # One count over both servers: 5, 4, ... 0, not two counts of 6.
        assert seen == [5, 4, 3, 2, 1, 0]
        assert int(r.headers["ratelimit-limit"]) == 6
        assert 1 <= int(r.headers["ratelimit-reset"]) <= 12
        for c in (a, b):
            refused = c.get("/rest/people")
            assert refused.status_code == 429
            assert int(refused.headers["retry-after"]) >= 1
            assert refused.headers["ratelimit-remaining"] == "0"
        graphql = b.post("/graphql", json={"query": "{ people { totalCount } }"})
        assert graphql.status_code == 429
        # Another workspace's key has its own window.
        with factories.http(two.url, other) as c:
            assert c.get("/rest/people").status_code == 200


@needs_redis
def test_redis_shares_the_workspace_limit_across_keys(db_url: str) -> None:
    ws = factories.make_workspace(db_url)
    first = factories.make_key(db_url, workspace=ws)
    second = factories.make_key(db_url, workspace=ws)
    settings = {"rate_limit": 100, "rate_burst": 100, "redis_url": REDIS}
    with (
        LiveServer(db_url, workspace_rate_limit=0.5, workspace_rate_burst=4, **settings) as one,
        LiveServer(db_url, workspace_rate_limit=0.5, workspace_rate_burst=4, **settings) as two,
        factories.http(one.url, first) as a,
        factories.http(two.url, second) as b,
    ):
        statuses = [(a if i % 2 else b).get("/rest/people").status_code for i in range(5)]
        assert statuses == [200, 200, 200, 200, 429]
        assert "workspace" in b.get("/rest/people").json()["message"]


def test_an_unreachable_redis_falls_back_to_this_process(db_url: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # nothing listens there once closed
    key = factories.make_key(db_url)
    settings = {"rate_limit": 1, "rate_burst": 3, "workspace_rate_limit": 0}
    with (
        LiveServer(db_url, redis_url=f"redis://127.0.0.1:{port}/0", **settings) as live,
        factories.http(live.url, key) as c,
    ):
        statuses = [c.get("/rest/people") for _ in range(4)]
        assert [r.status_code for r in statuses] == [200, 200, 200, 429]
        assert statuses[0].headers["ratelimit-remaining"] == "2"

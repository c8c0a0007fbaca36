"""Rate limits a tenant cannot sidestep: per workspace as well as per key, failed
authentication throttled per client address, unknown keys remembered, memory bounded."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from tests import factories
from tests.conftest import LiveServer

from rolodex.auth.ratelimit import Buckets, FailureThrottle, RateLimiter
from rolodex.auth.service import Authenticator
from rolodex.kit.db import Database
from rolodex.kit.errors import RateLimited, Unauthenticated


def _scope(host: str, forwarded: str | None = None) -> dict[str, object]:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    return {"type": "http", "client": (host, 40000), "headers": headers}


# -- per workspace ---------------------------------------------------------------
def test_a_second_key_does_not_double_a_workspace_rate(db_url: str) -> None:
    ws = factories.make_workspace(db_url)
    first = factories.make_key(db_url, workspace=ws)
    second = factories.make_key(db_url, workspace=ws)
    elsewhere = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    settings = {"rate_limit": 100, "rate_burst": 100}
    with (
        LiveServer(db_url, workspace_rate_limit=0.5, workspace_rate_burst=4, **settings) as live,
        factories.http(live.url, first) as a,
        factories.http(live.url, second) as b,
    ):
        statuses = [(a if i % 2 else b).get("/rest/people").status_code for i in range(8)]
        assert statuses[:4] == [200] * 4 and 429 in statuses[4:], statuses
        r = b.get("/rest/people")
        assert r.status_code == 429
        assert "workspace" in r.json()["message"]
        assert int(r.headers["retry-after"]) >= 1
        assert r.headers["x-ratelimit-limit"] == "0.5"
        assert r.headers["x-ratelimit-remaining"] == "0"
        # Another workspace has its own budget.
        with factories.http(live.url, elsewhere) as c:
            assert c.get("/rest/people").status_code == 200


def test_graphql_and_openapi_count_against_the_workspace(db_url: str) -> None:
    ws = factories.make_workspace(db_url)
    key = factories.make_key(db_url, workspace=ws)
    with (
        LiveServer(db_url, rate_limit=0, workspace_rate_limit=0.5, workspace_rate_burst=2) as live,
        factories.http(live.url, key) as c,
    ):
        assert c.post("/graphql", json={"query": "{ people { totalCount } }"}).status_code == 200
        assert c.get("/rest/open-api").status_code == 200
        r = c.post("/graphql", json={"query": "{ people { totalCount } }"})
        assert r.status_code == 429 and r.headers["x-ratelimit-limit"] == "0.5"
        assert c.get("/rest/open-api").status_code == 429


def test_check_takes_a_cost_and_charges_the_key_s_workspace() -> None:
    limiter = RateLimiter(1, 10, 1, 20)
    key, other_key, ws = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    limiter.check(key, ws, cost=6)
    # Without a workspace, the one the key was last checked with pays too.
    limiter.check(key, cost=3)
    with pytest.raises(RateLimited) as info:
        limiter.check(key, cost=3)  # the key has about 1 left
    assert info.value.retry_after >= 1
    limiter.check(other_key, ws, cost=10)
    with pytest.raises(RateLimited, match="workspace"):
        limiter.check(uuid.uuid4(), ws, cost=5)  # the workspace has about 1 left
    # A refused request takes nothing: the workspace still has its token.
    limiter.check(uuid.uuid4(), ws)


def test_a_request_costing_more_than_a_burst_passes_on_a_full_bucket() -> None:
    limiter = RateLimiter(1, 5)
    key = uuid.uuid4()
    limiter.check(key, cost=50)
    with pytest.raises(RateLimited) as info:
        limiter.check(key)
    assert info.value.retry_after >= 45


def test_zero_disables_each_limit() -> None:
    limiter = RateLimiter(0, 0, 0, 0)
    key, ws = uuid.uuid4(), uuid.uuid4()
    for _ in range(1000):
        limiter.check(key, ws)
    only_workspace = RateLimiter(0, 0, 1, 2)
    only_workspace.check(uuid.uuid4(), ws)
    only_workspace.check(uuid.uuid4(), ws)
    with pytest.raises(RateLimited):
        only_workspace.check(uuid.uuid4(), ws)


# -- memory ------------------------------------------------------------------------
def test_buckets_stay_within_their_bound_even_when_all_are_busy() -> None:
    buckets = Buckets(rate=0.001, burst=2, max_size=100)
    for i in range(20_000):
        bucket = buckets.get(i, now=1000.0)
        bucket[0] -= 1  # busy: far from refilled
        assert len(buckets) <= 100
    # The most recent stay; a swept one comes back full.
    assert buckets.table[19_999][0] == 1
    assert buckets.get(0, now=1000.0)[0] == 2


def test_sweeping_keeps_busy_buckets_and_drops_refilled_ones() -> None:
    buckets = Buckets(rate=1, burst=2, max_size=10)
    for i in range(5):
        buckets.get(("busy", i), now=100.0)[0] = 0
    for i in range(5):
        buckets.get(("idle", i), now=0.0)
    buckets.get("new", now=100.5)
    assert all(("busy", i) in buckets.table for i in range(5))
    assert not any(("idle", i) in buckets.table for i in range(5))


def test_limiters_bound_thousands_of_workspaces_keys_and_addresses() -> None:
    limiter = RateLimiter(1, 2, 1, 2, max_buckets=50)
    for _ in range(5000):
        limiter.check(uuid.uuid4(), uuid.uuid4())
    assert limiter.keys is not None and len(limiter.keys) <= 50
    assert limiter.workspaces is not None and len(limiter.workspaces) <= 50
    throttle = FailureThrottle(1, 2, max_buckets=50)
    for i in range(5000):
        throttle.failed(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}")
    assert throttle.buckets is not None and len(throttle.buckets) <= 50


# -- failed authentication ---------------------------------------------------------
def test_failed_keys_are_throttled_per_address_before_any_lookup(db_url: str) -> None:
    valid = factories.make_key(db_url)
    # The valid key must stay cached for the whole test, however slow the machine.
    settings = {"auth_failure_rate": 0.01, "auth_failure_burst": 3, "key_cache_seconds": 600.0}
    with LiveServer(db_url, **settings) as live:
        with factories.http(live.url, valid) as good:
            assert good.get("/rest/people").status_code == 200  # now cached as valid
        statuses = []
        for _ in range(5):
            with factories.http(live.url, f"rdx_{uuid.uuid4().hex}") as bad:
                statuses.append(bad.get("/rest/people"))
        assert [r.status_code for r in statuses[:3]] == [401] * 3
        limited = statuses[3]
        assert limited.status_code == 429, limited.text
        assert limited.json()["error"] == "RATE_LIMITED"
        assert int(limited.headers["retry-after"]) >= 1
        assert limited.headers["x-ratelimit-limit"] == "0.01"
        # GraphQL and the OpenAPI document share the address's budget.
        with factories.http(live.url, "rdx_nope") as bad:
            assert bad.post("/graphql", json={"query": "{__typename}"}).status_code == 429
            assert bad.get("/rest/open-api").status_code == 429
        # A key that is cached as valid still works from that address.
        with factories.http(live.url, valid) as good:
            assert good.get("/rest/people").status_code == 200


def _authenticator(db_url: str, **kwargs: object) -> tuple[Database, Authenticator]:
    db = Database(db_url, pool_size=1)
    return db, Authenticator(db, **kwargs)  # type: ignore[arg-type]


def test_unknown_keys_are_remembered_so_repeats_cost_no_lookup(db_url: str) -> None:
    async def main() -> None:
        db, authn = _authenticator(db_url)
        await db.open()
        for _ in range(2):  # the second is answered from the negative cache
            with pytest.raises(Unauthenticated):
                await authn.authenticate("Bearer rdx_unknown", _scope("10.0.0.1"))
        await db.close()
        # With the database gone, a repeat is still a plain 401: no lookup was made.
        with pytest.raises(Unauthenticated, match="not valid"):
            await authn.authenticate("Bearer rdx_unknown", _scope("10.0.0.1"))

    asyncio.run(main())


def test_an_address_out_of_failures_costs_no_lookup(db_url: str) -> None:
    async def main() -> None:
        db, authn = _authenticator(db_url, failures=FailureThrottle(0.01, 2))
        await db.open()
        for i in range(2):
            with pytest.raises(Unauthenticated):
                await authn.authenticate(f"Bearer rdx_bad{i}", _scope("10.0.0.2"))
        await db.close()
        # A new key from that address would need a lookup: refused before it.
        with pytest.raises(RateLimited):
            await authn.authenticate("Bearer rdx_fresh", _scope("10.0.0.2"))

    asyncio.run(main())


def test_the_negative_cache_is_bounded(db_url: str) -> None:
    async def main() -> None:
        db, authn = _authenticator(db_url)
        authn.MAX_UNKNOWN = 20
        await db.open()
        try:
            for i in range(200):
                with pytest.raises(Unauthenticated):
                    await authn.authenticate(f"Bearer rdx_{i}", _scope("10.0.0.3"))
                assert len(authn._unknown) <= 20
        finally:
            await db.close()

    asyncio.run(main())


def test_addresses_ipv6_blocks_and_trusted_proxies() -> None:
    plain = FailureThrottle(10, 50)
    assert plain.address(_scope("192.0.2.7")) == "192.0.2.7"
    # One host usually holds a whole /64; and a mapped IPv4 address is that address.
    assert plain.address(_scope("2001:db8::1")) == plain.address(_scope("2001:db8::ffff:2"))
    assert plain.address(_scope("2001:db8::1")) != plain.address(_scope("2001:db8:0:1::1"))
    assert plain.address(_scope("::ffff:192.0.2.7")) == "192.0.2.7"
    # Without trusted proxies, X-Forwarded-For is ignored: anyone can send it.
    assert plain.address(_scope("192.0.2.7", "203.0.113.9")) == "192.0.2.7"
    assert plain.address(None) == plain.address({"type": "http", "client": None}) == "-"
    proxied = FailureThrottle(10, 50, ["10.0.0.0/8"])
    assert proxied.address(_scope("10.1.2.3", "198.51.100.1, 203.0.113.9")) == "203.0.113.9"
    assert proxied.address(_scope("10.1.2.3", "203.0.113.9, 10.9.9.9")) == "203.0.113.9"
    assert proxied.address(_scope("192.0.2.7", "203.0.113.9")) == "192.0.2.7"

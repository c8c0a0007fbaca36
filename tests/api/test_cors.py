"""CORS: answered for the allowlist of ROLODEX_CORS_ORIGINS only, preflights included,
on the hot record routes as on the others; unset, no CORS header at all."""

from __future__ import annotations

from tests import factories
from tests.conftest import LiveServer

APP = "https://app.example.com"


def test_no_cors_headers_without_an_allowlist(server: LiveServer, api_key: str) -> None:
    with factories.http(server.url, api_key) as c:
        r = c.get("/rest/people", headers={"Origin": APP})
        assert r.status_code == 200
        assert "access-control-allow-origin" not in r.headers
        pre = c.options(
            "/rest/people", headers={"Origin": APP, "Access-Control-Request-Method": "POST"}
        )
        assert "access-control-allow-origin" not in pre.headers


def test_listed_origins_get_answers_and_preflights(db_url: str) -> None:
    key = factories.make_key(db_url)
    with (
        LiveServer(db_url, cors_origins=(APP, "http://localhost:3000")) as live,
        factories.http(live.url, key) as c,
    ):
        for path in ("/rest/people", "/rest/open-api", "/graphql"):
            pre = c.options(
                path,
                headers={
                    "Origin": APP,
                    "Access-Control-Request-Method": "POST",
                    "Access-Control-Request-Headers": "authorization, content-type, "
                    "idempotency-key",
                },
            )
            assert pre.status_code == 200, (path, pre.text)
            assert pre.headers["access-control-allow-origin"] == APP
            allowed = pre.headers["access-control-allow-headers"].lower()
            for name in ("authorization", "content-type", "idempotency-key"):
                assert name in allowed
            assert "PATCH" in pre.headers["access-control-allow-methods"]
        origin = {"Origin": APP}
        # A hot record route and a Starlette route both carry the headers.
        for r in (
            c.get("/rest/people", headers={"Origin": APP}),
            c.post("/graphql", json={"query": "{ people { totalCount } }"}, headers=origin),
        ):
            assert r.status_code == 200
            assert r.headers["access-control-allow-origin"] == APP
            exposed = r.headers["access-control-expose-headers"].lower()
            assert "ratelimit-remaining" in exposed and "idempotent-replayed" in exposed
        # Another origin: no allow header, so the browser withholds the response.
        r = c.get("/rest/people", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers
        pre = c.options(
            "/rest/people",
            headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "GET"},
        )
        assert pre.status_code == 400
        # Without an Origin header (not a browser), nothing changes.
        assert "access-control-allow-origin" not in c.get("/rest/people").headers

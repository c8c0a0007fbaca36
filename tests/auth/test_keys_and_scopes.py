"""API keys over HTTP: authentication, revocation, expiry, scopes, tenants, rate limits."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from tests import factories
from tests.conftest import LiveServer

from rolodex.auth import repository
from rolodex.auth import service as auth
from rolodex.auth.scopes import parse_scopes
from rolodex.kit import clock
from rolodex.kit.db import Conn


def new_key(
    db_url: str,
    scopes: list[str] | None = None,
    expires_in: float | None = None,
    workspace: uuid.UUID | None = None,
) -> tuple[uuid.UUID, uuid.UUID, str]:
    """A key made through the service: (workspace id, key id, secret)."""

    async def work(conn: Conn) -> tuple[uuid.UUID, uuid.UUID, str]:
        ws = workspace or (await auth.ensure_default_workspace(conn))[0]
        expires = clock.now() + timedelta(seconds=expires_in) if expires_in else None
        granted = parse_scopes(scopes) if scopes is not None else None
        key, secret = await auth.create_key(conn, ws, "made here", granted, expires)
        return ws, key.id, secret

    return factories.run_db(db_url, work)


def unauthenticated(r: httpx.Response) -> str:
    assert r.status_code == 401, r.text
    body = r.json()
    assert body["statusCode"] == 401 and body["error"] == "UNAUTHENTICATED"
    assert r.headers["www-authenticate"].startswith("Bearer")
    return str(body["message"])


def poll(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.1)
    return check()


def test_missing_bad_and_unknown_credentials(anon: httpx.Client, api_key: str) -> None:
    assert "Authorization" in unauthenticated(anon.get("/rest/people"))
    for header in (
        f"Basic {api_key}",
        f"Token {api_key}",
        "Bearer",
        api_key,
        "Bearer rdx_" + "x" * 43,
        "Bearer " + "y" * 5000,
        f"Bearer {api_key}x",
    ):
        r = anon.get("/rest/people", headers={"Authorization": header})
        unauthenticated(r)
    assert anon.post("/rest/people", json={"name": "X"}).status_code == 401
    ok = anon.get("/rest/people", headers={"Authorization": f"bearer {api_key}"})
    assert ok.status_code == 200


def test_healthz_needs_no_key(anon: httpx.Client) -> None:
    r = anon.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    r = anon.get("/readyz")
    assert r.status_code == 200 and r.json()["status"] == "ok"


def test_revoked_key_is_refused_within_the_cache_time(
    server: LiveServer, db_url: str, anon: httpx.Client
) -> None:
    ws, key_id, secret = new_key(db_url)
    headers = {"Authorization": f"Bearer {secret}"}
    assert anon.get("/rest/people", headers=headers).status_code == 200
    factories.run_db(db_url, lambda c: auth.revoke_key(c, ws, key_id))
    refused = poll(lambda: anon.get("/rest/people", headers=headers).status_code == 401, 2.0)
    assert refused, "a revoked key still worked after 2 s"
    assert "revoked" in unauthenticated(anon.get("/rest/people", headers=headers))


def test_expired_key_stops_working(server: LiveServer, db_url: str, anon: httpx.Client) -> None:
    with pytest.raises(Exception, match="future"):
        new_key(db_url, expires_in=-60)
    # Long enough that a slow first request still comes before the expiry; the
    # wait for the 401 runs from the expiry, not from a guess of how long things take.
    lifetime = 4.0
    _, _, secret = new_key(db_url, expires_in=lifetime)
    expires_at = time.monotonic() + lifetime
    headers = {"Authorization": f"Bearer {secret}"}
    assert anon.get("/rest/people", headers=headers).status_code == 200
    left = max(0.0, expires_at - time.monotonic())
    expired = poll(lambda: anon.get("/rest/people", headers=headers).status_code == 401, left + 10)
    assert expired, "an expired key still worked"
    assert "expired" in unauthenticated(anon.get("/rest/people", headers=headers))


def test_scopes(server: LiveServer, db_url: str) -> None:
    reader = factories.make_key(db_url, scopes=["record:read"])
    writer = factories.make_key(db_url, scopes=["record:read-write"])
    keys_only = factories.make_key(db_url, scopes=["key:read"])
    with factories.http(server.url, writer) as w:
        p = factories.person(w)
        assert w.get(f"/rest/people/{p['id']}").status_code == 200  # read-write implies read
        assert w.get("/rest/people").status_code == 200
        r = w.get("/rest/keys")
        assert r.status_code == 403 and r.json()["required_scope"] == "key:read"
    with factories.http(server.url, reader) as r_client:
        assert r_client.get("/rest/people").json()["totalCount"] == 1
        for method, path in (
            ("POST", "/rest/people"),
            ("POST", "/rest/batch/people"),
            ("PATCH", f"/rest/people/{p['id']}"),
            ("DELETE", f"/rest/people/{p['id']}"),
        ):
            r = r_client.request(method, path, json={"name": "Nope"})
            assert r.status_code == 403, (method, path, r.text)
            body = r.json()
            assert body["error"] == "FORBIDDEN" and "record:read-write" in body["message"]
    with factories.http(server.url, keys_only) as k:
        assert k.get("/rest/people").status_code == 403
        assert k.get("/rest/keys").status_code == 200
    assert len(factories.events(db_url)) == 1


def test_tenant_isolation(server: LiveServer, client: httpx.Client, db_url: str) -> None:
    acme = factories.company(client, name="Acme Corp", domain="acme.com")
    mine = factories.person(client, name="Mine", email="me@acme.com", companyId=acme["id"])
    other_ws = factories.make_workspace(db_url)
    with factories.http(server.url, factories.make_key(db_url, workspace=other_ws)) as other:
        theirs = factories.person(other, name="Theirs", email="me@acme.com")
        for method, body in (("GET", None), ("PATCH", {"name": "Hacked"}), ("DELETE", None)):
            r = other.request(method, f"/rest/people/{mine['id']}", json=body)
            assert r.status_code == 404, (method, r.text)
            assert r.json()["statusCode"] == 404
        listed = other.get("/rest/people").json()
        assert [p["id"] for p in listed["data"]["people"]] == [theirs["id"]]
        assert listed["totalCount"] == 1
        assert other.get("/rest/companies").json()["totalCount"] == 0
        r = other.post("/rest/people", json={"name": "X", "companyId": acme["id"]})
        assert r.status_code == 400 and r.json()["field"] == "companyId"
        r = other.patch(f"/rest/people/{theirs['id']}", json={"companyId": acme["id"]})
        assert r.status_code == 400 and r.json()["field"] == "companyId"
        # A filter naming the other workspace's ids finds nothing.
        r = other.get("/rest/people", params={"filter": f"id[eq]:{mine['id']}"})
        assert r.status_code == 200 and r.json()["totalCount"] == 0
        # Another workspace's keys are invisible and cannot be revoked.
        mine_keys = client.get("/rest/keys").json()["data"]["keys"]
        assert mine_keys[0]["id"] not in {k["id"] for k in other_keys(other)}
        assert other.delete(f"/rest/keys/{mine_keys[0]['id']}").status_code == 404
    got = client.get(f"/rest/people/{mine['id']}").json()["data"]["person"]
    assert got["name"] == "Mine" and got["companyId"] == acme["id"]
    assert client.get("/rest/people").json()["totalCount"] == 1


def other_keys(c: httpx.Client) -> list[dict[str, Any]]:
    return c.get("/rest/keys").json()["data"]["keys"]  # type: ignore[no-any-return]


def test_keys_rest_api(server: LiveServer, client: httpx.Client, db_url: str) -> None:
    listed = client.get("/rest/keys").json()["data"]["keys"]
    assert len(listed) == 1
    text = client.get("/rest/keys").text
    assert (
        "digest" not in text
        and '"key"' not in text
        and "rdx_" not in text.replace(listed[0]["prefix"], "")
    )
    r = client.post(
        "/rest/keys", json={"name": "zapier", "scopes": ["record:read"], "expiresAt": None}
    )
    assert r.status_code == 201, r.text
    made = r.json()["data"]["createKey"]
    assert made["key"].startswith("rdx_") and made["key"].startswith(made["prefix"])
    assert made["scopes"] == ["record:read"] and made["name"] == "zapier"
    assert all("key" not in k for k in other_keys(client))
    assert made["key"] not in client.get("/rest/keys").text
    with factories.http(server.url, made["key"]) as z:
        assert z.get("/rest/people").status_code == 200
        assert z.post("/rest/people", json={"name": "X"}).status_code == 403
    r = client.post("/rest/keys", json={"name": "bad", "scopes": ["record:admin"]})
    assert r.status_code == 400 and r.json()["field"] == "scopes"
    r = client.post("/rest/keys", json={"name": "bad", "expiresAt": "2000-01-01T00:00:00Z"})
    assert r.status_code == 400 and r.json()["field"] == "expiresAt"
    assert client.post("/rest/keys", json={"scopes": []}).status_code == 400
    for bad, field in (
        ({"name": "x", "expiresAt": "tomorrow"}, "expiresAt"),
        ({"name": "x", "scopes": "record:read"}, "scopes"),
        ({"name": "x" * 201}, "name"),
        ({"name": "x", "secret": "rdx_mine"}, "secret"),
    ):
        r = client.post("/rest/keys", json=bad)
        assert r.status_code == 400 and r.json()["field"] == field, r.text
    later = client.post("/rest/keys", json={"name": "later", "expiresAt": "2099-01-01T00:00:00Z"})
    assert later.status_code == 201
    assert later.json()["data"]["createKey"]["expiresAt"].startswith("2099-01-01T00:00:00")
    r = client.delete(f"/rest/keys/{made['id']}")
    assert r.status_code == 200 and r.json()["data"]["revokeKey"]["revokedAt"]
    with factories.http(server.url, made["key"]) as z:
        assert poll(lambda: z.get("/rest/people").status_code == 401, 2.0)
    assert client.delete(f"/rest/keys/{uuid.uuid4()}").status_code == 404
    assert client.delete("/rest/keys/not-a-uuid").status_code == 400


def test_revoke_with_trailing_slash(client: httpx.Client) -> None:
    made = client.post("/rest/keys", json={"name": "slash"}).json()["data"]["createKey"]
    r = client.delete(f"/rest/keys/{made['id']}/")
    assert r.status_code == 200, r.text


def test_key_management_needs_key_write(server: LiveServer, db_url: str) -> None:
    reader = factories.make_key(db_url, scopes=["key:read", "record:read-write"])
    with factories.http(server.url, reader) as c:
        assert c.get("/rest/keys").status_code == 200
        r = c.post("/rest/keys", json={"name": "escalate"})
        assert r.status_code == 403 and r.json()["required_scope"] == "key:read-write"
        own_id = other_keys(c)[0]["id"]
        assert c.delete(f"/rest/keys/{own_id}").status_code == 403
    limited = factories.make_key(db_url, scopes=["key:read-write"])
    with factories.http(server.url, limited) as c:
        # A key cannot mint a key with more power than it has.
        r = c.post("/rest/keys", json={"name": "more", "scopes": ["record:read"]})
        assert r.status_code == 400 and r.json()["field"] == "scopes"
        r = c.post("/rest/keys", json={"name": "same"})
        assert r.status_code == 201 and r.json()["data"]["createKey"]["scopes"] == [
            "key:read-write"
        ]


def test_last_used_at_is_written_on_shutdown(db_url: str) -> None:
    ws, key_id, secret = new_key(db_url)
    with LiveServer(db_url) as live, factories.http(live.url, secret) as c:
        assert c.get("/rest/people").status_code == 200
    keys = factories.run_db(db_url, lambda conn: repository.list_keys(conn, ws), write=False)
    used = next(k for k in keys if k.id == key_id)
    assert used.last_used_at is not None
    assert abs((clock.now() - used.last_used_at).total_seconds()) < 60


# The periodic flush is the same code on both backends (the shutdown test above covers
# each backend's SQL); one backend keeps this 5 s wait out of the other's run.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_last_used_at_is_flushed_while_running(server: LiveServer, client: httpx.Client) -> None:
    assert other_keys(client)[0]["lastUsedAt"] is None
    # The server writes remembered uses every 5 s.
    assert poll(lambda: other_keys(client)[0]["lastUsedAt"] is not None, 7.0)


def test_rate_limit(db_url: str, api_key: str) -> None:
    with (
        # One token every 2 s: six quick requests are limited however slow the machine.
        LiveServer(db_url, rate_limit=0.5, rate_burst=3) as live,
        factories.http(live.url, api_key) as c,
    ):
        statuses = [c.get("/rest/people") for _ in range(6)]
        limited = [r for r in statuses if r.status_code == 429]
        assert [r.status_code for r in statuses[:3]] == [200, 200, 200]
        assert limited, [r.status_code for r in statuses]
        r = limited[0]
        assert int(r.headers["retry-after"]) >= 1
        assert r.json()["statusCode"] == 429 and r.json()["error"] == "RATE_LIMITED"
        # Another key has its own bucket; health checks are not limited.
        with factories.http(live.url, factories.make_key(db_url)) as other:
            assert other.get("/rest/people").status_code == 200
        assert all(c.get("/healthz").status_code == 200 for _ in range(10))
        # The bucket refills: a request succeeds again once Retry-After has passed.
        wait = int(r.headers["retry-after"]) + 10
        assert poll(lambda: c.get("/rest/people").status_code == 200, wait)

"""Idempotency-Key on REST writes and GraphQL over POST: replays answer without redoing the
work, another body is a 422, a key still in flight a 409; keys are per workspace and API key."""

from __future__ import annotations

import hashlib
import time
import uuid
from typing import Any

import httpx
import orjson
import sqlalchemy as sa
from tests import factories
from tests.conftest import LiveServer

from rolodex.idempotency import repository
from rolodex.kit.db import Conn
from rolodex.kit.tables import api_key

PERSON = {"name": "Ada Lovelace"}


def _post(c: httpx.Client, key: str, body: Any, path: str = "/rest/people") -> httpx.Response:
    return c.post(path, json=body, headers={"Idempotency-Key": key})


def _people(c: httpx.Client) -> int:
    return int(c.get("/rest/people?count=exact").json()["totalCount"])


def test_a_replayed_create_is_answered_not_redone(client: httpx.Client, db_url: str) -> None:
    first = _post(client, "k-1", PERSON)
    assert first.status_code == 201, first.text
    assert "idempotent-replayed" not in first.headers
    again = _post(client, "k-1", PERSON)
    assert again.status_code == 201
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json()
    assert again.headers.get("location") == first.headers.get("location")
    assert again.headers["content-type"] == first.headers["content-type"]
    assert "ratelimit-remaining" in again.headers
    assert _people(client) == 1
    pid = next(iter(first.json()["data"].values()))["id"]
    created = [e for e in factories.events(db_url) if e["type"] == "person.created"]
    assert [e["record_id"] for e in created] == [pid]


def test_another_body_or_route_with_the_same_key_is_a_422(client: httpx.Client) -> None:
    assert _post(client, "k-2", PERSON).status_code == 201
    other = _post(client, "k-2", {**PERSON, "jobTitle": "Engineer"})
    assert other.status_code == 422
    assert other.json()["error"] == "IDEMPOTENCY_KEY_REUSED"
    assert other.json()["field"] == "Idempotency-Key"
    elsewhere = _post(client, "k-2", {"name": "Acme"}, "/rest/companies")
    assert elsewhere.status_code == 422
    assert _people(client) == 1
    assert client.get("/rest/companies?count=exact").json()["totalCount"] == 0


def test_patch_and_delete_replay(client: httpx.Client, db_url: str) -> None:
    pid = factories.create(client, "people", **PERSON)["id"]
    patch = client.patch(
        f"/rest/people/{pid}", json={"jobTitle": "Engineer"}, headers={"Idempotency-Key": "p"}
    )
    assert patch.status_code == 200
    # Changed meanwhile; the replay still answers what the first request got.
    client.patch(f"/rest/people/{pid}", json={"jobTitle": "Manager"})
    replay = client.patch(
        f"/rest/people/{pid}", json={"jobTitle": "Engineer"}, headers={"Idempotency-Key": "p"}
    )
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == patch.json()
    assert client.get(f"/rest/people/{pid}").json()["data"]["person"]["jobTitle"] == "Manager"
    gone = client.delete(f"/rest/people/{pid}", headers={"Idempotency-Key": "d"})
    assert gone.status_code == 200
    again = client.delete(f"/rest/people/{pid}", headers={"Idempotency-Key": "d"})
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    deleted = [e for e in factories.events(db_url, pid) if e["type"] == "person.deleted"]
    assert len(deleted) == 1


def test_errors_below_500_are_recorded_too(client: httpx.Client) -> None:
    bad = {"name": "A", "email": "not an email"}
    first = _post(client, "k-bad", bad)
    assert 400 <= first.status_code < 500
    again = _post(client, "k-bad", bad)
    assert again.status_code == first.status_code
    assert again.headers["idempotent-replayed"] == "true"


def test_keys_belong_to_a_workspace_and_an_api_key(db_url: str, server: LiveServer) -> None:
    ws = factories.make_workspace(db_url)
    mine = factories.make_key(db_url, workspace=ws)
    colleague = factories.make_key(db_url, workspace=ws)
    tenant = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    with (
        factories.http(server.url, mine) as a,
        factories.http(server.url, colleague) as b,
        factories.http(server.url, tenant) as t,
    ):
        assert _post(a, "shared", PERSON).status_code == 201
        for c in (b, t):
            r = _post(c, "shared", {**PERSON, "jobTitle": "Other"})
            assert r.status_code == 201 and "idempotent-replayed" not in r.headers
        assert _people(a) == 2  # mine and my colleague's
        assert _people(t) == 1
        assert _post(t, "shared", {**PERSON, "jobTitle": "Other"}).headers[
            "idempotent-replayed"
        ] == ("true")


def test_scopes_come_first_and_refusals_are_not_recorded(db_url: str, server: LiveServer) -> None:
    reader = factories.make_key(db_url, scopes=["record:read"])
    with factories.http(server.url, reader) as c:
        for _ in range(2):
            r = _post(c, "k-ro", PERSON)
            assert r.status_code == 403 and "idempotent-replayed" not in r.headers


def test_a_key_in_flight_is_a_409(client: httpx.Client, db_url: str) -> None:
    body = orjson.dumps(PERSON)
    headers = {"Idempotency-Key": "racing", "Content-Type": "application/json"}

    def hold(fingerprint: str) -> None:
        """Claim "racing" as a request still running would have."""

        async def work(conn: Conn) -> None:
            row = await conn.fetchrow(
                conn.db.compile(sa.select(api_key.c.id, api_key.c.workspace_id)), {}
            )
            assert row is not None
            now = int(time.time())
            await conn.execute(conn.db.compile(sa.delete(repository.idempotency_key)), {})
            values = {
                "workspace_id": uuid.UUID(str(row[1])),
                "api_key_id": uuid.UUID(str(row[0])),
                "key": "racing",
                "fingerprint": fingerprint,
                "state": "pending",
                "created_at": now,
                "expires_at": now + 60,
            }
            assert await repository.claim(conn, values)

        factories.run_db(db_url, work)

    hold("another request's")
    # Another body still running: the 422 comes first.
    assert client.post("/rest/people", content=body, headers=headers).status_code == 422
    digest = hashlib.sha256(b"POST\0/rest/people\0\0" + body).hexdigest()
    hold(digest)
    r = client.post("/rest/people", content=body, headers=headers)
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "IDEMPOTENCY_KEY_IN_FLIGHT"
    assert _people(client) == 0


def test_bad_keys_are_400s(client: httpx.Client) -> None:
    for key in ("x" * 256, "with space", ""):
        r = _post(client, key, PERSON)
        assert r.status_code == 400, (key, r.text)
        assert r.json()["field"] == "Idempotency-Key"
    assert _people(client) == 0
    # A GET ignores the header.
    r = client.get("/rest/people", headers={"Idempotency-Key": "x" * 300})
    assert r.status_code == 200


def test_keys_expire_and_large_answers_are_not_kept(db_url: str) -> None:
    key = factories.make_key(db_url)
    with (
        LiveServer(db_url, idempotency_hours=1 / 3600, idempotency_max_bytes=50) as live,
        factories.http(live.url, key) as c,
    ):
        assert _post(c, "big", PERSON).status_code == 201
        r = _post(c, "big", PERSON)
        assert r.status_code == 409 and r.json()["originalStatus"] == 201
        assert "too large" in r.json()["message"]
        time.sleep(2.1)
        # Expired: the key is free for another request, and the old row was purged.
        assert _post(c, "big", {**PERSON, "jobTitle": "New"}).status_code == 201
        assert _people(c) == 2

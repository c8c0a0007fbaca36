"""Errors on /v2 in Attio's shape, {status_code, type, code, message}; /rest keeps its own."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
import pytest
from tests import factories
from tests.conftest import LiveServer

ATTIO_KEYS = {"status_code", "type", "code", "message"}


def attio_error(r: httpx.Response, status: int, type_: str, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert ATTIO_KEYS <= set(body) <= ATTIO_KEYS | {"field", "required_scope", "accepted"}, body
    assert body["status_code"] == status
    assert (body["type"], body["code"]) == (type_, code), body
    assert isinstance(body["message"], str) and body["message"]
    return body  # type: ignore[no-any-return]


def test_400_validation_type(client: httpx.Client) -> None:
    r = client.post("/v2/webhooks", json={"data": {"target_url": "ftp://example.com/x"}})
    body = attio_error(r, 400, "invalid_request_error", "validation_type")
    assert body["field"] == "target_url"
    r = client.post(
        "/v2/webhooks", content=b"{not json", headers={"content-type": "application/json"}
    )
    attio_error(r, 400, "invalid_request_error", "validation_type")
    r = client.get("/v2/webhooks", params={"limit": "ten"})
    attio_error(r, 400, "invalid_request_error", "validation_type")
    r = client.post(
        "/v2/webhooks",
        json={
            "data": {
                "target_url": "https://example.com/w",
                "subscriptions": [{"event_type": "list-entry.created", "filter": None}],
            }
        },
    )
    body = attio_error(r, 400, "invalid_request_error", "validation_type")
    assert "record.created" in body["message"]


def test_401_unauthorized(anon: httpx.Client) -> None:
    for headers in ({}, {"Authorization": "Bearer nope"}):
        r = anon.get("/v2/webhooks", headers=headers)
        attio_error(r, 401, "auth_error", "unauthorized")
        assert r.headers["www-authenticate"].startswith("Bearer")


def test_403_missing_scope(server: LiveServer, db_url: str) -> None:
    key = factories.make_key(db_url, scopes=["webhook:read"])
    with factories.http(server.url, key) as c:
        assert c.get("/v2/webhooks").status_code == 200
        r = c.post("/v2/webhooks", json={"data": {"target_url": "https://example.com/w"}})
        body = attio_error(r, 403, "auth_error", "unauthorized")
        assert body["required_scope"] == "webhook:read-write"


def test_404_not_found(client: httpx.Client) -> None:
    r = client.get("/v2/webhooks/6d4e1f6b-6c37-4c61-9d3f-4a3c2f1e0a9b")
    attio_error(r, 404, "invalid_request_error", "not_found")
    r = client.delete("/v2/webhooks/6d4e1f6b-6c37-4c61-9d3f-4a3c2f1e0a9b")
    attio_error(r, 404, "invalid_request_error", "not_found")
    # A route that does not exist is a 404 in the same shape.
    attio_error(client.get("/v2/objects/people/records"), 404, "invalid_request_error", "not_found")


def test_405_and_415(client: httpx.Client) -> None:
    r = client.put("/v2/webhooks", json={})
    attio_error(r, 405, "invalid_request_error", "method_not_allowed")
    assert "POST" in r.headers["allow"]
    r = client.post("/v2/webhooks", content=b"x", headers={"content-type": "text/plain"})
    attio_error(r, 415, "invalid_request_error", "unsupported_media_type")


def test_422_idempotency_key_reused(client: httpx.Client) -> None:
    headers = {"Idempotency-Key": "attio-422"}
    first = {"data": {"target_url": "https://example.com/a", "subscriptions": []}}
    assert client.post("/v2/webhooks", json=first, headers=headers).status_code == 200
    again = client.post("/v2/webhooks", json=first, headers=headers)
    assert again.status_code == 200 and again.headers["idempotent-replayed"] == "true"
    other = {"data": {"target_url": "https://example.com/b", "subscriptions": []}}
    r = client.post("/v2/webhooks", json=other, headers=headers)
    attio_error(r, 422, "invalid_request_error", "idempotency_key_reused")


def test_a_recorded_error_replays_in_attio_shape(client: httpx.Client) -> None:
    headers = {"Idempotency-Key": "attio-400"}
    bad = {"data": {"target_url": "ftp://example.com/x"}}
    first = client.post("/v2/webhooks", json=bad, headers=headers)
    attio_error(first, 400, "invalid_request_error", "validation_type")
    replayed = client.post("/v2/webhooks", json=bad, headers=headers)
    assert replayed.json() == first.json()


def test_429_with_retry_after_as_a_date(db_url: str, api_key: str) -> None:
    with (
        # One token every 2 s: six quick requests are limited however slow the machine.
        LiveServer(db_url, rate_limit=0.5, rate_burst=3) as live,
        factories.http(live.url, api_key) as c,
    ):
        statuses = [c.get("/v2/webhooks") for _ in range(6)]
        limited = [r for r in statuses if r.status_code == 429]
        assert limited, [r.status_code for r in statuses]
        r = limited[0]
        attio_error(r, 429, "rate_limit_error", "rate_limit_exceeded")
        # Attio sends an HTTP date, the instant the limit resets.
        reset = parsedate_to_datetime(r.headers["retry-after"]).timestamp()
        assert time.time() - 1 <= reset <= time.time() + 3600
        assert r.headers["x-ratelimit-remaining"] == "0"
        # /rest keeps its own shape and seconds.
        rest = c.get("/rest/people")
        assert rest.status_code == 429
        assert rest.json()["error"] == "RATE_LIMITED" and int(rest.headers["retry-after"]) >= 1


def test_failed_authentications_are_limited_in_attio_shape(db_url: str) -> None:
    with (
        LiveServer(db_url, auth_failure_rate=0.5, auth_failure_burst=2) as live,
        httpx.Client(base_url=live.url, timeout=30) as c,
    ):
        codes = [c.get("/v2/webhooks", headers={"Authorization": "Bearer x"}) for _ in range(5)]
        attio_error(codes[0], 401, "auth_error", "unauthorized")
        limited = [r for r in codes if r.status_code == 429]
        assert limited, [r.status_code for r in codes]
        attio_error(limited[0], 429, "rate_limit_error", "rate_limit_exceeded")
        parsedate_to_datetime(limited[0].headers["retry-after"])


@pytest.mark.parametrize(
    "path", ["/rest/webhooks/6d4e1f6b-6c37-4c61-9d3f-4a3c2f1e0a9b", "/rest/nope"]
)
def test_rest_keeps_its_shape(client: httpx.Client, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    body = r.json()
    assert body["statusCode"] == 404 and body["error"] == "NOT_FOUND"
    assert "status_code" not in body


def test_409_uniqueness_conflict(client: httpx.Client) -> None:
    """Attio's rule: a (target URL, event type, filter) once per workspace, whatever the order
    of keys and conditions."""
    cond = [
        {"field": "id.object_id", "operator": "equals", "value": "people"},
        {"field": "actor.type", "operator": "equals", "value": "api-token"},
    ]
    sub = {"event_type": "record.created", "filter": {"$and": cond}}
    url = "https://example.com/unique"
    r = client.post("/v2/webhooks", json={"data": {"target_url": url, "subscriptions": [sub]}})
    assert r.status_code == 200, r.text
    reordered = {
        "filter": {"$and": [{"value": c["value"], **c} for c in reversed(cond)]},
        "event_type": "record.created",
    }
    r = client.post(
        "/v2/webhooks", json={"data": {"target_url": url, "subscriptions": [reordered]}}
    )
    body = attio_error(r, 409, "invalid_request_error", "uniqueness_conflict")
    assert body["field"] == "subscriptions[0]"
    twice = {"data": {"target_url": url + "/2", "subscriptions": [sub, reordered]}}
    attio_error(
        client.post("/v2/webhooks", json=twice), 409, "invalid_request_error", "uniqueness_conflict"
    )
    # Another URL, or another filter, is another subscription.
    other = {"data": {"target_url": url + "/2", "subscriptions": [sub]}}
    r = client.post("/v2/webhooks", json=other)
    assert r.status_code == 200, r.text
    second = r.json()["data"]["id"]["webhook_id"]
    r = client.patch(f"/v2/webhooks/{second}", json={"data": {"target_url": url}})
    attio_error(r, 409, "invalid_request_error", "uniqueness_conflict")
    # /rest does not apply Attio's rule.
    rest = client.post("/rest/webhooks", json={"targetUrl": url, "operations": ["person.created"]})
    assert rest.status_code == 201

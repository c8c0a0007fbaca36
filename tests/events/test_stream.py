"""The Server-Sent Events stream: live events with webhook bodies, filters, resume."""

from __future__ import annotations

import contextlib
import threading
from typing import Any

import httpx
import orjson
from tests import factories


def read_events(
    url: str,
    key: str,
    n: int,
    headers: dict[str, str] | None = None,
    params: dict[str, str] | None = None,
    timeout: float = 10,
    connected: threading.Event | None = None,
) -> list[dict[str, Any]]:
    """The first ``n`` SSE messages (id, event, data) of the stream.

    ``connected`` is set at the server's ``: connected`` comment: from then on,
    every new event is in the stream (it starts at the current end).
    """
    out: list[dict[str, Any]] = []
    hdrs = {"Authorization": f"Bearer {key}", **(headers or {})}
    with httpx.stream(
        "GET", f"{url}/rest/events/stream", headers=hdrs, params=params, timeout=timeout
    ) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
        msg: dict[str, Any] = {}
        for line in r.iter_lines():
            if line.startswith(":"):
                if line[1:].strip() == "connected" and connected is not None:
                    connected.set()
                continue
            if not line:
                if msg:
                    out.append(msg)
                    msg = {}
                    if len(out) == n:
                        return out
                continue
            field, _, value = line.partition(": ")
            msg[field] = value
    return out


def test_stream_delivers_webhook_bodies_and_resumes(server, api_key: str) -> None:  # type: ignore[no-untyped-def]
    got: list[dict[str, Any]] = []
    connected = threading.Event()

    def listen() -> None:
        got.extend(
            read_events(server.url, api_key, 2, params={"events": "person.*"}, connected=connected)
        )

    t = threading.Thread(target=listen)
    t.start()
    assert connected.wait(30), "the stream did not connect"  # it starts at the current end
    with factories.http(server.url, api_key) as c:
        factories.company(c, name="Acme")  # filtered out
        p = factories.person(c, name="Zoë Ünal 🚀")
        c.patch(f"/rest/people/{p['id']}", json={"jobTitle": "CTO"})
    t.join(15)
    assert [m["event"] for m in got] == ["person.created", "person.updated"]
    body = orjson.loads(got[0]["data"])
    assert body["event"] == "person.created" and body["data"]["name"] == "Zoë Ünal 🚀"
    assert body["recordId"] == p["id"] and body["eventId"]
    # Resuming after the first message gives the second again, and nothing before it.
    again = read_events(
        server.url,
        api_key,
        1,
        headers={"Last-Event-ID": got[0]["id"]},
        params={"events": "person.*"},
    )
    assert again[0]["id"] == got[1]["id"] and again[0]["data"] == got[1]["data"]
    # since=0 replays everything retained, company included when not filtered.
    everything = read_events(server.url, api_key, 3, params={"since": "0"})
    assert [m["event"] for m in everything] == [
        "company.created",
        "person.created",
        "person.updated",
    ]


def test_stream_auth_and_tenants(server, api_key: str, db_url: str) -> None:  # type: ignore[no-untyped-def]
    r = httpx.get(f"{server.url}/rest/events/stream")
    assert r.status_code == 401
    reader = factories.make_key(db_url, scopes=["record:read"])
    r = httpx.get(f"{server.url}/rest/events/stream", headers={"Authorization": f"Bearer {reader}"})
    assert r.status_code == 403
    r = httpx.get(
        f"{server.url}/rest/events/stream",
        params={"since": "abc"},
        headers={"Authorization": f"Bearer {api_key}"},
    )
    assert r.status_code == 400
    with factories.http(server.url, api_key) as c:
        factories.person(c)
    other = factories.make_key(db_url, workspace=factories.make_workspace(db_url))
    got: list[dict[str, Any]] = []

    def listen() -> None:
        with contextlib.suppress(httpx.ReadTimeout):
            got.extend(read_events(server.url, other, 1, params={"since": "0"}, timeout=2))

    t = threading.Thread(target=listen)
    t.start()
    t.join(5)
    assert got == []

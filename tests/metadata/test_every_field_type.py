"""Every custom field type end to end: written as a plain key and in the seed's
``customFields`` form (string values converted), read back, rejected when invalid,
and present in OpenAPI, GraphQL and webhook payloads."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from tests import factories
from tests.conftest import LiveServer
from tests.webhooks.helpers import make_hook
from tests.webhooks.receiver import Receiver

# type, extra definition, value, the same value as text, the value as read, an invalid value
CASES: list[tuple[str, dict[str, Any], Any, str, Any, Any]] = [
    ("TEXT", {}, "hello", "hello", "hello", 5),
    ("NUMBER", {}, 87, "87", 87, "lots"),
    ("BOOLEAN", {}, True, "true", True, "maybe"),
    ("DATE", {}, "2025-01-02", "2025-01-02", "2025-01-02", "soon"),
    (
        "DATE_TIME",
        {},
        "2025-01-02T03:04:05.000Z",
        "2025-01-02T03:04:05Z",
        "2025-01-02T03:04:05.000Z",
        "later",
    ),
    ("SELECT", {"options": ["HOT", "COLD"]}, "HOT", "HOT", "HOT", "WARM"),
    ("MULTI_SELECT", {"options": ["A", "B"]}, ["A", "B"], "A,B", ["A", "B"], ["C"]),
    ("EMAIL", {}, "ada@example.com", "ada@example.com", "ada@example.com", "not-an-email"),
    ("PHONE", {}, "+1-555-0123", "+1-555-0123", "+1-555-0123", "call me"),
    ("LINK", {}, "https://example.com", "https://example.com", "https://example.com", "not a link"),
    (
        "CURRENCY",
        {},
        {"amount": 12.5, "currencyCode": "EUR"},
        '{"amount": 12.5, "currencyCode": "EUR"}',
        {"amount": 12.5, "currencyCode": "EUR"},
        {"amount": "x"},
    ),
    ("RATING", {}, 4, "4", 4, 9),
    ("JSON", {}, {"a": [1, 2.5, "ü"]}, '{"a": [1, 2.5, "ü"]}', {"a": [1, 2.5, "ü"]}, None),
]


@pytest.fixture
def hooked(db_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    monkeypatch.setenv("ROLODEX_WEBHOOK_ALLOW_PRIVATE", "1")
    monkeypatch.setenv("ROLODEX_WEBHOOK_POLL", "0.05")
    monkeypatch.delenv("ROLODEX_DISPATCHER", raising=False)
    key = factories.make_key(db_url)
    with LiveServer(db_url) as server, Receiver() as rx, factories.http(server.url, key) as c:
        make_hook(c, rx.url, operations=["person.created"])
        yield c, rx


def test_every_type(hooked) -> None:  # type: ignore[no-untyped-def]
    client: httpx.Client
    client, rx = hooked
    for i, (ftype, extra, value, text, read, bad) in enumerate(CASES):
        name = f"f{ftype.lower().replace('_', '')}"
        r = client.post(
            "/rest/metadata/fields",
            json={"objectName": "person", "name": name, "type": ftype, **extra},
        )
        assert r.status_code == 201, (ftype, r.text)
        plain = factories.person(client, name=f"Plain {i}", **{name: value})
        assert plain[name] == read, ftype
        r = client.post(
            "/rest/people",
            json={"name": f"Text {i}", "customFields": [{"fieldId": name, "value": text}]},
        )
        assert r.status_code == 201, (ftype, r.text)
        assert r.json()["data"]["createPerson"][name] == read, ftype
        if bad is not None:
            r = client.post("/rest/people", json={"name": "Bad", name: bad})
            assert r.status_code == 400, (ftype, r.text)
            assert r.json()["field"] == name, (ftype, r.json())

    names = [f"f{t.lower().replace('_', '')}" for t, *_ in CASES]
    props = client.get("/rest/open-api").json()["components"]["schemas"]["Person"]["properties"]
    assert set(names) <= set(props)
    q = {"query": '{ __type(name: "Person") { fields { name } } }'}
    gql = {f["name"] for f in client.post("/graphql", json=q).json()["data"]["__type"]["fields"]}
    assert set(names) <= gql
    # A person carrying every field: its webhook payload shows them all.
    factories.person(
        client,
        name="Everything",
        **{n: value for (_, _, value, *_), n in zip(CASES, names, strict=True)},
    )
    deadline = time.monotonic() + 10
    bodies: list[Any] = []
    while not bodies and time.monotonic() < deadline:
        bodies = [b for b in rx.bodies() if b["data"]["name"] == "Everything"]
        time.sleep(0.05)
    assert bodies, "no webhook delivery for the person"
    data = bodies[0]["data"]
    for (ftype, _, _, _, read, _), name in zip(CASES, names, strict=True):
        assert data[name] == read, ftype


def test_filter_and_sort_on_custom_select_and_number(client: httpx.Client) -> None:
    for body in (
        {"objectName": "company", "name": "tier", "type": "SELECT", "options": ["GOLD", "SILVER"]},
        {"objectName": "company", "name": "score", "type": "NUMBER"},
    ):
        assert client.post("/rest/metadata/fields", json=body).status_code == 201
    for name, tier, score in (("A", "GOLD", 3), ("B", "SILVER", 9), ("C", "GOLD", None)):
        factories.company(client, name=name, tier=tier, **({"score": score} if score else {}))
    r = client.get(
        "/rest/companies", params={"filter": "tier[eq]:GOLD", "order_by": "score[DescNullsLast]"}
    )
    assert [c["name"] for c in r.json()["data"]["companies"]] == ["A", "C"]
    q = (
        '{ companies(filter: {tier: {in: ["GOLD", "SILVER"]}}, orderBy: {score: DESC}) '
        "{ edges { node { name } } } }"
    )
    got = client.post("/graphql", json={"query": q}).json()
    assert [e["node"]["name"] for e in got["data"]["companies"]["edges"]] == ["B", "A", "C"]

"""REST reads pass custom documents through as stored, and show what the registry says.

On PostgreSQL, a record whose document holds exactly the active custom fields
is written out from the document's stored text (``records.schemas.Spliced``);
every other record is built value by value. Both must read the same, on both
backends: every active custom field, null when unset, nothing deactivated.
"""

from __future__ import annotations

from typing import Any

import httpx
from tests import factories

FIELDS: list[dict[str, Any]] = [
    {"name": "score", "type": "NUMBER"},
    {"name": "motto", "type": "TEXT"},
    {"name": "vip", "type": "BOOLEAN"},
    {"name": "segments", "type": "MULTI_SELECT", "options": ["A", "B"]},
    {"name": "revenue", "type": "CURRENCY"},
    {"name": "extra", "type": "JSON"},
    {"name": "seen", "type": "DATE_TIME"},
]
VALUES: dict[str, Any] = {
    "score": 2.5,
    "motto": 'Ünïcode, "quotes", commas: and colons',
    "vip": False,
    "segments": ["B", "A"],
    "revenue": {"amount": 1200, "currencyCode": "EUR"},
    "extra": {"nested": [1, {"deep": None}], "n": 10},
    "seen": "2026-11-30T10:00:00.000Z",
}


def _fields(client: httpx.Client) -> dict[str, str]:
    ids = {}
    for body in FIELDS:
        r = client.post("/rest/metadata/fields", json={"objectName": "person", **body})
        assert r.status_code == 201, r.text
        ids[body["name"]] = r.json()["data"]["createField"]["id"]
    return ids


def _read(client: httpx.Client, pid: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The record as GET by id and as the list show it."""
    one = client.get(f"/rest/people/{pid}")
    listed = client.get("/rest/people", params={"filter": f"id[eq]:{pid}"})
    assert one.status_code == 200 and listed.status_code == 200, (one.text, listed.text)
    [from_list] = listed.json()["data"]["people"]
    return one.json()["data"]["person"], from_list


def test_complete_partial_and_empty_documents_read_alike(client: httpx.Client) -> None:
    _fields(client)
    full = factories.person(client, name="Full", **VALUES)
    partial = factories.person(client, name="Partial", score=7, segments=["A"])
    empty = factories.person(client, name="Empty")
    for made, expected in (
        (full, VALUES),
        (partial, {**dict.fromkeys(VALUES), "score": 7, "segments": ["A"]}),
        (empty, dict.fromkeys(VALUES)),
    ):
        for shown in _read(client, made["id"]):
            assert {k: shown[k] for k in VALUES} == expected
            assert {k: v for k, v in shown.items() if k not in VALUES} == {
                k: v for k, v in made.items() if k not in VALUES
            }
    # GraphQL builds every record value by value: REST must agree with it.
    got = client.post(
        "/graphql",
        json={"query": "{ people { edges { node { id score motto vip segments extra } } } }"},
    ).json()
    nodes = {e["node"]["id"]: e["node"] for e in got["data"]["people"]["edges"]}
    rest = {p["id"]: p for p in client.get("/rest/people").json()["data"]["people"]}
    for pid, node in nodes.items():
        assert {k: rest[pid][k] for k in node} == node


def test_stored_text_is_passed_through_on_postgresql(backend: str, client: httpx.Client) -> None:
    _fields(client)
    full = factories.person(client, name="Full", **VALUES)
    factories.person(client, name="Partial", score=7)
    body = client.get("/rest/people").content
    # PostgreSQL's text of a document spaces its items; records built value by
    # value are compact. So this shows which records were passed through.
    spaced = b'"extra": {"n": 10, "nested": [1, {"deep": null}]}'
    assert (spaced in body) is (backend == "postgresql")
    assert body.count(b'"score": ') == (1 if backend == "postgresql" else 0)
    assert body.count(b'"score":7') == 1
    one = client.get(f"/rest/people/{full['id']}").content
    assert (spaced in one) is (backend == "postgresql")


def test_a_field_added_later_reads_null_on_older_records(client: httpx.Client) -> None:
    _fields(client)
    p = factories.person(client, name="Before", **VALUES)
    r = client.post(
        "/rest/metadata/fields", json={"objectName": "person", "name": "later", "type": "TEXT"}
    )
    assert r.status_code == 201, r.text
    for shown in _read(client, p["id"]):
        assert shown["later"] is None and shown["score"] == 2.5
    after = factories.person(client, name="After", **VALUES, later="x")
    for shown in _read(client, after["id"]):
        assert shown["later"] == "x"


def test_deactivated_fields_stay_hidden_until_restored(backend: str, client: httpx.Client) -> None:
    ids = _fields(client)
    p = factories.person(client, name="Full", **VALUES)
    assert client.delete(f"/rest/metadata/fields/{ids['motto']}").status_code == 200
    for shown in _read(client, p["id"]):
        assert "motto" not in shown and shown["score"] == 2.5
    assert client.post(f"/rest/metadata/fields/{ids['motto']}/restore").status_code == 200
    for shown in _read(client, p["id"]):
        assert shown["motto"] == VALUES["motto"]
    # Purged: the value is gone from the document, and the rest reads as before.
    assert client.delete(f"/rest/metadata/fields/{ids['vip']}").status_code == 200
    for shown in _read(client, p["id"]):
        assert "vip" not in shown
    r = client.delete(f"/rest/metadata/fields/{ids['vip']}", params={"purge": "true"})
    assert r.status_code == 200, r.text
    for shown in _read(client, p["id"]):
        assert "vip" not in shown and shown["extra"] == VALUES["extra"]
    # With no deactivated values left, documents are passed through again.
    body = client.get(f"/rest/people/{p['id']}").content
    assert (b'"score": 2.5' in body) is (backend == "postgresql")


def test_order_by_a_custom_field_pages_with_cursors(client: httpx.Client) -> None:
    _fields(client)
    for n in range(5):
        factories.person(client, name=f"P{n}", **{**VALUES, "score": n})
    params: dict[str, Any] = {"order_by": "score[DescNullsLast]", "limit": 2}
    seen = []
    while True:
        page = client.get("/rest/people", params=params).json()
        seen += [p["score"] for p in page["data"]["people"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        params["starting_after"] = page["pageInfo"]["endCursor"]
    assert seen == [4, 3, 2, 1, 0]


def test_depth_one_nests_the_company(client: httpx.Client) -> None:
    _fields(client)
    company = factories.company(client, name="Acme")
    p = factories.person(client, name="Full", companyId=company["id"], **VALUES)
    got = client.get(f"/rest/people/{p['id']}", params={"depth": 1}).json()["data"]["person"]
    assert got["company"]["name"] == "Acme" and got["extra"] == VALUES["extra"]

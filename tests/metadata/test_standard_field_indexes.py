"""Standard fields are marked indexed through the metadata API, as custom fields are."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx
import psycopg
from tests import factories
from tests.api.test_errors import check_error
from tests.conftest import LiveServer

from rolodex.kit.db import sqlite_path


def _indexes(db_url: str, table: str) -> set[str]:
    if db_url.startswith("sqlite"):
        with sqlite3.connect(sqlite_path(db_url)) as conn:
            rows = conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = ?", (table,)
            ).fetchall()
    else:
        with psycopg.connect(db_url) as conn:
            rows = conn.execute(
                "SELECT indexname FROM pg_indexes WHERE tablename = %s", (table,)
            ).fetchall()
    return {r[0] for r in rows}


def _field(client: httpx.Client, fid: str) -> dict[str, Any]:
    got = client.get(f"/rest/metadata/fields/{fid}")
    assert got.status_code == 200, got.text
    return got.json()["data"]["field"]  # type: ignore[no-any-return]


def _patch(client: httpx.Client, fid: str, body: Any) -> httpx.Response:
    return client.patch(f"/rest/metadata/fields/{fid}", json=body)


def test_marking_a_standard_field_indexed_makes_and_drops_its_index(
    db_url: str, client: httpx.Client
) -> None:
    assert _field(client, "person.phone")["isIndexed"] is False
    assert not {n for n in _indexes(db_url, "person") if n.startswith("sx_person_phone")}
    got = _patch(client, "person.phone", {"isIndexed": True})
    assert got.status_code == 200, got.text
    assert got.json()["data"]["updateField"]["isIndexed"] is True
    made = {n for n in _indexes(db_url, "person") if n.startswith("sx_person_phone")}
    assert made == (
        {"sx_person_phone"}
        if db_url.startswith("sqlite")
        else {"sx_person_phone_nf", "sx_person_phone_nl"}
    )
    # The registry shows it: in the field, and in the object's description.
    assert _field(client, "person.phone")["isIndexed"] is True
    fields = client.get("/rest/metadata/objects/person").json()["data"]["object"]["fields"]
    assert next(f for f in fields if f["name"] == "phone")["isIndexed"] is True
    # Marking it again changes nothing; the filter works as before.
    assert _patch(client, "person.phone", {"isIndexed": True}).status_code == 200
    factories.person(client, name="Ada", phone="+44 20 7946 0000")
    listed = client.get("/rest/people", params={"filter": "phone[eq]:+44 20 7946 0000"})
    assert [p["name"] for p in listed.json()["data"]["people"]] == ["Ada"]
    # The change is audited like a custom field's.
    kinds = [e["type"] for e in factories.events(db_url) if e["type"].startswith("field.")]
    assert kinds == ["field.updated"], kinds
    got = _patch(client, "person.phone", {"isIndexed": False})
    assert got.status_code == 200 and got.json()["data"]["updateField"]["isIndexed"] is False
    assert not {n for n in _indexes(db_url, "person") if n.startswith("sx_person_phone")}
    assert _field(client, "person.phone")["isIndexed"] is False


def test_the_index_stays_while_another_workspace_marks_the_field(
    db_url: str, server: LiveServer, client: httpx.Client
) -> None:
    other_ws = factories.make_workspace(db_url, "other")
    with factories.http(server.url, factories.make_key(db_url, workspace=other_ws)) as other:
        assert _patch(client, "company.website", {"isIndexed": True}).status_code == 200
        assert _patch(other, "company.website", {"isIndexed": True}).status_code == 200
        # Each workspace sees its own choice.
        assert _patch(client, "company.website", {"isIndexed": False}).status_code == 200
        assert _field(client, "company.website")["isIndexed"] is False
        assert _field(other, "company.website")["isIndexed"] is True
        assert {n for n in _indexes(db_url, "company") if n.startswith("sx_company_website")}
        assert _patch(other, "company.website", {"isIndexed": False}).status_code == 200
    assert not {n for n in _indexes(db_url, "company") if n.startswith("sx_company_website")}


def test_built_in_indexes_are_never_dropped(db_url: str, client: httpx.Client) -> None:
    before = _indexes(db_url, "person")
    for fid in ("person.jobTitle", "person.email", "person.createdAt", "person.companyId"):
        assert _field(client, fid)["isIndexed"] is True, fid
        assert _patch(client, fid, {"isIndexed": True}).status_code == 200, fid
        err = check_error(_patch(client, fid, {"isIndexed": False}), 400)
        assert err.get("field") == "isIndexed" and "every workspace" in err["message"], err
    assert _indexes(db_url, "person") == before
    assert _field(client, "person.jobTitle")["isIndexed"] is True


def test_standard_field_mistakes_are_4xx(client: httpx.Client) -> None:
    mistakes: list[tuple[str, Any, int, str | None]] = [
        ("person.phone", {"label": "Tel"}, 400, "label"),
        ("person.phone", {"isIndexed": "yes"}, 400, "isIndexed"),
        ("person.phone", [True], 400, None),
        ("person.tags", {"isIndexed": True}, 400, "isIndexed"),
        ("person.nope", {"isIndexed": True}, 404, "id"),
        ("nothing.phone", {"isIndexed": True}, 404, "id"),
    ]
    for fid, body, status, field in mistakes:
        err = check_error(_patch(client, fid, body), status)
        assert field is None or err.get("field") == field, (fid, body, err)
    assert _field(client, "person.phone")["isIndexed"] is False

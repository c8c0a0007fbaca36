"""Standard fields are marked indexed through the metadata API, as custom fields are."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx
import psycopg
import pytest
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
    assert _field(client, "company.address")["isIndexed"] is False
    assert not {n for n in _indexes(db_url, "company") if n.startswith("sx_company_address")}
    got = _patch(client, "company.address", {"isIndexed": True})
    assert got.status_code == 200, got.text
    assert got.json()["data"]["updateField"]["isIndexed"] is True
    made = {n for n in _indexes(db_url, "company") if n.startswith("sx_company_address")}
    assert made == (
        {"sx_company_address"}
        if db_url.startswith("sqlite")
        else {"sx_company_address_nf", "sx_company_address_nl"}
    )
    # The registry shows it: in the field, and in the object's description.
    assert _field(client, "company.address")["isIndexed"] is True
    fields = client.get("/rest/metadata/objects/person").json()["data"]["object"]["fields"]
    assert next(f for f in fields if f["name"] == "phone")["isIndexed"] is True
    # Marking it again changes nothing; the filter works as before.
    assert _patch(client, "company.address", {"isIndexed": True}).status_code == 200
    factories.company(client, name="Acme", address="1 Main St")
    listed = client.get("/rest/companies", params={"filter": "address[eq]:1 Main St"})
    assert [c["name"] for c in listed.json()["data"]["companies"]] == ["Acme"]
    # The change is audited like a custom field's.
    kinds = [e["type"] for e in factories.events(db_url) if e["type"].startswith("field.")]
    assert kinds == ["field.updated"], kinds
    got = _patch(client, "company.address", {"isIndexed": False})
    assert got.status_code == 200 and got.json()["data"]["updateField"]["isIndexed"] is False
    assert not {n for n in _indexes(db_url, "company") if n.startswith("sx_company_address")}
    assert _field(client, "company.address")["isIndexed"] is False


def test_the_index_stays_while_another_workspace_marks_the_field(
    db_url: str, server: LiveServer, client: httpx.Client
) -> None:
    other_ws = factories.make_workspace(db_url, "other")
    with factories.http(server.url, factories.make_key(db_url, workspace=other_ws)) as other:
        assert _patch(client, "person.deletedAt", {"isIndexed": True}).status_code == 200
        assert _patch(other, "person.deletedAt", {"isIndexed": True}).status_code == 200
        # Each workspace sees its own choice.
        assert _patch(client, "person.deletedAt", {"isIndexed": False}).status_code == 200
        assert _field(client, "person.deletedAt")["isIndexed"] is False
        assert _field(other, "person.deletedAt")["isIndexed"] is True
        assert {n for n in _indexes(db_url, "person") if n.startswith("sx_person_deleted_at")}
        assert _patch(other, "person.deletedAt", {"isIndexed": False}).status_code == 200
    assert not {n for n in _indexes(db_url, "person") if n.startswith("sx_person_deleted_at")}


def test_built_in_indexes_are_never_dropped(db_url: str, client: httpx.Client) -> None:
    before = _indexes(db_url, "person")
    for fid in (
        "person.jobTitle",
        "person.email",
        "person.phone",
        "person.tags",
        "person.createdAt",
        "person.companyId",
        "task.completedAt",
    ):
        assert _field(client, fid)["isIndexed"] is True, fid
        assert _patch(client, fid, {"isIndexed": True}).status_code == 200, fid
        err = check_error(_patch(client, fid, {"isIndexed": False}), 400)
        assert err.get("field") == "isIndexed" and "every workspace" in err["message"], err
    assert _indexes(db_url, "person") == before
    assert _field(client, "person.jobTitle")["isIndexed"] is True


def test_standard_field_mistakes_are_4xx(client: httpx.Client) -> None:
    mistakes: list[tuple[str, Any, int, str | None]] = [
        ("company.address", {"label": "Tel"}, 400, "label"),
        ("company.address", {"isIndexed": "yes"}, 400, "isIndexed"),
        ("company.address", [True], 400, None),
        ("person.createdBy", {"isIndexed": True}, 400, "isIndexed"),
        ("note.body", {"isIndexed": True}, 400, "isIndexed"),
        ("person.nope", {"isIndexed": True}, 404, "id"),
        ("nothing.phone", {"isIndexed": True}, 404, "id"),
    ]
    for fid, body, status, field in mistakes:
        err = check_error(_patch(client, fid, body), status)
        assert field is None or err.get("field") == field, (fid, body, err)
    assert _field(client, "company.address")["isIndexed"] is False


def test_lists_read_the_index_a_workspace_asked_for(
    backend: str, db_url: str, server: LiveServer, client: httpx.Client
) -> None:
    """Filtered and ordered by a marked field, a list reads its index (PostgreSQL plans)."""
    if backend != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    from tests.records.test_query_plans import _plans

    assert _patch(client, "company.address", {"isIndexed": True}).status_code == 200
    companies = [{"name": f"C{i}", "address": f"{i} Main St"} for i in range(200)]
    assert client.post("/rest/batch/companies", json=companies).status_code == 201
    cache = server.app.state.rolodex.db._cache
    ws = str(next(iter(server.app.state.rolodex.registries._entries)))
    for params, value in (
        ({"filter": "address[eq]:42 Main St"}, "42 Main St"),
        ({"order_by": "address[DescNullsLast]"}, None),
        ({"order_by": "address[AscNullsLast]"}, None),
    ):
        before = set(cache)
        assert client.get("/rest/companies", params={**params, "limit": 5}).is_success
        [key] = [k for k in cache if k not in before and k[:3] == ("records", "company", "page")]
        sql = cache.get(key)
        assert sql is not None
        args = [{"ws": ws, "limit": 6}.get(n, value) for n in sql.names]
        [plan] = _plans(db_url, [sql], [args])
        assert "sx_company_address" in plan, (params, plan)


def test_graphql_marks_a_standard_field_indexed(client: httpx.Client) -> None:
    from tests.graphql.helpers import post

    doc = "mutation($id: ID!, $d: JSON!) { updateField(id: $id, data: $d) }"
    got = post(client, doc, {"id": "company.address", "d": {"isIndexed": True}})
    assert "errors" not in got and got["data"]["updateField"]["isIndexed"] is True, got
    assert _field(client, "company.address")["isIndexed"] is True
    got = post(client, doc, {"id": "company.address", "d": {"label": "Where"}})
    assert got["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT", got

"""``/rest/workspaces``: operators provision, suspend and delete workspaces; no one else can."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest

from rolodex.kit.db import Database
from rolodex.workspaces import service
from tests import factories
from tests.conftest import LiveServer
from tests.webhooks.helpers import eventually
from tests.webhooks.receiver import Receiver
from tests.workspaces.helpers import (
    OPERATOR,
    all_tables,
    create,
    fill,
    rows_per_table,
    workspace_row,
)

NOWHERE = "00000000-0000-7000-8000-000000000000"


@pytest.fixture
def op(server: LiveServer, db_url: str) -> Iterator[httpx.Client]:
    """An operator key's client (the key lives in the default workspace)."""
    with factories.http(server.url, factories.make_key(db_url, OPERATOR, name="ops")) as c:
        yield c


def test_operator_creates_lists_renames_and_mints(op: httpx.Client, server: LiveServer) -> None:
    made = create(op, "Acme")
    assert made["status"] == "active" and made["name"] == "Acme"
    key = made["key"]
    assert key["workspaceId"] == made["id"] and key["name"] == "default"
    assert "workspace:admin" not in key["scopes"] and "record:read-write" in key["scopes"]
    with factories.http(server.url, key["key"]) as c:
        factories.person(c, name="Acme person")
        assert c.get("/rest/people").json()["totalCount"] == 1

    bare = create(op, "Bare", createKey=False)
    assert bare["key"] is None
    chosen = str(uuid.uuid4())
    custom = create(op, "Chosen", id=chosen, createKey={"name": "ro", "scopes": ["record:read"]})
    assert custom["id"] == chosen and custom["key"]["scopes"] == ["record:read"]

    listed = op.get("/rest/workspaces").json()
    names = [w["name"] for w in listed["data"]["workspaces"]]
    assert {"Default", "Acme", "Bare", "Chosen"} <= set(names)
    assert all(w["status"] == "active" for w in listed["data"]["workspaces"])
    first = op.get("/rest/workspaces", params={"limit": 2}).json()
    assert len(first["data"]["workspaces"]) == 2 and first["pageInfo"]["hasNextPage"]
    rest = op.get("/rest/workspaces", params={"cursor": first["pageInfo"]["endCursor"]}).json()
    paged = [w["id"] for w in first["data"]["workspaces"] + rest["data"]["workspaces"]]
    assert paged == [w["id"] for w in listed["data"]["workspaces"]]
    assert not rest["pageInfo"]["hasNextPage"]
    offset = op.get("/rest/workspaces", params={"limit": 1, "offset": 1}).json()
    assert [w["id"] for w in offset["data"]["workspaces"]] == paged[1:2]

    got = op.get(f"/rest/workspaces/{made['id']}").json()["data"]["workspace"]
    assert got == {k: v for k, v in made.items() if k != "key"}
    r = op.patch(f"/rest/workspaces/{made['id']}", json={"name": "Acme Ltd"})
    assert r.status_code == 200 and r.json()["data"]["updateWorkspace"]["name"] == "Acme Ltd"

    r = op.post(f"/rest/workspaces/{bare['id']}/keys", json={"name": "first"})
    assert r.status_code == 201, r.text
    minted = r.json()["data"]["createKey"]
    assert minted["workspaceId"] == bare["id"]
    with factories.http(server.url, minted["key"]) as c:
        assert factories.person(c, name="Bare person")["name"] == "Bare person"
        assert c.get("/rest/people").json()["totalCount"] == 1


def test_keys_without_the_operator_scope_get_403_everywhere(
    client: httpx.Client, op: httpx.Client, server: LiveServer
) -> None:
    other = create(op, "Other")
    mine = create(op, "Mine")
    calls = [
        ("GET", "/rest/workspaces", None),
        ("POST", "/rest/workspaces", {"name": "Sneaky"}),
        ("GET", f"/rest/workspaces/{other['id']}", None),
        ("PATCH", f"/rest/workspaces/{other['id']}", {"status": "suspended"}),
        ("DELETE", f"/rest/workspaces/{other['id']}", None),
        ("POST", f"/rest/workspaces/{other['id']}/keys", {"name": "x"}),
        ("GET", f"/rest/workspaces/{mine['id']}", None),
        ("POST", f"/rest/workspaces/{mine['id']}/keys", {"name": "x"}),
    ]
    with factories.http(server.url, mine["key"]["key"]) as scoped:
        for c in (client, scoped):  # an `all` key of the default workspace, and of another
            for method, path, body in calls:
                r = c.request(method, path, json=body)
                assert r.status_code == 403, (method, path, r.text)
                assert r.json()["required_scope"] == "workspace:admin"
        # Asking for the operator scope through the workspace's key routes fails too.
        r = scoped.post("/rest/keys", json={"name": "x", "scopes": ["workspace:admin"]})
        assert r.status_code == 400
        r = scoped.post("/rest/keys", json={"name": "x", "scopes": ["all"]})
        assert "workspace:admin" not in r.json()["data"]["createKey"]["scopes"]
    assert op.get(f"/rest/workspaces/{other['id']}").json()["data"]["workspace"]["status"] == (
        "active"
    )
    names = {w["name"] for w in op.get("/rest/workspaces").json()["data"]["workspaces"]}
    assert "Sneaky" not in names


def test_suspend_blocks_the_workspace_everywhere_and_resume_restores(
    op: httpx.Client, client: httpx.Client, server: LiveServer
) -> None:
    ws = create(op, "Sleepy")
    with factories.http(server.url, ws["key"]["key"]) as c:
        factories.person(c, name="Before")
        r = op.patch(f"/rest/workspaces/{ws['id']}", json={"status": "suspended"})
        assert r.status_code == 200 and r.json()["data"]["updateWorkspace"]["status"] == (
            "suspended"
        )
        for method, path in (("GET", "/rest/people"), ("POST", "/rest/people")):
            r = c.request(method, path, json={"name": "x"} if method == "POST" else None)
            assert r.status_code == 403 and r.json()["error"] == "WORKSPACE_SUSPENDED", r.text
        r = c.post("/graphql", json={"query": "{ people { totalCount } }"})
        assert r.status_code == 403
        assert r.json()["errors"][0]["extensions"]["code"] == "WORKSPACE_SUSPENDED"
        with c.stream("GET", "/rest/events/stream") as s:
            assert s.status_code == 403
            assert b"WORKSPACE_SUSPENDED" in s.read()
        # Other workspaces are untouched.
        assert client.get("/rest/people").status_code == 200
        listed = op.get("/rest/workspaces", params={"status": "suspended"}).json()
        assert [w["id"] for w in listed["data"]["workspaces"]] == [ws["id"]]
        # A suspended workspace can still be given keys; they wait for the resume.
        r = op.post(f"/rest/workspaces/{ws['id']}/keys", json={"name": "later"})
        assert r.status_code == 201

        r = op.patch(f"/rest/workspaces/{ws['id']}", json={"status": "active"})
        assert r.status_code == 200
        assert c.get("/rest/people").json()["totalCount"] == 1


def test_delete_removes_every_row_of_that_workspace_only(
    op: httpx.Client, server: LiveServer, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ROLODEX_WEBHOOK_ALLOW_PRIVATE", "1")
    doomed, kept = create(op, "Doomed"), create(op, "Kept")
    with Receiver() as rx:
        for ws, tag in ((doomed, "doomed"), (kept, "kept")):
            with factories.http(server.url, ws["key"]["key"]) as c:
                fill(c, rx.url, tag)
                hooks = c.get("/rest/webhooks").json()["data"]["webhooks"]
                eventually(
                    lambda c=c, h=hooks[0]["id"]: c.get(f"/rest/webhooks/{h}/deliveries").json()[
                        "data"
                    ]["deliveries"]
                )
    before = rows_per_table(db_url, doomed["id"])
    kept_before = rows_per_table(db_url, kept["id"])
    filled = {t for t, n in before.items() if n}
    assert {"person", "company", "note", "task", "member", "event", "api_key"} <= filled
    assert {"custom_record", "field_metadata", "object_metadata"} <= filled
    assert set(before) == set(all_tables(db_url))

    r = op.delete(f"/rest/workspaces/{doomed['id']}")
    body = r.json()["data"]["deleteWorkspace"]
    if r.status_code == 200:  # done within the request, as a small workspace usually is
        assert body["status"] == "deleted" and body["deletedRows"] == sum(before.values())
    else:  # a slow machine can overrun the budget; the rest runs in the background
        assert r.status_code == 202 and body["status"] == "deleting", r.text
        eventually(lambda: op.get(f"/rest/workspaces/{doomed['id']}").status_code == 404)
    assert all(n == 0 for n in rows_per_table(db_url, doomed["id"]).values())
    assert not workspace_row(db_url, doomed["id"])
    assert rows_per_table(db_url, kept["id"]) == kept_before
    with factories.http(server.url, doomed["key"]["key"]) as c:
        assert c.get("/rest/people").status_code == 401
    with factories.http(server.url, kept["key"]["key"]) as c:
        assert c.get("/rest/people").json()["totalCount"] == 6
    assert op.get(f"/rest/workspaces/{doomed['id']}").status_code == 404
    assert op.delete(f"/rest/workspaces/{doomed['id']}").status_code == 404


def test_a_large_delete_answers_202_and_finishes_in_batches(
    op: httpx.Client, server: LiveServer, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server runs in this process: a tiny batch and no inline budget make
    # this small workspace take the path of a large one.
    monkeypatch.setattr(service, "BATCH_ROWS", 2)
    monkeypatch.setattr(service, "INLINE_SECONDS", 0.0)
    ws = create(op, "Big")
    with factories.http(server.url, ws["key"]["key"]) as c:
        for i in range(9):
            factories.person(c, name=f"p{i}")
        r = op.delete(f"/rest/workspaces/{ws['id']}")
        assert r.status_code == 202, r.text
        assert r.json()["data"]["deleteWorkspace"]["status"] == "deleting"
        # The keys stop at once, before the rows are gone.
        refused = c.get("/rest/people")
        assert refused.status_code in (401, 403)
        if refused.status_code == 403:
            assert refused.json()["error"] == "WORKSPACE_DELETED"
    eventually(lambda: op.get(f"/rest/workspaces/{ws['id']}").status_code == 404)
    left = {t: n for t, n in rows_per_table(db_url, ws["id"]).items() if n}
    assert not left, left  # the tables still holding the workspace's rows


def test_bad_requests_are_clear_4xx(op: httpx.Client, db_url: str) -> None:
    ws = create(op, "Named")
    cases = [
        ("POST", "/rest/workspaces", {"name": "Named"}, 409, "name"),
        ("POST", "/rest/workspaces", {"name": "x", "id": ws["id"]}, 409, "id"),
        ("POST", "/rest/workspaces", {"name": "x", "plan": "gold"}, 400, "plan"),
        ("POST", "/rest/workspaces", {"name": "  "}, 400, "name"),
        ("POST", "/rest/workspaces", {"name": 5}, 400, "name"),
        ("POST", "/rest/workspaces", {}, 400, "name"),
        ("POST", "/rest/workspaces", [], 400, None),
        ("POST", "/rest/workspaces", {"name": "x", "id": "nope"}, 400, "id"),
        ("POST", "/rest/workspaces", {"name": "x", "createKey": 3}, 400, "createKey"),
        ("POST", "/rest/workspaces", {"name": "x", "createKey": {"scopes": ["god"]}}, 400, None),
        ("POST", "/rest/workspaces", {"name": "x", "createKey": {"size": 1}}, 400, "size"),
        ("GET", f"/rest/workspaces/{NOWHERE}", None, 404, "id"),
        ("GET", "/rest/workspaces/not-a-uuid", None, 404, "id"),
        ("PATCH", f"/rest/workspaces/{NOWHERE}", {"name": "y"}, 404, "id"),
        ("PATCH", f"/rest/workspaces/{ws['id']}", {"status": "deleting"}, 400, "status"),
        ("PATCH", f"/rest/workspaces/{ws['id']}", {}, 400, None),
        ("PATCH", f"/rest/workspaces/{ws['id']}", {"owner": "x"}, 400, "owner"),
        ("PATCH", f"/rest/workspaces/{ws['id']}", {"name": "Default"}, 409, "name"),
        ("DELETE", f"/rest/workspaces/{NOWHERE}", None, 404, "id"),
        ("POST", f"/rest/workspaces/{NOWHERE}/keys", {"name": "k"}, 404, "id"),
        ("POST", f"/rest/workspaces/{ws['id']}/keys", {"name": "k", "x": 1}, 400, "x"),
        ("POST", f"/rest/workspaces/{ws['id']}/keys", {"scopes": []}, 400, "scopes"),
    ]
    for method, path, body, status, field in cases:
        r = op.request(method, path, json=body)
        assert r.status_code == status, (method, path, body, r.text)
        if field is not None:
            assert r.json().get("field") == field, (method, path, body, r.text)
    for params in ({"limit": "0"}, {"cursor": "x"}, {"status": "gone"}, {"sort": "name"}):
        assert op.get("/rest/workspaces", params=params).status_code == 400, params
    # The operator's own workspace cannot be suspended or deleted by its key.
    own = op.get("/rest/workspaces").json()["data"]["workspaces"][0]["id"]
    assert op.patch(f"/rest/workspaces/{own}", json={"status": "suspended"}).status_code == 409
    assert op.delete(f"/rest/workspaces/{own}").status_code == 409


def test_a_deletion_cut_short_resumes_when_the_server_starts(db_url: str) -> None:
    operator = factories.make_key(db_url, OPERATOR)  # in the default workspace
    ws = factories.make_workspace(db_url, "Interrupted")
    key = factories.make_key(db_url, workspace=ws)
    factories.run_db(db_url, lambda conn: service.start_delete(conn, ws))  # then "the crash"
    with LiveServer(db_url) as live, factories.http(live.url, operator) as op:
        eventually(lambda: op.get(f"/rest/workspaces/{ws}").status_code == 404)
        with factories.http(live.url, key) as c:
            assert c.get("/rest/people").status_code == 401
    assert all(n == 0 for n in rows_per_table(db_url, str(ws)).values())


def test_deleting_the_last_workspace_that_marked_a_field_drops_its_index(
    op: httpx.Client, server: LiveServer, db_url: str
) -> None:
    from tests.metadata.test_standard_field_indexes import _indexes

    first, second = create(op, "First"), create(op, "Second")
    for ws in (first, second):
        with factories.http(server.url, ws["key"]["key"]) as c:
            r = c.patch("/rest/metadata/fields/company.address", json={"isIndexed": True})
            assert r.status_code == 200, r.text

    def shared() -> set[str]:
        return {n for n in _indexes(db_url, "company") if n.startswith("sx_company_address")}

    assert shared()
    assert op.delete(f"/rest/workspaces/{first['id']}").status_code in (200, 202)
    eventually(lambda: op.get(f"/rest/workspaces/{first['id']}").status_code == 404)
    assert shared()  # the second workspace still asks for it
    assert op.delete(f"/rest/workspaces/{second['id']}").status_code in (200, 202)
    eventually(lambda: op.get(f"/rest/workspaces/{second['id']}").status_code == 404)
    assert not shared()


def test_a_short_batch_does_not_end_a_table(db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # A row updated while its batch deletes it (a key's "last used" flush
    # moves the row) is missed by that batch: the batch comes back short with
    # rows still there. Each table's first batch is made to miss all but one.
    from rolodex.workspaces import repository

    ws = factories.make_workspace(db_url, "Moving")
    for i in range(3):
        factories.make_key(db_url, workspace=ws, name=f"k{i}")
    factories.run_db(db_url, lambda conn: service.start_delete(conn, ws))
    real, seen = repository.delete_batch, set()

    async def short(conn: object, table: str, ws_id: uuid.UUID, size: int) -> int:
        first = table not in seen
        seen.add(table)
        return await real(conn, table, ws_id, 1 if first else size)  # type: ignore[arg-type]

    monkeypatch.setattr(repository, "delete_batch", short)
    asyncio.run(_purge(db_url, ws))
    left = {t: n for t, n in rows_per_table(db_url, str(ws)).items() if n}
    assert not left, left
    assert not workspace_row(db_url, str(ws))


async def _purge(db_url: str, ws: uuid.UUID) -> None:
    db = Database(db_url, pool_size=2)
    await db.open()
    try:
        assert (await service.purge(db, ws))[0]
    finally:
        await db.close()

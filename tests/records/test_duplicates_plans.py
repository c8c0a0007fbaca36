"""Duplicate groups read the index of names ignoring case (migration 0016), not the
workspace's records: no sequential scan, no sort, on either backend."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx
import psycopg
from tests import factories
from tests.conftest import LiveServer

from rolodex.kit.db import Sql, sqlite_path

OTHER = "00000000-0000-7000-8000-000000000042"
# People in the workspace under test and in another beside it, every tenth name
# shared (in another case) by the next record.
_SEED = """
    INSERT INTO person (workspace_id, id, name, created_at, updated_at, deleted_at)
    SELECT %(ws)s, gen_random_uuid(),
           CASE WHEN i %% 10 = 1 THEN 'NAME ' || (i - 1) ELSE 'Name ' || i END,
           now() - i * interval '1 minute', now(), CASE WHEN i %% 50 = 0 THEN now() END
    FROM generate_series(1, %(n)s) AS i"""

_SEED_CUSTOM = """
    INSERT INTO custom_record (workspace_id, object_id, id, custom, created_at, updated_at)
    SELECT %(ws)s, %(obj)s, gen_random_uuid(), jsonb_build_object('name', 'Deal ' || i),
           now(), now()
    FROM generate_series(1, %(n)s) AS i"""


def _pg_plan(db_url: str, sql: Sql, args: list[Any], sorted_: bool) -> str:
    """EXPLAIN with sequential scans (and with ``sorted_`` sorts) priced out: left in,
    no index fits."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")
        if sorted_:
            conn.execute("SET enable_sort = off")
        conn.execute(f"PREPARE q AS {sql.text}")
        quoted = [conn.execute("SELECT quote_nullable(%s::text)", (a,)).fetchone() for a in args]
        literals = ", ".join(q[0] for q in quoted if q is not None)
        rows = conn.execute(f"EXPLAIN EXECUTE q({literals})").fetchall()
        return "\n".join(r[0] for r in rows)


def _sqlite_plan(db_url: str, sql: Sql, args: list[Any]) -> str:
    with sqlite3.connect(sqlite_path(db_url)) as conn:
        rows = conn.execute(f"EXPLAIN QUERY PLAN {sql.text}", args).fetchall()
    return "\n".join(str(r[-1]) for r in rows)


def _statements(server: LiveServer, table: str) -> dict[str, list[Sql]]:
    cache = server.app.state.rolodex.db._cache
    out: dict[str, list[Sql]] = {}
    for key, sql in cache.items():
        if key[:2] == ("records", table) and key[2] in ("duplicate_keys", "with_keys"):
            out.setdefault(key[2], []).append(sql)
    return out


def _check(
    backend: str, db_url: str, sql: Sql, values: dict[str, Any], index: str, sorted_: bool
) -> None:
    """``sql`` reads ``index``, never the table; with ``sorted_`` it sorts nothing either
    (the groups come in the index's order; a group's few records are sorted by id)."""
    # SQLite's IN (:k0, :k1...) takes the one key the test asks for.
    args = [values.get(n, values.get(n.rstrip("0123456789"), sql.defaults[n])) for n in sql.names]
    if backend == "postgresql":
        plan = _pg_plan(db_url, sql, args, sorted_)
        assert "Seq Scan" not in plan, plan
        sorts = [line for line in plan.splitlines() if "Sort" in line and "Key" not in line]
        assert not (sorted_ and sorts), plan
    else:
        plan = _sqlite_plan(db_url, sql, args)
        assert not (sorted_ and "TEMP B-TREE" in plan), plan
    assert index in plan, plan


def test_duplicate_groups_of_people_walk_the_name_index(
    backend: str, db_url: str, server: LiveServer, client: httpx.Client
) -> None:
    factories.person(client, name="Ada Lovelace")
    factories.person(client, name="ADA LOVELACE")
    factories.person(client, name="Grace Hopper")
    factories.person(client, name="grace hopper")
    ws = str(server.app.state.rolodex.registries._entries.popitem()[0])
    if backend == "postgresql":
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(_SEED, {"ws": ws, "n": 20_000})
            conn.execute(_SEED, {"ws": OTHER, "n": 10_000})
            conn.execute("VACUUM ANALYZE person")
    page = client.get("/rest/people/duplicates", params={"limit": 1}).json()
    assert [g["value"] for g in page["data"]["duplicates"]] == ["ada lovelace"]
    after = page["pageInfo"]["endCursor"]
    r = client.get("/rest/people/duplicates", params={"limit": 1, "starting_after": after})
    assert r.is_success, r.text
    found = _statements(server, "person")
    # The first page and the page after a cursor; the records of each page's groups.
    assert len(found["duplicate_keys"]) == 2 and found["with_keys"]
    keys = "ada lovelace" if backend == "sqlite" else "{ada lovelace}"
    values = {"ws": ws, "limit": 2, "after": "ada lovelace", "k": keys, "per_key": 20}
    for key, statements in found.items():
        for sql in statements:
            _check(backend, db_url, sql, values, "ix_person_name_lower", key == "duplicate_keys")


def test_duplicate_groups_of_a_custom_object_walk_its_name_index(
    backend: str, db_url: str, server: LiveServer, client: httpx.Client
) -> None:
    r = client.post("/rest/metadata/objects", json={"nameSingular": "deal", "namePlural": "deals"})
    assert r.status_code == 201, r.text
    for name in ("Big One", "big one", "Other"):
        factories.create(client, "deals", name=name)
    groups = client.get("/rest/deals/duplicates").json()["data"]["duplicates"]
    assert [(g["value"], g["count"]) for g in groups] == [("big one", 2)]
    obj = client.get("/rest/metadata/objects/deal").json()["data"]["object"]["id"]
    ws = str(server.app.state.rolodex.registries._entries.popitem()[0])
    if backend == "postgresql":
        with psycopg.connect(db_url, autocommit=True) as conn:
            conn.execute(_SEED_CUSTOM, {"ws": ws, "obj": obj, "n": 10_000})
            conn.execute("VACUUM ANALYZE custom_record")
    found = _statements(server, "custom_record")
    values = {"ws": ws, "obj": obj, "limit": 2, "per_key": 20, "after": "big one"}
    values["k"] = "big one" if backend == "sqlite" else "{big one}"
    assert found["duplicate_keys"] and found["with_keys"]
    for key, statements in found.items():
        for sql in statements:
            index = "ix_custom_record_name_lower"
            _check(backend, db_url, sql, values, index, key == "duplicate_keys")

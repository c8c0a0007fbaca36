"""PostgreSQL serves list pages from indexes, without sorting the workspace's records."""

from __future__ import annotations

import sqlite3
from typing import Any

import httpx
import psycopg
import pytest
from tests.conftest import LiveServer

from rolodex.kit.db import Sql


def _plans(db_url: str, statements: list[Sql], params: list[list[Any]]) -> list[str]:
    """EXPLAIN of each statement with sorts and scans priced out: left in, no index fits."""
    out = []
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SET enable_sort = off")
        conn.execute("SET enable_seqscan = off")
        conn.execute("ANALYZE person")
        for n, (sql, args) in enumerate(zip(statements, params, strict=True)):
            conn.execute(f"PREPARE q{n} AS {sql.text}")
            quoted = [
                conn.execute("SELECT quote_nullable(%s::text)", (a,)).fetchone() for a in args
            ]
            literals = ", ".join(q[0] for q in quoted if q is not None)
            rows = conn.execute(f"EXPLAIN EXECUTE q{n}({literals})").fetchall()
            out.append("\n".join(r[0] for r in rows))
    return out


def _page_statements(server: LiveServer) -> list[Sql]:
    cache = server.app.state.rolodex.db._cache
    return [sql for key, sql in cache.items() if key[:3] == ("records", "person", "page")]


@pytest.mark.parametrize("order", [None, "createdAt[DescNullsFirst]", "createdAt"])
def test_pages_walk_an_index(
    backend: str, db_url: str, server: LiveServer, client: httpx.Client, order: str | None
) -> None:
    if backend != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    people = [{"name": f"P{i}", "email": f"p{i}@example.com"} for i in range(300)]
    assert client.post("/rest/batch/people", json=people).status_code == 201
    params = {"limit": 5, **({"order_by": order} if order else {})}
    first = client.get("/rest/people", params=params).json()
    after = first["pageInfo"]["endCursor"]
    assert client.get("/rest/people", params={**params, "starting_after": after}).is_success
    statements = _page_statements(server)
    # The first page, the page after a cursor, and the look back for hasPreviousPage.
    assert len(statements) == 3
    ws = str(server.app.state.rolodex.registries._entries.popitem()[0])
    row = first["data"]["people"][-1]
    args = [
        [ws if n == "ws" else 6 if n == "limit" else None for n in sql.names] for sql in statements
    ]
    # The cursor's values: the created time and the id of the last record shown.
    for sql, a in zip(statements, args, strict=True):
        values = iter([row["createdAt"], row["id"]] if order else [row["id"]])
        for i, n in enumerate(sql.names):
            if n not in ("ws", "limit", "obj"):
                a[i] = next(values)
    for plan in _plans(db_url, statements, args):
        # An incremental sort orders ties within the index's order (the id after a
        # descending createdAt) and stops at the limit; a full sort reads everything.
        full_sorts = [line for line in plan.splitlines() if "Sort" in line and "Key" not in line]
        assert all("Incremental Sort" in line for line in full_sorts), plan
        assert "Index Scan" in plan, plan


def test_filtered_lists_and_their_totals_use_the_field_index(
    backend: str, db_url: str, server: LiveServer, client: httpx.Client
) -> None:
    if backend != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    people = [{"name": f"P{i}", "jobTitle": f"T{i % 5}"} for i in range(200)]
    assert client.post("/rest/batch/people", json=people).status_code == 201
    got = client.get("/rest/people", params={"filter": "jobTitle[eq]:T3", "limit": 10}).json()
    assert got["totalCount"] == 40
    cache = server.app.state.rolodex.db._cache
    ws = str(server.app.state.rolodex.registries._entries.popitem()[0])
    # One statement: the page, with its total counted in a subquery.
    statements = [sql for key, sql in cache.items() if key[:3] == ("records", "person", "page")]
    assert len(statements) == 1
    args = [[{"ws": ws, "limit": 11}.get(n, "T3") for n in sql.names] for sql in statements]
    for plan in _plans(db_url, statements, args):
        # The count, once (an InitPlan), and the page, both through the index.
        assert "InitPlan" in plan and plan.count("ix_person_job_title") == 2, plan
        assert "Seq Scan" not in plan and "  Sort" not in plan, plan
    meta = client.get("/rest/metadata/objects/person").json()
    fields = meta["data"]["object"]["fields"]
    assert next(f for f in fields if f["name"] == "jobTitle")["isIndexed"] is True


def test_unfiltered_totals_count_from_the_live_index(
    backend: str, db_url: str, server: LiveServer, client: httpx.Client
) -> None:
    """``totalCount`` of a whole list reads the index of live records, not every row."""
    people = [{"name": f"P{i}"} for i in range(50)]
    assert client.post("/rest/batch/people", json=people).status_code == 201
    assert client.get("/rest/people", params={"limit": 5}).json()["totalCount"] == 50
    [sql] = _page_statements(server)
    ws = str(server.app.state.rolodex.registries._entries.popitem()[0])
    args = [ws if n == "ws" else 6 for n in sql.names]
    if backend == "postgresql":
        [plan] = _plans(db_url, [sql], [args])
    else:
        from rolodex.kit.db import sqlite_path

        with sqlite3.connect(sqlite_path(db_url)) as conn:
            rows = conn.execute(f"EXPLAIN QUERY PLAN {sql.text}", args).fetchall()
        plan = "\n".join(str(r[-1]) for r in rows)
    assert "ix_person_live" in plan, plan

"""PostgreSQL groups through the object's indexes, not a scan of every workspace's rows."""

from __future__ import annotations

from typing import Any

import httpx
import psycopg
import pytest
from tests.conftest import LiveServer

from rolodex.kit.db import Sql


def _plan(db_url: str, sql: Sql, args: list[Any]) -> str:
    """EXPLAIN with sequential scans priced out: left in, no index fits."""
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute("SET enable_seqscan = off")
        conn.execute("ANALYZE person")
        conn.execute(f"PREPARE q AS {sql.text}")
        quoted = [conn.execute("SELECT quote_nullable(%s::text)", (a,)).fetchone() for a in args]
        literals = ", ".join(q[0] for q in quoted if q is not None)
        rows = conn.execute(f"EXPLAIN EXECUTE q({literals})").fetchall()
        return "\n".join(r[0] for r in rows)


@pytest.mark.parametrize(
    ("params", "index"),
    [
        # The planner's pick among the workspace's indexes (the live records', or the
        # field's own (workspace_id, column, id)), never a scan of the whole table.
        ({"group_by": "jobTitle"}, "ix_person_"),
        ({"group_by": "companyId"}, "ix_person_"),
        ({"filter": "jobTitle[eq]:T3", "metrics": "countNotEmpty:email"}, "ix_person_job_title"),
    ],
)
def test_aggregates_read_an_index(
    backend: str,
    db_url: str,
    server: LiveServer,
    client: httpx.Client,
    params: dict[str, str],
    index: str,
) -> None:
    if backend != "postgresql":
        pytest.skip("query plans are PostgreSQL's")
    people = [{"name": f"P{i}", "jobTitle": f"T{i % 7}"} for i in range(300)]
    assert client.post("/rest/batch/people", json=people).status_code == 201
    r = client.get("/rest/people/aggregate", params=params)
    assert r.status_code == 200, r.text
    cache = server.app.state.rolodex.db._cache
    [sql] = [s for key, s in cache.items() if key[:3] == ("records", "person", "aggregate")]
    ws = str(server.app.state.rolodex.registries._entries.popitem()[0])
    values = {"ws": ws, "limit": 101, "p0": "T3"}
    plan = _plan(db_url, sql, [values.get(n) for n in sql.names])
    assert index in plan, plan
    assert "Seq Scan" not in plan, plan

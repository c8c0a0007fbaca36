"""GET by id is planned by primary key even before the table was ever analyzed.

Without statistics PostgreSQL guesses that ``deleted_at IS NULL`` matches
0.5% of a table, so a partial index of live records looks tiny. A by-id
statement that tested ``deleted_at IS NULL`` was planned through the live
index of the workspace (ix_person_live), reading every live row of the
workspace for each GET, until the table was analyzed (p50 4.4 against 1.1 ms
at 10,000 people, bench/fresh_stats.py).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import httpx
import pytest
from tests.conftest import LiveServer

from rolodex.kit.db import Database


def test_get_by_id_uses_the_primary_key_on_a_table_never_analyzed(
    backend: str, db_url: str, server: LiveServer, client: httpx.Client
) -> None:
    if backend != "postgresql":
        pytest.skip("a PostgreSQL plan")
    people = [{"name": f"P {n}", "email": f"p{n}@example.com"} for n in range(2000)]
    resp = client.post("/rest/batch/people", json=people)
    assert resp.status_code == 201, resp.text
    pid = resp.json()["data"]["createPeople"][0]["id"]
    assert client.get(f"/rest/people/{pid}").status_code == 200
    db: Database = server.app.state.rolodex.db
    gets = [sql for key, sql in db._cache.items() if key[:3] == ("records", "person", "get")]
    assert gets, "the GET compiled no by-id statement"

    async def plans() -> list[str]:
        check = Database(db_url, pool_size=1)
        await check.open()
        try:
            async with check.connect() as conn:
                raw: Any = conn.raw
                ws = await raw.fetchval("SELECT workspace_id FROM person LIMIT 1")
                analyzed = await raw.fetchval(
                    "SELECT coalesce(last_analyze, last_autoanalyze) FROM pg_stat_user_tables"
                    " WHERE relname = 'person'"
                )
                assert analyzed is None  # the case under test: no statistics yet
                params = {"ws": ws, "obj": uuid.uuid4(), "id": uuid.UUID(pid)}
                out = []
                for sql in gets:
                    plan = await raw.fetchval(
                        "EXPLAIN (FORMAT JSON) " + sql.text, *sql.args(params)
                    )
                    out.append(json.dumps(json.loads(plan) if isinstance(plan, str) else plan))
                return out
        finally:
            await check.close()

    for plan in asyncio.run(asyncio.wait_for(plans(), 30)):
        assert '"Index Name": "pk_person"' in plan, plan

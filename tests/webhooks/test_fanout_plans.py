"""The fan-out's statements read the fan-out index even when ``event`` was never analyzed.

Every event is updated once when it is fanned out. Where autovacuum is off
(or behind), ``event`` has no statistics and holds a dead version of every
event, and a probe planned on guesses scanned the whole table for one
waiting event: 6.6 ms at 15,000 events, growing with every event written.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from typing import Any

import pytest

from rolodex.kit.db import Database
from rolodex.webhooks import repository as repo
from tests import factories


def _plan(value: Any) -> str:
    return json.dumps(json.loads(value) if isinstance(value, str) else value)


def test_probe_and_mark_use_the_fan_out_index(backend: str, db_url: str) -> None:
    if backend != "postgresql":
        pytest.skip("a PostgreSQL plan")
    ws = factories.make_workspace(db_url)

    async def go() -> list[str]:
        db = Database(db_url, pool_size=1)
        await db.open()
        try:
            async with db.transaction() as conn:
                raw: Any = conn.raw
                await raw.execute(
                    "INSERT INTO event (workspace_id, id, type, object_name, record_id,"
                    " occurred_at, fanned_out)"
                    " SELECT $1, gen_random_uuid(), 'person.created', 'person',"
                    " gen_random_uuid(), now(), true FROM generate_series(1, 20000)",
                    ws,
                )
            async with db.connect() as conn:
                raw = conn.raw
                assert (
                    await raw.fetchval(
                        "SELECT coalesce(last_analyze, last_autoanalyze) FROM pg_stat_user_tables"
                        " WHERE relname = 'event'"
                    )
                    is None
                )  # the case under test: no statistics
                assert not await repo.has_unfanned_events(conn)
                sqls = [sql for key, sql in db._cache.items() if key == "wh.has_events"]
                await repo.mark_fanned_out(conn, [{"seq": 1, "id": uuid.uuid4()}])
                sqls += [sql for key, sql in db._cache.items() if key == "wh.fanned_set"]
                assert len(sqls) == 2
                params = {"seqs": [1, 2], "ids": [uuid.uuid4(), uuid.uuid4()]}
                return [
                    _plan(await raw.fetchval("EXPLAIN (FORMAT JSON) " + s.text, *s.args(params)))
                    for s in sqls
                ]
        finally:
            await db.close()

    for plan in asyncio.run(asyncio.wait_for(go(), 60)):
        assert '"Index Name": "ix_event_fan_out"' in plan, plan
        assert "Seq Scan" not in plan, plan

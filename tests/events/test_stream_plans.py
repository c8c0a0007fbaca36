"""The event stream's statements walk ``ix_event_stream`` (migration 0020), not the outbox.

Before, ``max(seq)`` and ``seq > after ORDER BY seq`` of one workspace read
every event it ever had, at each connection and each wake-up.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from tests import factories

from rolodex.events import outbox
from rolodex.kit.db import Database


def test_the_stream_reads_its_index(backend: str, db_url: str) -> None:
    if backend != "postgresql":
        pytest.skip("a PostgreSQL plan")
    ws = factories.make_workspace(db_url)

    async def go() -> list[str]:
        db = Database(db_url, pool_size=1)
        await db.open()
        try:
            async with db.transaction() as conn:
                await factories.fanned_out_events(conn, ws)
            async with db.connect() as conn:
                raw: Any = conn.raw
                end = await outbox.last_seq(conn, ws)
                assert end > 0
                assert len(await outbox.read_after(conn, ws, end - 5, 100)) == 5
                sqls = [
                    s
                    for key, s in db._cache.items()
                    if key == "events.stream_end" or key[0] == "events.stream"
                ]
                assert len(sqls) == 2, list(db._cache.items())
                params = {"ws": ws, "after": end - 5}
                out = []
                for s in sqls:
                    got = await raw.fetchval("EXPLAIN (FORMAT JSON) " + s.text, *s.args(params))
                    out.append(json.dumps(json.loads(got) if isinstance(got, str) else got))
                return out
        finally:
            await db.close()

    for plan in asyncio.run(asyncio.wait_for(go(), 60)):
        assert '"Index Name": "ix_event_stream"' in plan, plan
        assert "Seq Scan" not in plan, plan

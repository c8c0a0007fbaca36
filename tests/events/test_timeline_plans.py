"""A record's timeline reads indexes, not the workspace's whole outbox (migrations 0019, 0021).

Its own events come from ``ix_event_record``; those of the notes and tasks
attached to it from the attached-record indexes. Before, the attached part
had no index: a parallel scan of every event and a sort, 40 ms at 140,000.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from tests import factories
from tests.conftest import LiveServer

from rolodex.kit.db import Database


def test_a_person_timeline_uses_indexes(
    backend: str, db_url: str, server: LiveServer, client: httpx.Client
) -> None:
    if backend != "postgresql":
        pytest.skip("a PostgreSQL plan")
    p = factories.person(client, name="Ada Lovelace")
    factories.create(client, "notes", body="met at the fair", personId=p["id"])
    assert client.get(f"/rest/people/{p['id']}/timeline").status_code == 200
    db: Database = server.app.state.rolodex.db
    [sql] = [s for key, s in db._cache.items() if key[0] == "events.timeline"]

    async def plan() -> str:
        check = Database(db_url, pool_size=1)
        await check.open()
        try:
            async with check.transaction() as conn:
                raw: Any = conn.raw
                ws = await raw.fetchval("SELECT workspace_id FROM person LIMIT 1")
                # Many events of other notes, none analyzed: what a busy workspace has.
                await raw.execute(
                    "INSERT INTO event (workspace_id, id, type, object_name, record_id,"
                    " occurred_at, record, fanned_out)"
                    " SELECT $1, gen_random_uuid(), 'note.created', 'note', gen_random_uuid(),"
                    " now(), json_build_object('personId', gen_random_uuid()::text), true"
                    " FROM generate_series(1, 20000)",
                    ws,
                )
                params = {"ws": ws, "rid": p["id"], "rs": p["id"], "limit": 21}
                args = sql.args(params)
                got = await raw.fetchval("EXPLAIN (FORMAT JSON) " + sql.text, *args)
                return json.dumps(json.loads(got) if isinstance(got, str) else got)
        finally:
            await check.close()

    got = asyncio.run(asyncio.wait_for(plan(), 30))
    assert '"Index Name": "ix_event_record"' in got, got
    assert '"Index Name": "ix_event_attached_person"' in got, got
    assert "Seq Scan" not in got, got


def test_attached_indexes_skip_other_objects_events(backend: str, db_url: str) -> None:
    """Each attached-record index tests ``object_name`` before it parses the record, so
    an event of a person (5 KB with 100 custom fields) is not parsed three times over
    at insert (migration 0021; 0019's predicates cost 40 ms per 1,000 such events)."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL's partial indexes")

    async def predicates(conn: Any) -> list[str]:
        rows = await conn.raw.fetch(
            "SELECT pg_get_expr(indpred, indrelid) FROM pg_index"
            " WHERE indexrelid::regclass::text LIKE 'ix_event_attached_%'"
        )
        return [r[0] for r in rows]

    got = factories.run_db(db_url, predicates, write=False)
    assert len(got) == 3, got
    for predicate in got:
        assert predicate.startswith("((object_name = ANY"), predicate

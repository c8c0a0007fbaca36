"""The fan-out's and the delivery log's statements read their indexes on tables never analyzed.

Every event is updated once when it is fanned out. Where autovacuum is off
(or behind), ``event`` has no statistics and holds a dead version of every
event, and a probe planned on guesses scanned the whole table for one
waiting event: 6.6 ms at 15,000 events, growing with every event written.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from rolodex.kit import clock
from rolodex.kit.db import Database
from rolodex.kit.tables import event
from rolodex.webhooks import delivery_log, queue
from rolodex.webhooks import repository as repo
from tests import factories

T = TypeVar("T")


def _plan(value: Any) -> str:
    return json.dumps(json.loads(value) if isinstance(value, str) else value)


async def _explain(raw: Any, sql: Any, params: dict[str, Any]) -> str:
    """The plan of a compiled statement for ``params``, as JSON text."""
    return _plan(await raw.fetchval("EXPLAIN (FORMAT JSON) " + sql.text, *sql.args(params)))


def _on(db_url: str, work: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``work`` on a pool of its own (outside any server), within a minute."""

    async def go() -> T:
        db = Database(db_url, pool_size=1)
        await db.open()
        try:
            return await work(db)
        finally:
            await db.close()

    return asyncio.run(asyncio.wait_for(go(), 60))


def test_probe_and_mark_use_the_fan_out_index(backend: str, db_url: str) -> None:
    if backend != "postgresql":
        pytest.skip("a PostgreSQL plan")
    ws = factories.make_workspace(db_url)

    async def go(db: Database) -> list[str]:
        async with db.transaction() as conn:
            await factories.fanned_out_events(conn, ws)
        async with db.connect() as conn:
            raw: Any = conn.raw
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
            return [await _explain(raw, s, params) for s in sqls]

    for plan in _on(db_url, go):
        assert '"Index Name": "ix_event_fan_out"' in plan, plan
        assert "Seq Scan" not in plan, plan


def test_the_delivery_log_walks_its_index(backend: str, db_url: str) -> None:
    """A page of a webhook's log and its bounded count, over 20,000 deliveries never
    analyzed: through ix_webhook_delivery_log, not a scan and a sort of the queue."""
    if backend != "postgresql":
        pytest.skip("a PostgreSQL plan")
    ws, hook = factories.make_workspace(db_url), uuid.uuid4()

    async def go(db: Database) -> list[str]:
        async with db.transaction() as conn:
            raw: Any = conn.raw
            await raw.execute(
                "INSERT INTO webhook_delivery (workspace_id, id, webhook_id, event_id,"
                " event_type, body, status, attempts, tries, next_attempt_at, created_at)"
                " SELECT $1, gen_random_uuid(), $2, gen_random_uuid(), 'person.created',"
                " '{}', 'failed', 1, 1, now(), now() - n * interval '1 second'"
                " FROM generate_series(1, 20000) AS n",
                ws,
                hook,
            )
        async with db.connect() as conn:
            raw = conn.raw
            page = await delivery_log.list_for_webhook(conn, ws, hook, None, 50, 0)
            assert len(page.items) == 50 and page.total == 10_001 and not page.exact
            keys = ("wq.log", False, False), ("wq.log_count", False, False)
            sqls = [db._cache.get(k) for k in keys]
            params = {"ws": ws, "wid": hook, "limit": 50, "offset": 0, "cap": 10_001}
            return [await _explain(raw, s, params) for s in sqls]

    for plan in _on(db_url, go):
        assert '"Index Name": "ix_webhook_delivery_log"' in plan, plan
        assert "Seq Scan" not in plan and '"Sort"' not in plan, plan


def test_the_claim_walks_the_due_index_on_stale_statistics(backend: str, db_url: str) -> None:
    """Statistics taken when the whole backlog was due, then most of it rescheduled for
    later (retries of a receiver that is down): the claim still reads only due rows."""
    if backend != "postgresql":
        pytest.skip("a PostgreSQL plan")
    ws, hook = factories.make_workspace(db_url), uuid.uuid4()

    async def go(db: Database) -> str:
        async with db.transaction() as conn:
            raw: Any = conn.raw
            await raw.execute(
                "INSERT INTO webhook_delivery (workspace_id, id, webhook_id, event_id,"
                " event_seq, event_type, object_name, record_id, body, status, attempts,"
                " tries, next_attempt_at, created_at)"
                " SELECT $1, gen_random_uuid(), $2, gen_random_uuid(), n, 'person.created',"
                " 'person', gen_random_uuid(), '{}', 'pending', 0, 0,"
                " now() - interval '1 minute', now() FROM generate_series(1, 20000) AS n",
                ws,
                hook,
            )
        async with db.connect() as conn:
            raw = conn.raw
            await raw.execute("ANALYZE webhook_delivery")
            await raw.execute(
                "UPDATE webhook_delivery SET next_attempt_at = now() + interval '1 hour'"
                " WHERE workspace_id = $1 AND event_seq > 100",
                ws,
            )
        now = clock.now()
        params = {
            "now": now,
            "until": now,
            "owner": uuid.uuid4(),
            "busy": [],
            "scan": 800,
            "per_webhook": 32,
            "limit": 200,
        }
        async with db.transaction() as conn:
            await queue.claim(
                conn, now=now, until=now, owner=uuid.uuid4(), limit=200, per_webhook=32
            )
            sql = db._cache.get("wq.claim")
            raw = conn.raw
            return await _explain(raw, sql, params)

    plan = _on(db_url, go)
    assert '"Index Name": "ix_webhook_delivery_due"' in plan, plan
    assert "Seq Scan" not in plan, plan


def test_the_documents_of_claimed_events_are_read_by_number(backend: str, db_url: str) -> None:
    """A claim reads no documents; those of a workspace with webhooks are then read by
    (workspace, number) through the stream index, over 20,000 events never analyzed."""
    ws = factories.make_workspace(db_url)

    async def go(db: Database) -> tuple[dict[int, dict[str, Any]], list[str], str | None]:
        async with db.transaction() as conn:
            for seq in (7, 8):
                await conn.execute(
                    db.sql(
                        "test.event",
                        lambda: sa.insert(event).values(
                            workspace_id=sa.bindparam("ws"),
                            id=sa.bindparam("id"),
                            type="person.created",
                            object_name="person",
                            record_id=sa.bindparam("id"),
                            occurred_at=sa.bindparam("at"),
                            record=sa.bindparam("record"),
                            changes=sa.bindparam("changes"),
                            fanned_out=False,
                        ),
                    ),
                    {
                        "ws": ws,
                        "id": uuid.uuid4(),
                        "at": clock.now(),
                        "record": {"name": f"n{seq}"},
                        "changes": ["name"],
                    },
                )
        async with db.connect() as conn:
            claimed = await repo.claim_events(conn, 10)
            assert claimed and not set(repo.DOCUMENTS) & set(claimed[0])
            seqs = [int(e["seq"]) for e in claimed]
            docs = await repo.event_documents(conn, ws, seqs)
            if conn.sqlite:
                return docs, [], None
            await factories.fanned_out_events(conn, ws)
            sql = db._cache.get("wh.event_documents")
            return docs, seqs, await _explain(conn.raw, sql, {"ws": ws, "seqs": seqs})

    docs, _, plan = _on(db_url, go)
    assert sorted(d["record"]["name"] for d in docs.values()) == ["n7", "n8"]
    assert all(d["changes"] == ["name"] and d["previous"] is None for d in docs.values())
    if plan is not None:
        assert '"Index Name": "ix_event_stream"' in plan, plan
        assert "Seq Scan" not in plan, plan

"""The statistics keeper (kit/analyze.py) against a real PostgreSQL."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from rolodex.kit.analyze import analyze_changed, vacuum_dead
from rolodex.kit.db import Database
from tests import factories


@pytest.fixture
def pg_url(backend: str, db_url: str) -> str:
    if backend != "postgresql":
        pytest.skip("SQLite has no statistics to keep")
    return db_url


async def _seed(db: Database, ws: uuid.UUID, count: int) -> None:
    async with db.transaction() as conn:
        raw: Any = conn.raw
        await raw.execute(
            "INSERT INTO person (workspace_id, id, name, created_at, updated_at)"
            " SELECT $1, gen_random_uuid(), 'p' || n, now(), now()"
            " FROM generate_series(1, $2) AS n",
            ws,
            count,
        )


async def _changed(db: Database, table: str, what: str) -> int:
    async with db.connect() as conn:
        raw: Any = conn.raw
        value = await raw.fetchval(
            f"SELECT {what} FROM pg_stat_user_tables WHERE relname = $1", table
        )
    return int(value or 0)


def _run(pg_url: str, work: Callable[[Database], Awaitable[None]]) -> None:
    async def go() -> None:
        db = Database(pg_url, pool_size=2)
        await db.open()
        try:
            await work(db)
        finally:
            await db.close()

    asyncio.run(asyncio.wait_for(go(), 30))


async def _until(db: Database, table: str, what: str, holds: Callable[[int], bool]) -> None:
    """Poll a statistics counter: servers report row counts within about a second."""
    deadline = time.monotonic() + 10
    while not holds(await _changed(db, table, what)):
        assert time.monotonic() < deadline, f"{table}.{what} never got there"
        await asyncio.sleep(0.1)


def test_a_table_that_grew_is_analyzed_once(pg_url: str) -> None:
    ws = factories.make_workspace(pg_url)

    async def work(db: Database) -> None:
        await _seed(db, ws, 2500)
        await _until(db, "person", "n_mod_since_analyze", lambda n: n >= 2500)
        assert "person" in await analyze_changed(db)
        async with db.connect() as conn:
            raw: Any = conn.raw
            tuples = await raw.fetchval("SELECT reltuples FROM pg_class WHERE relname = 'person'")
        assert tuples == 2500
        assert "person" not in await analyze_changed(db)  # nothing changed since

    _run(pg_url, work)


def test_a_small_change_is_left_to_autovacuum(pg_url: str) -> None:
    ws = factories.make_workspace(pg_url)

    async def work(db: Database) -> None:
        await _seed(db, ws, 50)
        assert "person" not in await analyze_changed(db)

    _run(pg_url, work)


def test_a_table_full_of_dead_rows_is_vacuumed(pg_url: str) -> None:
    """What the outbox looks like after its events are fanned out: each row updated once."""
    ws = factories.make_workspace(pg_url)

    async def work(db: Database) -> None:
        await _seed(db, ws, 2500)
        async with db.transaction() as conn:
            raw: Any = conn.raw
            await raw.execute("UPDATE person SET job_title = 'x' WHERE workspace_id = $1", ws)
        await _until(db, "person", "n_dead_tup", lambda n: n >= 2500)
        assert "person" in await vacuum_dead(db)
        await _until(db, "person", "n_dead_tup", lambda n: n < 2500)
        assert "person" not in await vacuum_dead(db)

    _run(pg_url, work)

"""A transaction cancelled at any await (a client gone, a server shutting down)
leaves no connection inside a transaction: the next write starts at once."""

from __future__ import annotations

import asyncio
import contextlib

import pytest
import sqlalchemy as sa

from rolodex.kit.db import Database


def sql(db: Database, text: str) -> object:
    return db.sql(text, lambda: sa.text(text))


@pytest.mark.parametrize("deferred", [False, True])
def test_a_cancelled_transaction_releases_the_database(db_url: str, deferred: bool) -> None:
    async def main() -> None:
        db = Database(db_url, pool_size=2)
        await db.open()
        try:
            async with db.connect() as conn:
                await conn.execute(sql(db, "CREATE TABLE cancelled (v int)"))

            async def write(v: int) -> None:
                async with db.transaction(deferred=deferred) as conn:
                    await conn.execute(sql(db, f"INSERT INTO cancelled VALUES ({v})"))
                    await conn.execute(sql(db, f"INSERT INTO cancelled VALUES ({v})"))

            # Each round cancels the transaction one event-loop turn later: in
            # BEGIN, in either statement, in COMMIT, or after it is done.
            for turns in range(12):
                task = asyncio.ensure_future(write(turns))
                for _ in range(turns):
                    await asyncio.sleep(0)
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
                # A connection left inside a transaction makes this wait out
                # SQLite's 10 s busy timeout, or fail at once on its own BEGIN.
                await asyncio.wait_for(write(100 + turns), 5)
            async with db.connect() as conn:
                rows = await conn.fetch(sql(db, "SELECT v, count(*) n FROM cancelled GROUP BY v"))
            # Every transaction wrote both of its rows or neither.
            assert all(r["n"] == 2 for r in rows), rows
            assert {r["v"] for r in rows} >= {100 + t for t in range(12)}
        finally:
            await db.close()

    asyncio.run(main())

"""Deferred transactions (what sessions use on PostgreSQL): BEGIN with the first
statement, and a lone last write that commits by itself only where allowed."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

import pytest
import sqlalchemy as sa

from rolodex.kit.db import Conn, Database, PgConn, StatementAfterLast
from tests.conftest import _PG_ERROR, PG_ADMIN

pytestmark = pytest.mark.skipif(_PG_ERROR is not None, reason="PostgreSQL is not reachable")


def run(work: Callable[[Database, str], Awaitable[Any]]) -> Any:
    """``work(db, table)`` on the test database, with a table of its own."""
    table = f"deferred_{uuid.uuid4().hex[:10]}"

    async def main() -> Any:
        db = Database(PG_ADMIN, pool_size=3)
        await db.open()
        try:
            async with db.connect() as conn:
                await conn.execute(sql(db, f"CREATE TABLE {table} (v int)"))
            try:
                return await asyncio.wait_for(work(db, table), 30)
            finally:
                async with db.connect() as conn:
                    await conn.execute(sql(db, f"DROP TABLE {table}"))
        finally:
            await db.close()

    return asyncio.run(main())


def sql(db: Database, text: str) -> Any:
    return db.sql(text, lambda: sa.text(text))


async def count(db: Database, table: str) -> int:
    async with db.connect() as conn:
        return int(await conn.fetchval(sql(db, f"SELECT count(*) FROM {table}")))


def test_begin_waits_for_the_first_statement() -> None:
    async def work(db: Database, table: str) -> None:
        async with db.transaction(deferred=True) as conn:
            assert not conn.raw.is_in_transaction()  # nothing sent yet
            await conn.fetchval(sql(db, "SELECT 1"))
            assert conn.raw.is_in_transaction()
            await conn.execute(sql(db, f"INSERT INTO {table} VALUES (1)"))
            assert await count(db, table) == 0  # not committed yet
        assert await count(db, table) == 1

    run(work)


@pytest.mark.parametrize(
    ("lone", "before"),
    [
        (True, True),  # allowed, but not the first statement: it joins the transaction
        (False, False),  # the first statement, but the boundary did not allow it
    ],
)
def test_a_last_write_that_may_not_commit_alone_is_rolled_back(lone: bool, before: bool) -> None:
    async def work(db: Database, table: str) -> None:
        with pytest.raises(LookupError):
            async with db.transaction(deferred=True) as conn:
                assert isinstance(conn, PgConn)
                conn.lone = lone
                if before:
                    await conn.execute(sql(db, f"INSERT INTO {table} VALUES (1)"))
                await conn.execute(sql(db, f"INSERT INTO {table} VALUES (2)"), last=True)
                assert conn.raw.is_in_transaction()
                raise LookupError
        assert await count(db, table) == 0

    run(work)


def test_a_lone_last_write_commits_by_itself() -> None:
    async def work(db: Database, table: str) -> None:
        async with db.transaction(deferred=True) as conn:
            assert isinstance(conn, PgConn)
            conn.lone = True
            await conn.execute(sql(db, f"INSERT INTO {table} VALUES (1)"), last=True)
            assert not conn.raw.is_in_transaction()
            assert await count(db, table) == 1  # committed before the block ends
            # Reads may follow it (a clash is looked up after its insert); writes may not.
            assert await conn.fetchval(sql(db, f"SELECT count(*) FROM {table}")) == 1
            with pytest.raises(StatementAfterLast):
                await conn.execute(sql(db, f"INSERT INTO {table} VALUES (2)"))
        assert await count(db, table) == 1

    run(work)


def test_a_plain_transaction_begins_at_once() -> None:
    async def work(db: Database, table: str) -> None:
        conn: Conn
        async with db.transaction() as conn:
            assert conn.raw.is_in_transaction()

    run(work)

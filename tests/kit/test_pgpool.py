"""The PostgreSQL connection pool, against a real server: limits, hand-over, recovery."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from rolodex.kit.db import Database
from rolodex.kit.errors import Unavailable
from rolodex.kit.pgpool import PgPool, PoolClosed
from tests.conftest import _PG_ERROR, PG_ADMIN

pytestmark = pytest.mark.skipif(_PG_ERROR is not None, reason="PostgreSQL is not reachable")


async def _no_init(conn: Any) -> None:
    return None


def run(coro: Any) -> Any:
    return asyncio.run(asyncio.wait_for(coro, 30))


def test_an_idle_connection_is_reused() -> None:
    async def go() -> None:
        pool = PgPool(PG_ADMIN, 3, _no_init)
        await pool.open()
        first = await pool.acquire()
        await pool.release(first)
        again = await pool.acquire()
        assert again is first
        assert await again.fetchval("SELECT 1") == 1
        await pool.release(again)
        await pool.close()

    run(go())


def test_no_more_than_size_connections_and_waiters_are_served_in_order() -> None:
    async def go() -> None:
        pool = PgPool(PG_ADMIN, 2, _no_init)
        a, b = await pool.acquire(), await pool.acquire()
        order: list[str] = []

        async def wait(name: str) -> None:
            conn = await pool.acquire()
            order.append(name)
            await pool.release(conn)

        tasks = [asyncio.create_task(wait("first")), asyncio.create_task(wait("second"))]
        await asyncio.sleep(0.05)
        assert order == []  # both wait: the pool is full
        await pool.release(a)
        await asyncio.gather(*tasks)
        assert order == ["first", "second"]
        await pool.release(b)
        assert pool._count == 2
        await pool.close()

    run(go())


def test_a_cancelled_waiter_loses_no_connection() -> None:
    async def go() -> None:
        pool = PgPool(PG_ADMIN, 1, _no_init)
        held = await pool.acquire()
        waiter = asyncio.create_task(pool.acquire())
        await asyncio.sleep(0.05)
        waiter.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiter
        await pool.release(held)
        again = await asyncio.wait_for(pool.acquire(), 5)
        assert again is held
        await pool.release(again)
        await pool.close()

    run(go())


def test_an_open_transaction_is_rolled_back_on_release() -> None:
    async def go() -> None:
        pool = PgPool(PG_ADMIN, 1, _no_init)
        conn = await pool.acquire()
        await conn.execute("BEGIN")
        await conn.execute("CREATE TEMP TABLE pool_probe (x int)")
        await pool.release(conn)
        conn = await pool.acquire()
        assert not conn.is_in_transaction()
        assert await conn.fetchval("SELECT to_regclass('pool_probe')") is None
        await pool.release(conn)
        await pool.close()

    run(go())


def test_a_statement_cancelled_midway_closes_its_connection_and_frees_the_slot() -> None:
    async def go() -> None:
        db = Database(PG_ADMIN, pool_size=1)
        await db.open()

        async def slow() -> None:
            async with db.connect() as conn:
                await conn.raw.execute("SELECT pg_sleep(10)")

        task = asyncio.create_task(slow())
        await asyncio.sleep(0.2)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        async with db.connect() as conn:  # a new connection in the freed slot
            assert await conn.raw.fetchval("SELECT 2") == 2
        await db.close()

    run(go())


def test_a_connection_closed_under_the_pool_is_replaced() -> None:
    async def go() -> None:
        pool = PgPool(PG_ADMIN, 1, _no_init)
        conn = await pool.acquire()
        await pool.release(conn)
        conn.terminate()  # as if the server had gone away
        fresh = await pool.acquire()
        assert fresh is not conn
        assert await fresh.fetchval("SELECT 3") == 3
        await pool.release(fresh)
        await pool.close()

    run(go())


def test_an_error_inside_a_connection_keeps_it_usable() -> None:
    async def go() -> None:
        db = Database(PG_ADMIN, pool_size=1)
        await db.open()
        with pytest.raises(ValueError):
            async with db.transaction() as conn:
                await conn.raw.execute("CREATE TEMP TABLE pool_probe2 (x int)")
                raise ValueError("a handler failed")
        async with db.connect() as conn:
            assert await conn.raw.fetchval("SELECT to_regclass('pool_probe2')") is None
        await db.close()

    run(go())


def test_closing_fails_waiters_and_later_acquires() -> None:
    async def go() -> None:
        pool = PgPool(PG_ADMIN, 1, _no_init)
        held = await pool.acquire()
        waiter = asyncio.create_task(pool.acquire())
        await asyncio.sleep(0.05)
        await pool.close()
        with pytest.raises(PoolClosed):
            await waiter
        with pytest.raises(PoolClosed):
            await pool.acquire()
        await pool.release(held)  # closed on return
        assert held.is_closed()

    run(go())


def test_an_unreachable_server_is_reported_at_open() -> None:
    async def go() -> None:
        db = Database("postgresql://postgres@127.0.0.1:1/none", pool_size=2)
        with pytest.raises(Unavailable):
            await db.open()

    run(go())

"""A pool of asyncpg connections, leaner than asyncpg's own ``Pool``.

asyncpg's pool wraps every acquire and release in timeouts, shields and
holder bookkeeping: about 25 us of CPU per request here, an eighth of a GET
by id (docs/performance.md). Rolodex needs none of that: connections are
taken for one request or job and always given back. This pool is a stack of
idle connections and a queue of waiters; taking and returning an idle
connection does no I/O and creates no task.

A connection comes back in whatever state its user left it. ``release`` rolls
back a transaction left open, and closes a connection whose user was
cancelled mid-statement (its protocol state is unknown) rather than reuse it.
Nothing else is reset: pooled connections never keep session state (anything
that LISTENs or SETs opens a connection of its own).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg

Init = Callable[[Any], Awaitable[None]]


class PoolClosed(RuntimeError):
    """The pool was closed while a caller waited for a connection."""


class PgPool:
    """At most ``size`` connections to ``url``, each set up by ``init`` once."""

    def __init__(self, url: str, size: int, init: Init) -> None:
        self.url = url
        self.size = max(1, size)
        self.init = init
        self._idle: list[Any] = []
        self._waiters: deque[asyncio.Future[Any]] = deque()
        self._count = 0  # connections open or being opened
        self._closed = False

    async def open(self) -> None:
        """Open one connection now, so a bad URL fails at start-up, not on a request."""
        await self.release(await self.acquire())

    async def _connect(self) -> Any:
        self._count += 1
        try:
            conn = await asyncpg.connect(self.url)
            await self.init(conn)
        except BaseException:
            self._count -= 1
            self._wake_one(None)
            raise
        return conn

    async def acquire(self) -> Any:
        """An open connection: an idle one, a new one, or the next one released."""
        while True:
            if self._closed:
                raise PoolClosed("The connection pool is closed.")
            while self._idle:
                conn = self._idle.pop()
                if not conn.is_closed():
                    return conn
                self._count -= 1
            if self._count < self.size:
                return await self._connect()
            waiter: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._waiters.append(waiter)
            try:
                conn = await waiter
            except BaseException:
                handed = (
                    waiter.result()
                    if waiter.done() and not waiter.cancelled() and waiter.exception() is None
                    else None
                )
                if handed is not None:
                    self._put(handed)  # handed a connection just as we were cancelled
                else:
                    self._discard_waiter(waiter)
                raise
            if conn is not None:
                return conn
            # None means "a slot was freed": loop to open a connection in it.

    async def release(self, conn: Any, exc: BaseException | None = None) -> None:
        """Give back a connection; ``exc`` is what its user raised, if anything."""
        if exc is None and not conn.is_in_transaction():
            self._put(conn)
            return
        if isinstance(exc, asyncio.CancelledError | TimeoutError):
            # Cancelled mid-statement, the protocol may still await PostgreSQL's
            # reply; a fresh connection is cheaper than reasoning about it.
            self._drop(conn)
            return
        if not conn.is_closed() and conn.is_in_transaction():
            try:
                await conn.execute("ROLLBACK")
            except Exception:
                self._drop(conn)
                return
        self._put(conn)

    def _put(self, conn: Any) -> None:
        if self._closed or conn.is_closed():
            self._drop(conn)
        elif not self._wake_one(conn):
            self._idle.append(conn)

    def _drop(self, conn: Any) -> None:
        if not conn.is_closed():
            conn.terminate()
        self._count -= 1
        self._wake_one(None)

    def _wake_one(self, conn: Any) -> bool:
        """Hand ``conn`` (or, with None, a free slot) to the oldest waiter still waiting."""
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_result(conn)
                return True
        return False

    def _discard_waiter(self, waiter: asyncio.Future[Any]) -> None:
        with contextlib.suppress(ValueError):
            self._waiters.remove(waiter)

    async def close(self) -> None:
        """Close idle connections now; busy ones are closed when they come back."""
        self._closed = True
        idle, self._idle = self._idle, []
        for conn in idle:
            self._count -= 1
            try:
                await asyncio.wait_for(conn.close(), 5)
            except Exception:
                conn.terminate()
        while self._waiters:
            waiter = self._waiters.popleft()
            if not waiter.done():
                waiter.set_exception(PoolClosed("The connection pool is closed."))

"""A connection shared by concurrent tasks of one session, one statement at a time."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from typing import Any

from rolodex.kit.db import Conn, Row


class SerialConn(Conn):
    """A connection shared by the resolvers of one request, one statement at a time.

    asyncpg refuses a second statement while one is running, and sibling
    fields resolve concurrently; the lock keeps them in line.
    """

    def __init__(self, inner: Conn) -> None:
        super().__init__(inner.raw, inner.db)
        self.sqlite = inner.sqlite
        self.inner = inner
        self._lock = asyncio.Lock()

    async def fetch(
        self, sql: Any, params: Mapping[str, Any] | None = None, *, last: bool = False
    ) -> list[Row]:
        async with self._lock:
            return await self.inner.fetch(sql, params, last=last)

    async def execute(
        self, sql: Any, params: Mapping[str, Any] | None = None, *, last: bool = False
    ) -> int:
        async with self._lock:
            return await self.inner.execute(sql, params, last=last)

    async def executemany(self, sql: Any, rows: Sequence[Mapping[str, Any]]) -> None:
        async with self._lock:
            await self.inner.executemany(sql, rows)


__all__ = ["SerialConn"]
